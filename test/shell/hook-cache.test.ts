/**
 * The rendered hook the rc block sources: a shell start runs no pyctl while nothing changed,
 * and a new Python, a new venv, a config change, a pyctl upgrade, another environment or a new
 * PATH is seen at the next start. "pyctl ran" is told by the cached file being replaced
 * (`pyctl hook` writes a new file, so a new inode); each shell is a real interactive one
 * reading the rc files `pyctl setup-shell` wrote in a temp HOME. fish's cached hook leaves the
 * functions behind pip and python to fish's autoloading, from a folder rendered beside it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fishFunctionFiles } from "../../src/shell/hook.ts";
import { PY, run, runDir, type Sandbox, sh } from "../support/env.ts";
import { makeSandbox } from "../support/env.ts";
import { settleRenderedHooks } from "./hook-env.ts";

type ShellName = "bash" | "zsh" | "fish";
let sb: Sandbox;

const cacheFile = (shell: ShellName) => join(sb.env.XDG_CACHE_HOME!, "pyctl", `hook.${shell}`);
const inode = (shell: ShellName) => statSync(cacheFile(shell), { throwIfNoEntry: false })?.ino;

/** An interactive shell reading its rc files; prints what `script` prints. */
function start(shell: ShellName, script: string, env: Record<string, string | undefined> = {}): string {
  const result = sh([shell, "-i", "-c", script], sb, { env: { XDG_DATA_HOME: join(sb.dir, "data"), ...env } });
  expect(result.stderr).not.toContain("pyctl:");
  return result.stdout;
}

const settle = () => settleRenderedHooks(sb);

const PROBE: Record<ShellName, string> = {
  bash: `type -t pip; echo "$_pyctl_default $_pyctl_pythons"`,
  zsh: `whence -w pip; echo "$_pyctl_default $_pyctl_pythons"`,
  fish: `functions -q pip; and echo "pip: function"; echo "$_pyctl_default $_pyctl_pythons"`,
};

beforeAll(() => {
  sb = makeSandbox();
  mkdirSync(join(sb.dir, "data", "fish", "generated_completions"), { recursive: true });
  expect(run(sb, ["init"]).code).toBe(0);
  expect(run(sb, ["setup-shell"]).code).toBe(0);
});
afterAll(() => sb?.cleanup());

describe.each(["bash", "zsh", "fish"] as ShellName[])("%s", (shell) => {
  test("the first start renders the hook; later ones source it and start no pyctl", () => {
    expect(start(shell, PROBE[shell])).toMatch(/function/);
    settle();
    const rendered = inode(shell);
    expect(rendered).toBeDefined();
    for (let i = 0; i < 2; i++) {
      const out = start(shell, PROBE[shell]);
      expect(out).toMatch(/function/);
      expect(out).toContain(`${PY.version} `);
    }
    expect(inode(shell)).toBe(rendered);
  });

  test("a new Python on PATH, a new venv, config.toml or pyctl itself changing: rendered anew at the next start", () => {
    // Each shell's own names: the three run one after the other in one sandbox.
    const minor = { bash: 19, zsh: 18, fish: 17 }[shell];
    const changes: [string, () => void, RegExp][] = [
      [
        "a new Python",
        () => writeFileSync(join(sb.bin, `python3.${minor}`), "#!/bin/sh\n", { mode: 0o755 }),
        new RegExp(`3\\.${minor}=`),
      ],
      [
        "a new venv",
        () => mkdirSync(join(sb.pyctlHome, `py3${minor + 80}`, "venv"), { recursive: true }),
        new RegExp(`3\\.${minor + 80}=`),
      ],
      [
        "config.toml",
        () => writeFileSync(join(sb.pyctlHome, "config.toml"), `[python]\ndefault = "3.${minor}"\n`),
        new RegExp(`function\n3\\.${minor} `),
      ],
      ["pyctl upgraded", () => utimesSync(join(runDir(), "pyctl"), new Date(), new Date()), /function/],
    ];
    for (const [what, change, expected] of changes) {
      settle();
      const before = inode(shell);
      change();
      const out = start(shell, PROBE[shell]);
      expect({ what, out }).toEqual({ what, out: expect.stringMatching(expected) });
      expect({ what, rendered: inode(shell) !== before }).toEqual({ what, rendered: true });
    }
    writeFileSync(join(sb.pyctlHome, "config.toml"), "");
    rmSync(join(sb.bin, `python3.${minor}`));
    rmSync(join(sb.pyctlHome, `py3${minor + 80}`), { recursive: true });
  });

  test("another PYCTL_HOME renders anew; each PATH it was rendered for is kept", () => {
    settle();
    let before = inode(shell);
    start(shell, PROBE[shell], { PYCTL_HOME: join(sb.dir, "other-home") });
    expect(inode(shell)).not.toBe(before);
    start(shell, PROBE[shell]);
    const otherPath = `${join(sb.dir, "bin2")}:${sb.env.PATH}`;
    mkdirSync(join(sb.dir, "bin2"), { recursive: true });
    start(shell, PROBE[shell], { PATH: otherPath });
    settle();
    before = inode(shell);
    // A login shell and the shells started from it differ in PATH: both stay fresh.
    start(shell, PROBE[shell]);
    start(shell, PROBE[shell], { PATH: otherPath });
    expect(inode(shell)).toBe(before);
  });
});

describe("fish: the functions behind pip and python, autoloaded from the rendered folder", () => {
  const functionsRoot = () => join(sb.env.XDG_CACHE_HOME!, "pyctl", "fish-functions");
  /** The folder the cached hook names (the one it puts first in $fish_function_path). */
  const functionsDir = () =>
    /^contains -- (\S+) \$fish_function_path/m.exec(readFileSync(cacheFile("fish"), "utf8"))![1]!;

  test("the cached hook holds no helper body; fish reads each from its own file when first called", () => {
    start("fish", PROBE.fish);
    settle();
    const dir = functionsDir();
    expect(dir.startsWith(`${functionsRoot()}/`)).toBe(true);
    const files = fishFunctionFiles().map((f) => f.name);
    expect(files).toContain("_pyctl_m_pip.fish");
    expect(readdirSync(dir).sort()).toEqual(files.sort());
    const cached = readFileSync(cacheFile("fish"), "utf8");
    for (const name of files)
      expect(cached).not.toMatch(new RegExp(`^function ${name.replace(/\.fish$/, "")}\\b`, "m"));
    expect(cached).toMatch(/^function _pyctl_set_path\b/m);
    const out = start(
      "fish",
      [
        "functions --details pip",
        "functions --details _pyctl_m_pip",
        `python -m pip --version`,
        `source ${cacheFile("fish")}; or echo stale`,
        `count (string match -- ${dir} $fish_function_path)`,
        "for v in $_pyctl_versions; functions -q pip$v python$v; and echo pip$v python$v; end",
      ].join("\n"),
    ).split("\n");
    expect(out[0]).toBe(cacheFile("fish"));
    expect(out[1]).toBe(join(dir, "_pyctl_m_pip.fish"));
    expect(out[2]).toContain(join(sb.pyctlHome, PY.key, "venv"));
    expect(out[3]).toBe("1");
    expect(out.slice(4)).toContain(`pip${PY.version} python${PY.version}`);
  });

  test("a missing functions folder makes the hook stale: the next start renders both anew", () => {
    start("fish", PROBE.fish);
    settle();
    const before = inode("fish");
    const dir = functionsDir();
    rmSync(dir, { recursive: true });
    expect(start("fish", `${PROBE.fish}\npip --version`)).toContain(join(sb.pyctlHome, PY.key, "venv"));
    expect(inode("fish")).not.toBe(before);
    expect(existsSync(join(dir, "_pyctl_pip.fish"))).toBe(true);
  });

  test("a function file removed from the folder is put back at the next start", () => {
    start("fish", PROBE.fish);
    settle();
    const file = join(functionsDir(), "_pyctl_pip_reads.fish");
    rmSync(file);
    expect(start("fish", `${PROBE.fish}\npip --version`)).toContain(join(sb.pyctlHome, PY.key, "venv"));
    expect(readFileSync(file, "utf8")).toBe(fishFunctionFiles().find((f) => f.name === "_pyctl_pip_reads.fish")!.text);
  });

  test("other renderings' folders stay while a running shell may use them, and go after 30 days unused", () => {
    const day = 24 * 3600;
    const old = join(functionsRoot(), "0ld");
    const recent = join(functionsRoot(), "recent");
    for (const [dir, age] of [
      [old, 31 * day],
      [recent, day],
    ] as const) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "_pyctl_pip.fish"), "function _pyctl_pip\nend\n");
      utimesSync(dir, Date.now() / 1000 - age, Date.now() / 1000 - age);
    }
    rmSync(cacheFile("fish"));
    start("fish", PROBE.fish);
    expect(existsSync(cacheFile("fish"))).toBe(true);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
  });
});
