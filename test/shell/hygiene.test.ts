/**
 * The hook's shell hygiene, in real shells run as scripts: silent in strict modes and POSIX
 * mode, safe to load twice, statuses kept, and the tier chosen as pyctl chooses it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { probeInterpreter } from "../../src/core/python/interpreter.ts";
import { createVenv } from "../../src/core/python/create-venv.ts";
import { PY, run, type Sandbox, sh } from "../support/env.ts";
import { hookEnv, settleRenderedHooks, type HookEnv } from "./hook-env.ts";
import { isRoot, titled } from "../support/skip.ts";

let env: HookEnv;
let sb: Sandbox;
let venv: string;

beforeAll(() => {
  env = hookEnv();
  sb = env.sb;
  expect(run(sb, ["init"]).code).toBe(0);
  venv = join(sb.pyctlHome, PY.key, "venv");
});

afterAll(() => sb?.cleanup());

const BODY = [
  `python -c 'import sys; print(sys.prefix)'`,
  "pip --version",
  "python -m pip list --format=freeze >/dev/null",
  `python -c 'import sys; sys.exit(3)' || echo "status $?"`,
  `echo "$PATH"`,
];

function expectSilentRoutes(result: { code: number; stdout: string; stderr: string }): void {
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const [prefix, pip, status, path] = result.stdout.trim().split("\n");
  expect(prefix).toBe(venv);
  expect(pip).toContain(`${venv}/lib/python${PY.version}/site-packages/pip`);
  expect(status).toBe("status 3");
  const dirs = path!.split(":");
  expect(dirs[0]).toBe(`${venv}/bin`);
  expect(dirs.filter((d) => d === `${venv}/bin`)).toHaveLength(1);
}

describe("strict modes, loaded twice", () => {
  const load = `eval "$(pyctl hook SHELL)"; eval "$(pyctl hook SHELL)"`;

  test("bash --norc -euo pipefail", () => {
    const script = [load.replaceAll("SHELL", "bash"), `pip${PY.version} --version >/dev/null`, ...BODY].join("\n");
    expectSilentRoutes(sh(["bash", "--norc", "-euo", "pipefail", "-c", script], sb));
  });

  test("zsh -f -eu -o pipefail", () => {
    const script = [load.replaceAll("SHELL", "zsh"), `pip${PY.version} --version >/dev/null`, ...BODY].join("\n");
    expectSilentRoutes(sh(["zsh", "-f", "-eu", "-o", "pipefail", "-c", script], sb));
  });

  test("fish --no-config", () => {
    const script = [
      "pyctl hook fish | source",
      "pyctl hook fish | source",
      `pip${PY.version} --version >/dev/null`,
      ...BODY.slice(0, 3),
      `python -c 'import sys; sys.exit(3)'; or echo "status $status"`,
      "string join : -- $PATH",
    ].join("\n");
    expectSilentRoutes(sh(["fish", "--no-config", "-c", script], sb));
  });

  test("bash in POSIX mode and bash as sh: no dotted names, the rest works", () => {
    const shDir = join(sb.dir, "as-sh");
    mkdirSync(shDir);
    symlinkSync("/bin/bash", join(shDir, "sh"));
    const script = [
      load.replaceAll("SHELL", "bash"),
      "set -eu",
      `if [ "$(type -t pip${PY.version})" = function ]; then echo dotted; fi`,
      ...BODY,
    ].join("\n");
    expectSilentRoutes(sh(["bash", "--posix", "-c", script], sb));
    expectSilentRoutes(sh([join(shDir, "sh"), "-c", script], sb));
  });

  test("aliases defined before the hook neither break nor take over its functions", () => {
    const script = (shell: string) =>
      [
        "alias python=python3",
        "alias pip='pip --no-color'",
        `eval "$(pyctl hook ${shell})"`,
        `\\python -c 'import sys; print(sys.prefix)'`,
        "\\pip --version",
      ].join("\n");
    for (const [shell, ...flags] of [
      ["bash", "--norc", "-O", "expand_aliases"],
      ["zsh", "-f"],
    ] as const) {
      // Aliases apply from the next line read: the script is read line by line from stdin.
      const result = sh([shell, ...flags, "-s"], sb, { stdin: script(shell) });
      expect(result.stderr).toBe("");
      const [prefix, pip] = result.stdout.trim().split("\n");
      expect(prefix).toBe(venv);
      expect(pip).toContain(venv);
    }
  });

  test("fish: aliases (functions) defined before the rendered hook give way to its pip and python", () => {
    // The hook's helpers are autoloaded there, but pip and python themselves are defined at start.
    expect(sh(["fish", "-c", "pyctl hook fish >/dev/null"], sb).code).toBe(0);
    settleRenderedHooks(sb);
    const cached = join(sb.env.XDG_CACHE_HOME!, "pyctl", "hook.fish");
    const script = [
      "alias python python3",
      "alias pip 'pip --no-color'",
      `source ${cached}; or exit 9`,
      ...BODY.slice(0, 2),
    ].join("\n");
    const result = sh(["fish", "--no-config", "-c", script], sb);
    expect(result.stderr).toBe("");
    const [prefix, pip] = result.stdout.trim().split("\n");
    expect(prefix).toBe(venv);
    expect(pip).toContain(venv);
  });
});

describe("the rendered copy the rc block sources, under set -u, with an empty PATH entry", () => {
  // An empty entry (the current folder) must stay, and not be taken for an anchor.
  const path = () => `${sb.env.PATH}::/nonexistent`;

  test.each([
    ["bash", ["--norc", "-u", "-o", "pipefail"]],
    ["bash", ["--posix"]],
    ["zsh", ["-f", "-eu"]],
    ["fish", ["--no-config"]],
  ] as const)("%s %p: loaded by the block's check twice, then eval'd on top", (shell, flags) => {
    // Rendered from that shell, as the rc block does (fish turns an empty entry into ".").
    expect(sh([shell, "-c", `pyctl hook ${shell} >/dev/null`], sb, { env: { PATH: path() } }).code).toBe(0);
    settleRenderedHooks(sb);
    const cached = join(sb.env.XDG_CACHE_HOME!, "pyctl", `hook.${shell}`);
    const load =
      shell === "fish"
        ? `source ${cached}; or exit 9\nsource ${cached}; or exit 9\npyctl hook fish | source`
        : `. ${cached} || exit 9\n. ${cached} || exit 9\neval "$(pyctl hook ${shell})"`;
    const body =
      shell === "fish"
        ? [
            ...BODY.slice(0, 3),
            `python -c 'import sys; sys.exit(3)'; or echo "status $status"`,
            "string join : -- $PATH",
          ]
        : BODY;
    const result = sh([shell, ...flags, "-c", [load, ...body].join("\n")], sb, { env: { PATH: path() } });
    expectSilentRoutes(result);
    const dirs = result.stdout.trim().split("\n").at(-1)!.split(":");
    expect(dirs.slice(-2)).toEqual([shell === "fish" ? "." : "", "/nonexistent"]);
  });
});

describe("which venv", () => {
  const [asRoot, title] = titled("root goes to the system tier once it is set up; PYCTL_TIER=user overrides", {
    root: isRoot,
  });
  test.if(asRoot)(title, () => {
    const system = join(sb.dir, "system-tier");
    mkdirSync(join(system, PY.key), { recursive: true });
    writeFileSync(join(system, "config.toml"), `[python]\ndefault = "${PY.version}"\n`);
    createVenv(probeInterpreter(PY.exe), join(system, PY.key, "venv"), join(sb.env.XDG_CACHE_HOME!, "pyctl", "seeds"));
    const prefix = `python -c 'import sys; print(sys.prefix)'`;
    for (const [shell, ...flags] of [
      ["bash", "--norc"],
      ["zsh", "-f"],
      ["fish", "--no-config"],
    ] as const) {
      const load = shell === "fish" ? "pyctl hook fish | source" : `eval "$(pyctl hook ${shell})"`;
      const asRoot = sh([shell, ...flags, "-c", `${load}\n${prefix}`], sb, {
        env: { PYCTL_TIER: undefined, PYCTL_SYSTEM_HOME: system },
      });
      expect(asRoot.stdout.trim()).toBe(join(system, PY.key, "venv"));
      const asUser = sh([shell, ...flags, "-c", `${load}\n${prefix}`], sb, { env: { PYCTL_SYSTEM_HOME: system } });
      expect(asUser.stdout.trim()).toBe(venv);
    }
  });

  test("pyctl's own venv, activated, is no project venv: writes still go through pyctl", () => {
    const before = env.calls().length;
    for (const shell of ["bash", "zsh", "fish"] as const) {
      const source = shell === "fish" ? "source" : ".";
      const result = sh([shell, "-c", `${source} ${env.hookFile(shell)}\npip install --no-index no-such-package`], sb, {
        env: { VIRTUAL_ENV: venv },
      });
      expect(result.code).toBe(1);
    }
    expect(env.calls().length).toBe(before + 3);
  });
});
