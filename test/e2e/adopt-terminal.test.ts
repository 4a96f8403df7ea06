// `pyctl adopt` on a terminal asks before removing anything from the user site; `--keep` copies
// in and removes nothing; the notices of init and status name what can be adopted, in one line.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, PY, pyctlBin, run, type Sandbox, sh } from "../support/env.ts";
import { startPaused } from "../support/venv-fixtures.ts";

/** The Python under test, which also makes the user-site packages these tests find. */
const PYTHON = PY.exe;

describe.if(existsSync(PYTHON) && Bun.which("script") !== null)(
  "adopt on a terminal, --keep, and the init/status notice",
  () => {
    let sb: Sandbox;
    let site: string;
    const onTty = (args: string[], answer: string) =>
      sh(["script", "-qec", [pyctlBin(), ...args].join(" "), "/dev/null"], sb, { stdin: `${answer}\n` });
    const listed = () => readdirSync(site).sort();

    beforeAll(() => {
      sb = makeSandbox();
      site = join(sb.home, ".local", "lib", `python${PY.version}`, "site-packages");
      expect(
        sh([PYTHON, "-m", "pip", "install", "-q", "--user", "--break-system-packages", "beta==1.0"], sb).code,
      ).toBe(0);
    });
    afterAll(() => sb.cleanup());

    test("init and status say, in one line, what `pyctl adopt` can move", () => {
      const init = run(sb, ["init", "--python", PYTHON]);
      expect(init.code).toBe(0);
      const line =
        "2 package(s) from `pip install --user` in your user site (alpha 2.0, beta 1.0): `pyctl adopt` moves them into your venv (undoable)";
      expect(init.stdout.split("\n").filter((l) => l.includes("pyctl adopt"))).toEqual([`pyctl: ${line}`]);
      const status = run(sb, ["status"]);
      expect(status.stdout.split("\n").filter((l) => l.includes("pyctl adopt"))).toEqual([`adopt:     ${line}`]);
    });

    test("answering no changes nothing", () => {
      const before = listed();
      const r = onTty(["adopt"], "n");
      expect(r.stdout).toContain("+ beta 1.0 (explicit, scripts: beta)");
      expect(r.stdout).toContain("move them? [y/N]");
      expect(r.stdout).toContain("pyctl: nothing changed");
      expect(r.code).toBe(1);
      expect(listed()).toEqual(before);
      expect(
        existsSync(join(sb.pyctlHome, PY.key, "venv", "lib", `python${PY.version}`, "site-packages", "beta.py")),
      ).toBe(false);
    });

    test("--keep copies them in without asking and leaves the user site; undo takes them out of the venv again", () => {
      const before = listed();
      const r = run(sb, ["adopt", "--keep"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("the user site is left as it is (--keep)");
      expect(listed()).toEqual(before);
      const py = join(sb.pyctlHome, PY.key, "venv", "bin", "python");
      expect(
        sh([py, "-c", "import beta; print(beta.__file__)"], sb, { env: { PYTHONNOUSERSITE: "1" } }).stdout,
      ).toContain(`/${PY.key}/venv/`);
      expect(run(sb, ["undo"]).code).toBe(0);
      expect(listed()).toEqual(before);
      expect(sh([py, "-c", "import beta"], sb, { env: { PYTHONNOUSERSITE: "1" } }).code).not.toBe(0);
    });

    test("Ctrl-C before the switch: exit 130, the venv and the user site as they were", async () => {
      const before = listed();
      const venvSite = join(sb.pyctlHome, PY.key, "venv", "lib", `python${PY.version}`, "site-packages");
      const inVenv = readdirSync(venvSite).sort();
      const paused = await startPaused(sb, ["adopt", "--yes"], "applied");
      process.kill(paused.pid, "SIGINT");
      const r = await paused.finish();
      expect(r.code).toBe(130);
      expect(r.stderr).toContain("is unchanged, and nothing was removed from");
      expect(readdirSync(venvSite).sort()).toEqual(inVenv);
      expect(listed()).toEqual(before);
      expect(existsSync(join(sb.pyctlHome, PY.key, "venv.staging"))).toBe(false);
    });

    test("answering yes moves them and clears the user site", () => {
      const r = onTty(["adopt"], "y");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("moved 2 package(s)");
      expect(existsSync(site)).toBe(false);
      expect(existsSync(join(sb.home, ".local", "bin", "beta"))).toBe(false);
      expect(run(sb, ["status"]).stdout).not.toContain("pyctl adopt");
    });

    test("undo, then undo that undo: the venv has them again, the user site stays until adopt runs again", () => {
      expect(run(sb, ["undo"]).code).toBe(0);
      expect(existsSync(join(site, "beta.py"))).toBe(true);
      expect(run(sb, ["undo"]).code).toBe(0);
      expect(run(sb, ["list"]).stdout).toMatch(/beta\s+1\.0\s+explicit/);
      expect(existsSync(join(site, "beta.py"))).toBe(true);
      const again = run(sb, ["adopt", "--yes"]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("= beta 1.0: the venv has this version already");
      expect(again.stderr).toContain(`/${PY.key}/venv had them already`);
      expect(existsSync(site)).toBe(false);
    });
  },
);
