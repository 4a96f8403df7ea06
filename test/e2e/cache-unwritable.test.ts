// A cache folder that is not the user's (issue 21, item 4): `sudo` left ~/.cache root's. pyctl
// keeps only caches there, so init, pip install and clean run without it and say so once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeSandbox, othersCanRun, PY, pyctlBin, sh, type Result, type Sandbox } from "../support/env.ts";
import { asRealUser, USER_TOOLS } from "../support/skip.ts";

const { useradd: USERADD, userdel: USERDEL, runuser: RUNUSER } = USER_TOOLS;
const [canRun, TITLE] = asRealUser("~/.cache owned by root", othersCanRun(PY.real));

describe.if(canRun)(TITLE, () => {
  let sb: Sandbox;
  let base: string;
  let home: string;
  let pyctl: string;
  const user = `pyctl-c${process.pid}`;
  let uid = 0;

  const asUser = (...args: string[]): Result => {
    const env = {
      HOME: home,
      USER: user,
      LANG: "C.UTF-8",
      PATH: "/usr/bin:/bin",
      NO_COLOR: "1",
      PYCTL_TIER: "user",
      PIP_CONFIG_FILE: "/dev/null",
      PIP_INDEX_URL: sb.env.PIP_INDEX_URL!,
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
    };
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    // env by its path: runuser searches the sandbox PATH, which is in root's own (0700) run dir
    return sh([RUNUSER!, "-u", user, "--", "/usr/bin/env", "-i", ...vars, pyctl, ...args], sb, { cwd: home });
  };

  beforeAll(() => {
    sb = makeSandbox();
    base = mkdtempSync(join(tmpdir(), "pyctl-cache-"));
    chmodSync(base, 0o755);
    home = join(base, "home");
    mkdirSync(join(home, ".cache"), { recursive: true }); // root's, 0755: what `sudo pip …` leaves
    pyctl = join(base, "pyctl");
    copyFileSync(pyctlBin(), pyctl);
    chmodSync(pyctl, 0o755);
    expect(sh([USERADD!, "--no-create-home", "--home-dir", home, "--shell", "/bin/bash", user], sb).code).toBe(0);
    uid = Number(sh(["id", "-u", user], sb).stdout.trim());
    chownSync(home, uid, uid);
  });

  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
    if (uid) sh([USERDEL!, user], sb);
  });

  const notice = (r: Result) => r.stderr.split("\n").filter((l) => l.includes("ran without pyctl's cache"));

  test.each([
    [["init", "--python", PY.real]],
    [["pip", "--", "install", "-q", "alpha==1.0"]],
    [["clean", "--yes"]],
    [["undo"]],
  ])("%p works and says once that it ran without the cache", (args: string[]) => {
    const r = asUser(...args);
    expect(`${r.code} ${r.stderr}`).toBe(`0 ${r.stderr}`);
    expect(r.stderr).not.toMatch(/internal error|permission denied/);
    expect(notice(r).length).toBeLessThanOrEqual(1);
    // Only init and clean make a venv, and so need the cache (its seeds).
    if (args[0] === "init" || args[0] === "clean")
      expect(notice(r)).toEqual([
        `pyctl: ${join(home, ".cache", "pyctl", "seeds")} is not writable (not yours?): ran without pyctl's cache`,
      ]);
    expect(existsSync(join(home, ".cache", "pyctl"))).toBe(false);
  });

  test("the venv holds what was installed before the clean", () => {
    const freeze = sh(
      [join(home, ".local", "python-packages", PY.key, "venv", "bin", "python"), "-m", "pip", "freeze"],
      sb,
    );
    expect(freeze.stdout).toContain("alpha==1.0");
  });
});
