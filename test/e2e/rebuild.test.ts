// `pyctl rebuild` with real interpreters: a copied pyenv build is made the venv's base, then removed or replaced.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, run, sh, type Sandbox } from "../support/env.ts";
import { buildWheels, copyPython, pyenvPython } from "../support/interpreters.ts";

const pip = (sb: Sandbox, ...args: string[]) => run(sb, ["pip", "--", ...args]);
const venvOf = (sb: Sandbox, key = "py311") => join(sb.pyctlHome, key, "venv");
const freezeOf = (sb: Sandbox, key = "py311") => sh([join(venvOf(sb, key), "bin", "python"), "-m", "pip", "freeze"], sb).stdout;
const config = (sb: Sandbox, key: string) => run(sb, ["config", key]).stdout.trim();
const lastEntry = (sb: Sandbox, ...python: string[]) => JSON.parse(run(sb, ["history", "--json", "--limit", "1", ...python]).stdout)[0];

describe.if(pyenvPython("3.11") !== undefined)("rebuild after the base interpreter is removed", () => {
  let sb: Sandbox;
  let base: string;
  beforeAll(() => {
    sb = makeSandbox();
    base = copyPython("3.11", join(sb.dir, "python-3.11"));
    expect(run(sb, ["init", "--python", base]).code).toBe(0);
    const extra = buildWheels(sb, [
      { name: "lonely", version: "1.0" },
      { name: "zeta", version: "3.0", requires: ["eta"] },
    ]);
    expect(pip(sb, "install", "-q", "alpha==1.1", "gamma[fast]").code).toBe(0);
    expect(pip(sb, "install", "-q", "--find-links", extra, "lonely", "zeta==3.0").code).toBe(0);
  });

  test("--dry-run shows the plan and changes nothing", () => {
    const before = freezeOf(sb);
    const r = run(sb, ["rebuild", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`rebuild ${venvOf(sb)} (Python 3.11.7, working)`);
    expect(r.stdout).toContain("with Python 3.11.2 (/usr/bin/python3.11)");
    expect(r.stdout).toMatch(/reinstall 4 package\(s\): alpha==1\.1, gamma\[fast\]==1\.0, lonely==1\.0, zeta==3\.0/);
    expect(freezeOf(sb)).toBe(before);
  });

  test("while the old venv still works, a package that cannot be reinstalled keeps it unchanged", () => {
    const before = freezeOf(sb);
    const r = run(sb, ["rebuild"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("could not reinstall lonely");
    expect(r.stderr).toContain("still works, so it was kept unchanged");
    expect(freezeOf(sb)).toBe(before);
    expect(readFileSync(join(venvOf(sb), "pyvenv.cfg"), "utf8")).toContain("3.11.7");
    expect(existsSync(join(sb.pyctlHome, "py311", "venv.staging"))).toBe(false);
  });

  test("with the interpreter gone, it rebuilds on another 3.11, pinned where it can, and lists what it could not", () => {
    rmSync(join(sb.dir, "python-3.11"), { recursive: true, force: true });
    expect(existsSync(join(venvOf(sb), "bin", "python"))).toBe(false); // a dangling symlink now
    const r = run(sb, ["rebuild"]);
    expect(r.code).toBe(1); // lonely is on no index
    expect(r.stdout).toContain("reinstalled alpha==1.1\nreinstalled gamma[fast]==1.0\n");
    expect(r.stdout).toContain("reinstalled zeta (its old version is not on the index any more)");
    expect(r.stderr).toMatch(/could not reinstall lonely: .*lonely/);
    expect(r.stdout).toContain(`rebuilt ${venvOf(sb)} for Python 3.11.2`);

    expect(readFileSync(join(venvOf(sb), "pyvenv.cfg"), "utf8")).toContain("3.11.2");
    expect(sh([join(venvOf(sb), "bin", "python"), "-c", "import alpha, beta, gamma, delta, zeta, eta"], sb).code).toBe(0);
    const script = sh([join(venvOf(sb), "bin", "alpha")], sb);
    expect(script.stdout.trim()).toBe("alpha 1.1");
    expect(readFileSync(join(venvOf(sb), "bin", "alpha"), "utf8").split("\n")[0]).toBe(`#!${venvOf(sb)}/bin/python`);
    expect(existsSync(join(sb.pyctlHome, "py311", "venv.staging"))).toBe(false);

    const types = Object.fromEntries(JSON.parse(run(sb, ["list", "--json"]).stdout).map((p: { name: string; type: string }) => [p.name, p.type]));
    expect(types).toMatchObject({ alpha: "explicit", gamma: "explicit", zeta: "explicit", beta: "dependency", delta: "dependency", eta: "dependency" });
    expect(config(sb, "python.interpreter")).toBe("/usr/bin/python3.11");
    expect(lastEntry(sb)).toMatchObject({ kind: "rebuild", exit_code: 1 });
  });

  test("bytecode names the final venv, not the staging folder", () => {
    const code = "import alpha, sys; print(alpha.__spec__.cached); print(open(alpha.__spec__.cached, 'rb').read().find(b'venv.staging'))";
    const r = sh([join(venvOf(sb), "bin", "python"), "-c", code], sb);
    expect(r.stdout.split("\n")[1]).toBe("-1");
  });
});

describe.if(pyenvPython("3.11") !== undefined && pyenvPython("3.12") !== undefined)("rebuild after a minor upgrade (3.11 replaced by 3.12)", () => {
  test("the venv moves to py312, the default follows, the dead py311 venv goes, its history stays", () => {
    const sb = makeSandbox();
    const dir = join(sb.dir, "python");
    expect(run(sb, ["init", "--python", copyPython("3.11", dir)]).code).toBe(0);
    expect(pip(sb, "install", "-q", "beta==1.0", "Mixed_Case.Name").code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
    const python312 = copyPython("3.12", dir);

    const r = run(sb, ["rebuild", "--python", python312]);
    expect(r.stderr).not.toContain("could not");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("default Python is now 3.12");
    expect(freezeOf(sb, "py312").split("\n").filter(Boolean).sort()).toEqual(["Mixed_Case.Name==1.0", "alpha==2.0", "beta==1.0"]);
    expect(config(sb, "python.default")).toBe("3.12");
    expect(config(sb, "python.interpreter")).toBe(python312);
    expect(existsSync(venvOf(sb, "py311"))).toBe(false);
    expect(readdirSync(join(sb.pyctlHome, "py311", "history"))).toContain("001_after.json");
    expect(lastEntry(sb)).toMatchObject({ kind: "rebuild", exit_code: 0 });
    expect(pip(sb, "install", "-q", "delta").code).toBe(0); // plain pip now goes to the 3.12 venv
    expect(freezeOf(sb, "py312")).toContain("delta==1.5");
  });
});
