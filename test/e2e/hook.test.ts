/** `pyctl hook SHELL`: the rendered functions, the facts baked into them, and its errors. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, pyctlBin, pythons, run, sh, type Sandbox } from "../support/env.ts";

// The preload's default timeout reaches only the first file of a run (Bun 1.4.5): set it here too.
setDefaultTimeout(120_000);

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
    expect(bin).toEndWith(`'${pyctlBin()}'`);
    expect(result.stdout).toContain("3.11=/usr/bin/python3.11");
  });

  test("names pyctl by the path it was run as, when that leads to the same program", () => {
    // The sandbox PATH starts with a folder holding a `pyctl` symlink to the compiled binary.
    const result = sh(["bash", "-c", "pyctl hook bash"], sb);
    expect(line(result.stdout, "_pyctl_bin=")).toBe(`_pyctl_bin='${join(sb.env.PATH!.split(":")[0]!, "pyctl")}'`);
  });

  test("an unknown or missing shell is a usage error naming the three", () => {
    expect(run(sb, ["hook", "tcsh"])).toMatchObject({ code: 2, stderr: 'pyctl: unknown shell "tcsh": pyctl hook takes bash, zsh, fish\n' });
    expect(run(sb, ["hook"]).code).toBe(2);
  });

  test("default version from config.toml, else python3's; a broken config does not break shells", () => {
    mkdirSync(sb.pyctlHome, { recursive: true });
    const config = join(sb.pyctlHome, "config.toml");
    writeFileSync(config, `[python]\ndefault = "3.12"\n`);
    expect(line(run(sb, ["hook", "bash"]).stdout, "_pyctl_default=")).toBe("_pyctl_default='3.12'");
    writeFileSync(config, "[python\n");
    const broken = run(sb, ["hook", "bash"]);
    expect(broken).toMatchObject({ code: 0, stderr: "" });
    expect(line(broken.stdout, "_pyctl_default=")).toBe("_pyctl_default='3.11'");
    writeFileSync(config, "");
  });

  test("versions come from PATH, pyenv, and venvs left in the tier", () => {
    const pyenv = [...pythons().byVersion.entries()].find(([v, exe]) => v !== "3.11" && exe.includes("/.pyenv/"));
    mkdirSync(join(sb.pyctlHome, "py35", "venv"), { recursive: true });
    const env = pyenv ? { PYENV_ROOT: pyenv[1].replace(/\/versions\/.*$/, "") } : {};
    const facts = line(run(sb, ["hook", "bash"], { env }).stdout, "_pyctl_pythons=")!;
    const entries = facts.slice("_pyctl_pythons='".length, -1).split(":");
    expect(entries).toContain("3.11=/usr/bin/python3.11");
    if (pyenv) expect(entries.some((e) => e.startsWith(`${pyenv[0]}=${env.PYENV_ROOT}/versions/`))).toBe(true);
    expect(entries).toContain("3.5=");
  });

  test("pyctl status sees the hook in the shell that loaded it, not in a child shell", () => {
    const status = (script: string) => JSON.parse(sh(["bash", "--norc", "-c", script], sb).stdout).hook;
    expect(status(`eval "$(pyctl hook bash)"; pyctl status --json; true`)).toEqual({ active: true, shell: "bash" });
    expect(status(`eval "$(pyctl hook bash)"; bash --norc -c 'pyctl status --json; true'; true`)).toEqual({ active: false, shell: null });
    expect(status("pyctl status --json; true")).toEqual({ active: false, shell: null });
  });

  test("the rendering is cached, and a new Python or a changed config renders it anew", () => {
    const cacheDir = join(sb.env.XDG_CACHE_HOME!, "pyctl");
    const first = run(sb, ["hook", "bash"]).stdout;
    const cached = readdirSync(cacheDir).filter((f) => f.startsWith("hook-") && f.endsWith(".bash"));
    expect(cached).toHaveLength(1);
    writeFileSync(join(cacheDir, cached[0]!), `${first}# served from the cache\n`);
    expect(run(sb, ["hook", "bash"]).stdout).toEndWith("# served from the cache\n");
    writeFileSync(join(sb.bin, "python3.19"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const fresh = run(sb, ["hook", "bash"]).stdout;
    expect(fresh).not.toContain("# served from the cache");
    expect(line(fresh, "_pyctl_pythons=")).toContain(`3.19=${join(sb.bin, "python3.19")}`);
    writeFileSync(join(sb.pyctlHome, "config.toml"), `[python]\ndefault = "3.19"\n`);
    expect(line(run(sb, ["hook", "bash"]).stdout, "_pyctl_default=")).toBe("_pyctl_default='3.19'");
    rmSync(join(sb.bin, "python3.19"));
    writeFileSync(join(sb.pyctlHome, "config.toml"), "");
  });
});
