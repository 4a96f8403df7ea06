// Rebuild advice is a command that does what it says (issue 20): a non-default venv (e.g. py313) whose
// Python is gone is repaired for its own version, never "moved" by a rebuild of the default venv.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { literal, newerVersion, otherPyenvVersion, PY, run, sh, type Sandbox, targetOf } from "../support/env.ts";
import { copyPython, pyenvPython } from "../support/interpreters.ts";
import { titled } from "../support/skip.ts";
import { initSandbox, ok, pip, venv } from "../support/venv-fixtures.ts";

/** Another minor version than the Python under test's, as a pyenv build (copyPython copies those). */
const OTHER = otherPyenvVersion() ?? "none";
const other = pyenvPython(OTHER);
const needs = { "a pyenv build of another Python version": other !== undefined };
const otherVenv = (s: Sandbox) => targetOf(s, OTHER).venv;

const [goneRuns, GONE] = titled(`a Python ${OTHER} venv (not the default) whose Python is gone`, needs);
describe.if(goneRuns)(GONE, () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0"));
    // OTHER's venv made from a copy of its pyenv build, found on PATH; then the copy goes
    const copy = copyPython(OTHER, join(sb.dir, "python-copy"));
    const env = { PATH: `${join(copy, "..")}:${sb.env.PATH}` };
    ok(run(sb, ["pip", "--python", OTHER, "--", "install", "-q", "beta==1.0"], { env }));
    rmSync(join(sb.dir, "python-copy"), { recursive: true });
  });
  afterAll(() => sb?.cleanup());

  test(`with no other Python ${OTHER}: says what cannot be done, and never names the default's rebuild`, () => {
    for (const args of [
      ["explain-missing", "--python", OTHER],
      ["pip", "--python", OTHER, "--", "install", "gamma"],
    ]) {
      const r = run(sb, args);
      expect(r.code).toBe(1);
      expect(r.stderr).not.toContain(`--python ${PY.version}`);
      expect(r.stderr).toContain(`install Python ${OTHER} again`);
      expect(r.stderr).toContain(`\`pyctl rebuild --python ${OTHER}\``);
    }
  });

  test(`with another Python ${OTHER}: the advice rebuilds its venv with it, and following it works`, () => {
    sb.addPython(other!);
    const r = run(sb, ["explain-missing", "--python", OTHER]);
    expect(r.stderr).toContain(`run \`pyctl rebuild --python ${OTHER}\` to rebuild it with`);
    const beforeDefault = ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze"], sb)).stdout;
    ok(run(sb, ["rebuild", "--python", OTHER]));
    const frozen = ok(sh([join(otherVenv(sb), "bin", "python"), "-m", "pip", "freeze"], sb)).stdout;
    expect(frozen).toContain("beta==1.0");
    expect(ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze"], sb)).stdout).toBe(beforeDefault);
    expect(run(sb, ["explain-missing", "--python", OTHER])).toMatchObject({ code: 0, stderr: "" });
  });
});

/** The notice is about an upgrade: python3 moved to a newer minor version than the default venv's. */
const NEWER = newerVersion();
const newer = pyenvPython(NEWER);
const newerVenv = (s: Sandbox) => targetOf(s, NEWER).venv;
const [switchRuns, SWITCH] = titled(`python3 becomes Python ${NEWER} while a ${NEWER} venv already exists`, {
  [`a pyenv build of Python ${NEWER}`]: newer !== undefined,
});
describe.if(switchRuns)(SWITCH, () => {
  let sb: Sandbox;
  const notice = (s: Sandbox) => /^_pyctl_notice='(.*)'$/m.exec(ok(run(s, ["hook", "bash"])).stdout)?.[1] ?? "";
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0", "kappa==1.0"));
    sb.addPython(newer!);
    ok(run(sb, ["pip", "--python", NEWER, "--", "install", "-q", "epsilon==1.0"]));
    sb.addPython(newer!, "python3");
  });
  afterAll(() => sb?.cleanup());

  test("the notice's advice moves the default venv's packages there, keeping what it has", () => {
    const said = notice(sb);
    expect(said).toContain(`python3 is now Python ${NEWER}`);
    expect(said).not.toMatch(new RegExp(`run \`pyctl rebuild --python ${literal(NEWER)}\` to move them`));
    const commands = [...said.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((c) => !c.startsWith("pyctl rebuild"));
    expect(commands).toEqual([`pip${NEWER} install alpha kappa`, `pyctl config python.default ${NEWER}`]);
    // followed as written (pipX.Y is what the hook runs as `pyctl pip --python X.Y`)
    ok(run(sb, ["pip", "--python", NEWER, "--", "install", "-q", "alpha", "kappa"]));
    ok(run(sb, ["config", "python.default", NEWER]));
    const frozen = ok(sh([join(newerVenv(sb), "bin", "python"), "-m", "pip", "freeze"], sb)).stdout;
    for (const name of ["alpha==", "kappa==", "epsilon==1.0"]) expect(frozen).toContain(name);
    expect(notice(sb)).toBe("");
  });
});
