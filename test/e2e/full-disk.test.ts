// A full disk (issue 9, "Also found"): one `pyctl:` line, no temp files, no entry for an install
// that changed nothing, and for one that did an entry (incomplete if its after-state could not
// be written) that one `pyctl undo` reverts; the next write works once there is space. A small tmpfs holds PYCTL_HOME and the seed cache
// (mounting needs root, which CI is).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PY, type Result, run, type Sandbox } from "../support/env.ts";
import { historyFiles, ok, pip, pipFreeze } from "../support/venv-fixtures.ts";
import { isRoot, titled } from "../support/skip.ts";
import { fillDiskTo, smallDiskSandbox, type SmallDisk } from "../support/small-disk.ts";

const [canRun, TITLE] = titled("a full disk", { "root (to mount a small tmpfs)": isRoot });

function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) =>
    /\.\d+(\.\d+)?\.tmp$|venv\.new\./.test(f),
  );
}

function expectOneLine(r: Result): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain("internal error");
  const own = r.stderr.split("\n").filter((l) => l.startsWith("pyctl:"));
  expect(own.length).toBeLessThanOrEqual(1);
  if (r.code !== 0 && own.length) expect(own[0]).toMatch(/no space left on the device/);
}

describe.if(canRun)(TITLE, () => {
  let disk: SmallDisk;
  let sb: Sandbox;
  let mount: string;
  beforeAll(() => {
    disk = smallDiskSandbox();
    ({ sb, mount } = disk);
  });
  afterAll(() => disk.close());

  test.each([0, 4096, 16384, 65536, 262144])(
    "with %p bytes free, an install says so in one line and leaves no trace",
    (free) => {
      const earlier = new Set(historyFiles(sb));
      const freezeBefore = pipFreeze(sb);
      const filler = fillDiskTo(sb, mount, free);
      const r = pip(sb, "install", "-q", `filler0${String(free % 97).padStart(2, "0")}`);
      rmSync(filler);
      expectOneLine(r);
      expect(tempFiles(mount)).toEqual([]);
      // Either nothing changed and nothing was recorded, or what pip did is recorded (complete, or
      // incomplete when its after-state could not be written) and one undo takes it back.
      const added = historyFiles(sb).filter((f) => !earlier.has(f));
      if (added.length === 0) expect(pipFreeze(sb)).toBe(freezeBefore);
      else {
        expect(added.filter((f) => f.endsWith("_before.json"))).toHaveLength(1);
        ok(run(sb, ["undo"]));
        expect(pipFreeze(sb)).toBe(freezeBefore);
      }
      expect(existsSync(join(sb.pyctlHome, PY.key, "venv.staging"))).toBe(false);
      // with space again, the next write works and is recorded
      ok(pip(sb, "install", "-q", "alpha==1.0"));
      expect(pipFreeze(sb)).toContain("alpha==1.0");
      ok(pip(sb, "uninstall", "-q", "-y", "alpha"));
    },
  );
});
