// The venv a transaction replaces is renamed to `venv.trash.<pid>` and deleted by a detached
// `rm -rf`, so the user does not wait for it. That rm must outlive what ends pyctl's job: a
// Ctrl-C or a closed terminal signals the whole process group, and an rm stopped halfway leaves
// a copy of the old venv behind. What is left anyway (SIGKILL of the machine) doctor reports and
// `doctor --fix` removes.
import { beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pyctlBin, type Sandbox } from "../support/env.ts";
import { initSandbox, ok, pip, versionDir } from "../support/venv-fixtures.ts";

const trashes = (sb: Sandbox) => readdirSync(versionDir(sb)).filter((n) => n.startsWith("venv.trash."));

describe("the replaced venv's detached rm", () => {
  let sb: Sandbox;
  let shims: string;
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha"));
    // An rm that takes its time, so that the signal below reaches it while it runs.
    shims = join(sb.dir, "slow-rm");
    mkdirSync(shims);
    writeFileSync(join(shims, "rm"), '#!/bin/sh\nsleep 2\nexec /bin/rm "$@"\n');
    chmodSync(join(shims, "rm"), 0o755);
  });

  test.each(["SIGHUP", "SIGINT", "SIGKILL"] as const)(
    "%s to pyctl's process group right after it ends: the old venv is still deleted",
    async (signal) => {
      expect(trashes(sb)).toEqual([]);
      // pyctl as a terminal's foreground job: a process group of its own
      const child = Bun.spawn(["setsid", pyctlBin(), "undo"], {
        env: { ...sb.env, PATH: `${shims}:${sb.env.PATH}` },
        cwd: sb.home,
        stdio: ["ignore", "ignore", "ignore"],
      });
      expect(await child.exited).toBe(0);
      expect(trashes(sb).length).toBe(1); // renamed aside; the slow rm has not deleted it yet
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* nothing left in the group: the rm is not in it */
      }
      for (let i = 0; i < 300 && trashes(sb).length; i++) await Bun.sleep(50);
      expect(trashes(sb)).toEqual([]);
      expect(existsSync(join(versionDir(sb), "venv", "bin", "python"))).toBe(true);
    },
  );
});
