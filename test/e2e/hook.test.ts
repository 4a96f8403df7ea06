/** `pyctl hook SHELL`: the rendered functions, the facts baked into them, and its errors. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { quoteFish } from "../../src/shell/hook.ts";
import { makeSandbox, newerVersion, PY, pyctlBin, pythons, run, type Sandbox, sh } from "../support/env.ts";

let sb: Sandbox;
beforeAll(() => (sb = makeSandbox()));
afterAll(() => sb?.cleanup());

function line(text: string, prefix: string): string | undefined {
  return text.split("\n").find((l) => l.startsWith(prefix));
}

describe("pyctl hook", () => {
  test.each(["bash", "zsh", "fish"])("%s: the template with pyctl's path and this machine's Pythons", (shell) => {
    const result = run(sb, ["hook", shell]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toStartWith(`# pyctl hook for ${shell}, printed by \`pyctl hook ${shell}\``);
    expect(result.stdout).not.toContain("@PYCTL@");
    const bin = shell === "fish" ? line(result.stdout, "set -g _pyctl_bin ") : line(result.stdout, "_pyctl_bin=");
    expect(bin).toEndWith(shell === "fish" ? quoteFish(pyctlBin()) : `'${pyctlBin()}'`);
    expect(result.stdout).toContain(`${PY.version}=${PY.exe}`);
  });

  test("names pyctl by the path it was run as, when that leads to the same program", () => {
    // The sandbox PATH starts with a folder holding a `pyctl` symlink to the compiled binary.
    const result = sh(["bash", "-c", "pyctl hook bash"], sb);
    expect(line(result.stdout, "_pyctl_bin=")).toBe(`_pyctl_bin='${join(sb.env.PATH!.split(":")[0]!, "pyctl")}'`);
  });

  test("an unknown or missing shell is a usage error naming the three", () => {
    expect(run(sb, ["hook", "tcsh"])).toMatchObject({
      code: 2,
      stderr: 'pyctl: unknown shell "tcsh": pyctl hook takes bash, zsh, fish\n',
    });
    expect(run(sb, ["hook"]).code).toBe(2);
  });

  test("default version from config.toml, else python3's; a broken config does not break shells", () => {
    mkdirSync(sb.pyctlHome, { recursive: true });
    const config = join(sb.pyctlHome, "config.toml");
    writeFileSync(config, `[python]\ndefault = "${newerVersion()}"\n`); // not python3's, so the config's shows
    expect(line(run(sb, ["hook", "bash"]).stdout, "_pyctl_default=")).toBe(`_pyctl_default='${newerVersion()}'`);
    writeFileSync(config, "[python\n");
    const broken = run(sb, ["hook", "bash"]);
    expect(broken).toMatchObject({ code: 0, stderr: "" });
    expect(line(broken.stdout, "_pyctl_default=")).toBe(`_pyctl_default='${PY.version}'`);
    writeFileSync(config, "");
  });

  test("versions come from PATH, pyenv, and venvs left in the tier", () => {
    const pyenv = [...pythons().byVersion.entries()].find(([v, exe]) => v !== PY.version && exe.includes("/.pyenv/"));
    mkdirSync(join(sb.pyctlHome, "py35", "venv"), { recursive: true });
    const env = pyenv ? { PYENV_ROOT: pyenv[1].replace(/\/versions\/.*$/, "") } : {};
    const facts = line(run(sb, ["hook", "bash"], { env }).stdout, "_pyctl_pythons=")!;
    const entries = facts.slice("_pyctl_pythons='".length, -1).split(":");
    expect(entries).toContain(`${PY.version}=${PY.exe}`);
    if (pyenv) expect(entries.some((e) => e.startsWith(`${pyenv[0]}=${env.PYENV_ROOT}/versions/`))).toBe(true);
    expect(entries).toContain("3.5=");
  });

  test("pyctl status sees the hook in the shell that loaded it, not in a child shell", () => {
    const status = (script: string) => JSON.parse(sh(["bash", "--norc", "-c", script], sb).stdout).hook;
    expect(status(`eval "$(pyctl hook bash)"; pyctl status --json; true`)).toEqual({ active: true, shell: "bash" });
    expect(status(`eval "$(pyctl hook bash)"; bash --norc -c 'pyctl status --json; true'; true`)).toEqual({
      active: false,
      shell: null,
    });
    expect(status("pyctl status --json; true")).toEqual({ active: false, shell: null });
  });

  test("each rendering also writes the copy the rc block sources, with the same functions", () => {
    const printed = run(sb, ["hook", "zsh"]).stdout;
    const cached = readFileSync(join(sb.env.XDG_CACHE_HOME!, "pyctl", "hook.zsh"), "utf8");
    const body = printed.slice(printed.indexOf("export PYCTL_HOOK_PID"));
    expect(cached).toContain(body);
    expect(cached).toContain("    return 1\n");
  });
});
