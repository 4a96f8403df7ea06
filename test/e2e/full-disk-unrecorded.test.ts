// An operation that ran but could not be recorded (the disk filled before its after-state was
// written) is told as such by history, diff and doctor, never as "pyctl was killed", and
// `doctor --fix` records how it really ended (issue 21 item 7). A small tmpfs holds PYCTL_HOME
// (mounting needs root, which CI is).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, rmSync } from "node:fs";
import { PY, run, type Sandbox } from "../support/env.ts";
import { historyDir, ok, pipFreeze, startPaused } from "../support/venv-fixtures.ts";
import { isRoot, titled } from "../support/skip.ts";
import { fillDiskTo, smallDiskSandbox, type SmallDisk } from "../support/small-disk.ts";

const [canRun, TITLE] = titled("an operation whose after-state did not fit on the disk", {
  "root (to mount a small tmpfs)": isRoot,
});

interface Check {
  id: string;
  ok: boolean;
  message: string;
}
const checks = (sb: Sandbox) =>
  Object.fromEntries(
    (JSON.parse(run(sb, ["doctor", "--json"]).stdout) as { checks: Check[] }).checks.map((c) => [c.id, c]),
  );
const newest = (sb: Sandbox) =>
  (JSON.parse(ok(run(sb, ["history", "--json"])).stdout) as Record<string, unknown>[])[0]!;

describe.if(canRun)(TITLE, () => {
  let disk: SmallDisk;
  let sb: Sandbox;
  let mount: string;
  beforeAll(() => {
    disk = smallDiskSandbox();
    ({ sb, mount } = disk);
  });
  afterAll(() => disk.close());

  test("history, diff and doctor say it ran and how it ended; doctor --fix records that", async () => {
    const paused = await startPaused(sb, ["pip", "--", "install", "-q", "alpha==1.0"], "acted");
    // pip has installed alpha; now the disk is full, then Ctrl-C ends the pause
    const filler = fillDiskTo(sb, mount, 0);
    process.kill(paused.pid, "SIGINT");
    const ended = await paused.finish();
    rmSync(filler);
    expect(ended.code).not.toBe(0);
    expect(ended.stderr).toContain("could not be recorded");
    expect(pipFreeze(sb)).toContain("alpha==1.0");

    expect(newest(sb)).toMatchObject({ status: "unrecorded", exit_code: 130 });
    expect(ok(run(sb, ["diff"])).stdout).toContain(
      "it ran (exit 130, interrupted) but its after-state could not be written",
    );
    const found = checks(sb);
    expect(found[`crashed:${PY.version}`]).toBeUndefined();
    expect(found[`unrecorded:${PY.version}`]!.message).toContain(
      "ran (exit 130, interrupted) but could not be recorded",
    );

    // undo does not call the operation's own changes "changed outside pyctl"
    const preview = run(sb, ["undo", "--dry-run"]);
    expect(preview.stderr).not.toContain("outside pyctl");
    expect(preview.stdout).toContain("- alpha 1.0");

    // (its exit code also counts the sandbox's shell set-up: not asserted)
    expect(run(sb, ["doctor", "--fix"]).stdout).toContain(
      `fixed    unrecorded:${PY.version}: recorded the after-state of #`,
    );
    expect(newest(sb)).toMatchObject({ status: "interrupted", exit_code: 130, changes: { added: ["alpha==1.0"] } });
    expect(readdirSync(historyDir(sb)).filter((f) => f.includes("unrecorded"))).toEqual([]);
    expect(checks(sb)[`unrecorded:${PY.version}`]).toBeUndefined();
    ok(run(sb, ["undo"]));
    expect(pipFreeze(sb)).not.toContain("alpha==");
  });
});
