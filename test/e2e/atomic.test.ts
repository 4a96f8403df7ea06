// Transactions interrupted (PYCTL_TEST_PAUSE) by SIGINT and SIGKILL: what the user is told, what
// history records and what undo then does. That the venv is entirely before or after at every
// phase, for every operation and signal, is the fault matrix's (faults.test.ts): not repeated here.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, run, type Sandbox, untilStalled } from "../support/env.ts";
import {
  historyFiles,
  initSandbox,
  inventory,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  script,
  staging,
  startPaused,
  startUntil,
} from "../support/venv-fixtures.ts";

describe("an interrupted transaction", () => {
  let sb: Sandbox;
  /** The venv between tests, and snapshot "orig", what `pyctl restore orig` makes of it. */
  let upgraded: string[];
  let original: string[];

  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0", "beta==1.0", "epsilon==1.0"));
    original = inventory(sb);
    ok(run(sb, ["snapshot", "orig"]));
    ok(pip(sb, "install", "-q", "alpha==2.0", "beta==2.0"));
    ok(pip(sb, "uninstall", "-q", "-y", "epsilon"));
    upgraded = inventory(sb);
  });

  /** One phase before the switch; the fault matrix tries them all. */
  const phase = "verified";
  test(`SIGINT at ${phase}: exit 130, venv unchanged, recorded as interrupted`, async () => {
    const paused = await startPaused(sb, ["restore", "orig"], phase);
    process.kill(paused.pid, "SIGINT");
    const r = await paused.finish();
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("is unchanged");
    expect(inventory(sb)).toEqual(upgraded);
    expect(existsSync(staging(sb))).toBe(false);
    expect(lastEntry(sb)).toMatchObject({
      kind: "restore",
      interrupted: true,
      exit_code: 130,
      changes: { added: [], removed: [], modified: [] },
    });
  });

  test(`SIGKILL at ${phase}: venv unchanged; the next write clears the staging venv`, async () => {
    const paused = await startPaused(sb, ["restore", "orig"], phase);
    process.kill(paused.pid, "SIGKILL");
    expect((await paused.finish()).code).toBe(137);
    expect(inventory(sb)).toEqual(upgraded);
    expect(existsSync(staging(sb))).toBe(true);
    const killed = historyFiles(sb).at(-1)!;
    expect(killed).toEndWith("_before.json");
    // The killed restore changed nothing, so undo passes over it to the operation before.
    expect(ok(run(sb, ["undo", "--dry-run"])).stdout).not.toContain(`#${Number(killed.slice(0, 3))} `);
    ok(run(sb, ["restore", "orig"]));
    expect(existsSync(staging(sb))).toBe(false);
    expect(inventory(sb)).toEqual(original);
    ok(run(sb, ["undo"]));
    expect(inventory(sb)).toEqual(upgraded);
  });

  test("SIGINT after the switch: the venv is entirely in its new state", async () => {
    const paused = await startPaused(sb, ["restore", "orig"], "exchanged");
    process.kill(paused.pid, "SIGINT");
    const r = await paused.finish();
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("in its new state");
    expect(inventory(sb)).toEqual(original);
    expect(script(sb, "alpha")).toBe("alpha 1.0");
    expect(existsSync(staging(sb))).toBe(false);
    ok(run(sb, ["undo"]));
    expect(inventory(sb)).toEqual(upgraded);
  });

  test("SIGKILL after the switch: new state; the old tree goes at the next write", async () => {
    const paused = await startPaused(sb, ["restore", "orig"], "exchanged");
    process.kill(paused.pid, "SIGKILL");
    expect((await paused.finish()).code).toBe(137);
    expect(inventory(sb)).toEqual(original);
    expect(existsSync(staging(sb))).toBe(true);
    expect(script(sb, "beta")).toBe("beta 1.0");
    // This time the killed restore did change the venv, so it counts: undo reverts it.
    ok(run(sb, ["undo"]));
    expect(existsSync(staging(sb))).toBe(false);
    expect(inventory(sb)).toEqual(upgraded);
    // Replaced venvs are deleted in the background; any write clears what is left.
    ok(pip(sb, "uninstall", "-y", "not-installed"));
    expect(readdirSync(join(staging(sb), "..")).filter((n) => n.startsWith("venv."))).toEqual([]);
  });

  test("SIGINT while pip downloads what the store lacks: venv unchanged", async () => {
    const file = join(sb.dir, "with-slowpkg.txt");
    writeFileSync(file, `${pipFreeze(sb)}slowpkg==1.0\n`);
    const { index } = await fixtures();
    const stalls = index.stalls();
    const paused = await startUntil(sb, ["restore", file], "so pip downloads: slowpkg==1.0");
    await untilStalled(index, stalls);
    process.kill(paused.pid, "SIGINT");
    const r = await paused.finish();
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("is unchanged");
    expect(inventory(sb)).toEqual(upgraded);
    expect(existsSync(staging(sb))).toBe(false);
    expect(lastEntry(sb)).toMatchObject({ kind: "restore", interrupted: true });
  });
});
