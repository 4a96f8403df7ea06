// `pyctl autoremove`: orphans (cycles included) removed in a staging venv and swapped in (a
// transaction), recorded and undoable; killed at any phase, the venv is before or after, never half.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { findCommand } from "../../src/commands/index.ts";
import { makeSandbox, PY, run, type Sandbox, sh } from "../support/env.ts";
import { pausedInGroup } from "../support/process-group.ts";
import { bytecode, fileSet } from "../support/file-set.ts";
import { buildWheels } from "../support/interpreters.ts";
import { seeded } from "../support/venv-fixtures.ts";

const pip = (sb: Sandbox, ...args: string[]) => run(sb, ["pip", "--", ...args]);
const venv = (sb: Sandbox) => join(sb.pyctlHome, PY.key, "venv");
const freezeOf = (sb: Sandbox) => sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze", "--all"], sb).stdout;
const historyCount = (sb: Sandbox) =>
  readdirSync(join(sb.pyctlHome, PY.key, "history")).filter((f) => f.endsWith("_after.json")).length;
const names = (freeze: string) =>
  freeze
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("==")[0]!.toLowerCase());

describe("autoremove", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = makeSandbox();
    expect(run(sb, ["init", "--python", PY.exe]).code).toBe(0);
    const extra = buildWheels(sb, [{ name: "omega", version: "1.0", requires: ["zeta"] }]); // zeta <-> eta: a cycle
    expect(pip(sb, "install", "-q", "--find-links", extra, "omega", "gamma[fast]").code).toBe(0);
    expect(pip(sb, "install", "-q", "alpha").code).toBe(0); // named by the user: explicit from now on
  });

  test("with nothing orphaned it says so and records nothing", () => {
    const count = historyCount(sb);
    const r = run(sb, ["autoremove"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("nothing to remove");
    expect(historyCount(sb)).toBe(count);
  });

  test("--dry-run lists the orphans, cycles included, and changes nothing", () => {
    expect(pip(sb, "uninstall", "-q", "-y", "omega", "gamma").code).toBe(0);
    const before = freezeOf(sb);
    const count = historyCount(sb);
    const r = run(sb, ["autoremove", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("would remove 4 package(s)");
    const listed = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("  "))
      .map((l) => l.trim().split(" ")[0]);
    expect(listed.sort()).toEqual(["beta", "delta", "eta", "zeta"]);
    expect(freezeOf(sb)).toBe(before);
    expect(historyCount(sb)).toBe(count);
  });

  test("removes exactly the orphans, keeps explicit packages and pip, records kind autoremove", () => {
    const r = run(sb, ["autoremove"]);
    expect(r.code).toBe(0);
    expect(names(freezeOf(sb)).sort()).toEqual(["alpha", ...seeded()].sort());
    const history = JSON.parse(run(sb, ["history", "--json", "--limit", "1"]).stdout);
    expect(history[0]).toMatchObject({ kind: "autoremove", command: "pyctl autoremove", status: "ok" });
    expect(history[0].changes.removed.sort()).toEqual(["beta==2.0", "delta==1.5", "eta==1.0", "zeta==2.0"]);
    expect(run(sb, ["autoremove", "--dry-run"]).stdout).toContain("nothing to remove");
  });

  test.if(findCommand("undo") !== undefined)("undo brings the removed packages back", () => {
    const r = run(sb, ["undo"]);
    expect(r.code).toBe(0);
    expect(names(freezeOf(sb))).toEqual(expect.arrayContaining(["beta", "delta", "eta", "zeta"]));
  });
});

describe("autoremove killed with its process group at each phase", () => {
  let sb: Sandbox;
  let before: Record<string, string>;
  let after: Record<string, string>;
  beforeAll(() => {
    sb = makeSandbox();
    expect(run(sb, ["init", "--python", PY.exe]).code).toBe(0);
    expect(pip(sb, "install", "-q", "gamma[fast]", "alpha").code).toBe(0);
    expect(pip(sb, "uninstall", "-q", "-y", "gamma").code).toBe(0); // beta and delta are orphans now
    before = fileSet(venv(sb));
    expect(run(sb, ["autoremove"]).code).toBe(0);
    after = fileSet(venv(sb));
    expect(names(freezeOf(sb))).not.toContain("beta");
    expect(run(sb, ["undo"]).code).toBe(0);
    expect(fileSet(venv(sb))).toEqual(before);
  });

  for (const phase of ["staged", "applied", "fetched", "verified", "exchanged"]) {
    test(`SIGKILL at ${phase}: the venv's whole file set is the before-state or the after-state, never between`, async () => {
      const paused = await pausedInGroup(sb, ["autoremove"], phase);
      process.kill(-paused.pid, "SIGKILL");
      await paused.exited;
      const now = fileSet(venv(sb));
      expect(now).toEqual(phase === "exchanged" ? after : before);
      expect(sh([join(venv(sb), "bin", "alpha")], sb).stdout.trim()).toBe("alpha 2.0");
      expect(run(sb, ["history", "--json"]).code).toBe(0);
      // The next write clears what the killed one left (staging, or the replaced venv), and undo
      // of a killed autoremove that switched brings the before-state back.
      if (phase === "exchanged") expect(run(sb, ["undo"]).code).toBe(0);
      else expect(run(sb, ["pip", "--", "uninstall", "-y", "not-installed"]).code).toBe(0);
      expect(existsSync(join(sb.pyctlHome, PY.key, "venv.staging"))).toBe(false);
      const withoutBytecode = (files: Record<string, string>) =>
        Object.fromEntries(Object.entries(files).filter(([p]) => !bytecode(p.replace(/\/$/, ""))));
      expect(withoutBytecode(fileSet(venv(sb)))).toEqual(withoutBytecode(before));
    });
  }
});
