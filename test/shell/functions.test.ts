/**
 * The hook's routing decisions, table-driven, asked of its own helper functions in each real
 * shell: which python command lines are `-m pip`, which pip calls are read-only, and where the
 * venv's bin lands on PATH. fish's are asked twice: as `pyctl hook fish` defines them, and as fish
 * autoloads them for the rendered hook the rc block sources.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, sh } from "../support/env.ts";
import { quoteFish, quotePosix } from "../../src/shell/hook.ts";
import { hookEnv, settleRenderedHooks, type HookEnv } from "./hook-env.ts";

let env: HookEnv;
beforeAll(() => (env = hookEnv()));
afterAll(() => env?.sb.cleanup());

/** python's arguments -> how many precede pip's own, or null when they do not run pip. */
const M_PIP: [string[], number | null][] = [
  [["-m", "pip", "install", "x"], 2],
  [["-mpip", "list"], 1],
  [["-Im", "pip"], 2],
  [["-I", "-m", "pip"], 3],
  [["-E", "-s", "-B", "-m", "pip", "list"], 5],
  [["-X", "dev", "-m", "pip"], 4],
  [["-Xdev", "-m", "pip"], 3],
  [["-W", "ignore", "-mpip"], 3],
  [["-Wignore", "-Im", "pip"], 3],
  [["--check-hash-based-pycs", "always", "-m", "pip"], 4],
  [["-m", "pipx"], null],
  [["-m", "venv", "pip"], null],
  [["-c", "import pip"], null],
  [["-Ic", "-m pip"], null],
  [["script.py", "-m", "pip"], null],
  [["-", "-m", "pip"], null],
  [["--", "-m", "pip"], null],
  [["--version"], null],
  [["-m"], null],
  [[""], null],
  [[], null],
];

/** pip's arguments (and PIP_USER) -> whether they run the venv's pip directly. */
const READS: [string[], boolean, string?][] = [
  [[], true],
  [["list"], true],
  [["--version"], true],
  [["-h"], true],
  [["show", "install"], true],
  [["-v", "freeze"], true],
  [["--timeout", "5", "list"], true],
  [["--isolated", "download", "x"], true],
  [["cache", "purge"], true],
  [["install", "x"], false],
  [["uninstall", "-y", "x"], false],
  [["--timeout", "5", "install"], false],
  [["--log", "list", "install"], false],
  [["list", "--user"], false],
  [["--user", "list"], false],
  [["frobnicate"], false],
  [["list"], false, "1"],
];

/** PATH, the venv's bin, an active project env's bin -> the PATH the hook sets. */
const PATHS: [string, string, string, string][] = [
  ["/a:/b", "/v", "", "/v:/a:/b"],
  ["/v:/a:/v", "/v", "", "/v:/a"],
  ["/a:/v", "/v", "", "/v:/a"],
  ["/p:/a", "/v", "/p", "/p:/v:/a"],
  ["/p:/v:/a", "/v", "/p", "/p:/v:/a"],
  ["/v:/p:/a", "/v", "/p", "/p:/v:/a"],
  ["/a:/x", "/v", "/missing", "/v:/a:/x"],
  ["/a b:/c", "/v w", "", "/v w:/a b:/c"],
  ["/v", "/v", "", "/v"],
];

/** PATH, pyctl's own folder -> PATH with only its first copy (the ~/.bashrc and ~/.profile blocks may both add it). */
const ONCE: [string, string, string][] = [
  ["/v:/h:/h:/u", "/h", "/v:/h:/u"],
  ["/h:/v:/h:/u", "/h", "/h:/v:/u"],
  ["/a:/h:/b", "/h", "/a:/h:/b"],
  ["/a::/h:/h", "/h", "/a::/h"],
  ["/h", "/h", "/h"],
  ["/a:/b", "/h", "/a:/b"],
];

function script(shell: "bash" | "zsh" | "fish", load = `source ${env.hookFile(shell)}`): string {
  const q = shell === "fish" ? quoteFish : quotePosix;
  const words = (args: string[]) => args.map(q).join(" ");
  const lines = [load];
  if (shell === "fish") {
    for (const [args] of M_PIP) lines.push(`_pyctl_m_pip ${words(args)}; or echo null`);
    for (const [args, , pipUser] of READS)
      lines.push(`set -g PIP_USER ${q(pipUser ?? "")}; _pyctl_pip_reads ${words(args)}; and echo true; or echo false`);
    for (const [list, bin, anchor] of PATHS)
      lines.push(
        `_pyctl_path_with ${q(bin)} ${q(anchor)} (string split : -- ${q(list)}); string join : -- $_pyctl_reply`,
      );
  } else {
    for (const [args] of M_PIP)
      lines.push(`if _pyctl_m_pip ${words(args)}; then echo "$_pyctl_reply"; else echo null; fi`);
    for (const [args, , pipUser] of READS)
      lines.push(
        `if PIP_USER=${q(pipUser ?? "")} _pyctl_pip_reads ${words(args)}; then echo true; else echo false; fi`,
      );
    for (const [list, bin, anchor] of PATHS)
      lines.push(`_pyctl_path_with ${q(list)} ${q(bin)} ${q(anchor)}; echo "$_pyctl_reply"`);
    for (const [list, dir] of ONCE) lines.push(`_pyctl_path_once ${q(list)} ${q(dir)}; echo "$_pyctl_reply"`);
  }
  return lines.join("\n");
}

/** fish: the rendered hook the rc block sources, which leaves the helpers to fish's autoloading. */
function cachedFishHook(): string {
  expect(run(env.sb, ["hook", "fish"]).code).toBe(0);
  settleRenderedHooks(env.sb);
  return `source ${join(env.sb.env.XDG_CACHE_HOME!, "pyctl", "hook.fish")}; or exit 9`;
}

describe.each([
  ["bash", "eval'd"],
  ["zsh", "eval'd"],
  ["fish", "eval'd"],
  ["fish", "cached"],
] as const)("%s hook helpers, the hook %s", (shell, form) => {
  test("decide like the tables say", () => {
    const result = sh([shell, "-c", script(shell, form === "cached" ? cachedFishHook() : undefined)], env.sb);
    expect(result.stderr).toBe("");
    const lines = result.stdout.split("\n");
    const expected = [
      ...M_PIP.map(([, n]) => String(n)),
      ...READS.map(([, reads]) => String(reads)),
      ...PATHS.map(([, , , path]) => path),
      ...(shell === "fish" ? [] : ONCE.map(([, , path]) => path)),
    ];
    const labels = [
      ...M_PIP.map(([a]) => `python ${a.join(" ")}`),
      ...READS.map(([a, , u]) => `pip ${a.join(" ")}${u ? " (PIP_USER)" : ""}`),
      ...PATHS.map(([l, b, a]) => `${l} + ${b} after ${a}`),
      ...(shell === "fish" ? [] : ONCE.map(([l, d]) => `${l} with ${d} once`)),
    ];
    expect(labels.map((label, i) => `${label} -> ${lines[i]}`)).toEqual(
      labels.map((label, i) => `${label} -> ${expected[i]}`),
    );
  });
});

/** fish: PATH, whether a project venv is active -> the PATH _pyctl_set_path leaves (V: the default venv's bin, P: the project's). */
const SET_PATH: [string, boolean, string][] = [
  ["/a:/b", false, "V:/a:/b"],
  ["V:/a", false, "V:/a"],
  ["V", false, "V"],
  ["V:/a:V", false, "V:/a"],
  ["/a:V:/b", false, "V:/a:/b"],
  ["P:/a", true, "P:V:/a"],
  ["V:P:/a", true, "P:V:/a"],
  ["P:V:/a", true, "P:V:/a"],
];

describe.each(["eval'd", "cached"] as const)("fish, the hook %s: _pyctl_set_path", (form) => {
  test("puts the default venv's bin first (after an active project venv's), once, with or without a loop", () => {
    const project = join(env.sb.dir, "project");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "pyvenv.cfg"), "home = /usr/bin\n");
    const V = join(env.sb.dir, "tier", "pyT", "venv", "bin");
    const P = join(project, "bin");
    const expand = (list: string) => list.replace(/\bV\b/g, V).replace(/\bP\b/g, P);
    const lines = [
      form === "cached" ? cachedFishHook() : `source ${env.hookFile("fish")}`,
      `set -gx PYCTL_HOME ${quoteFish(join(env.sb.dir, "tier"))}`,
      "set -g _pyctl_default_key pyT",
    ];
    for (const [path, active] of SET_PATH) {
      lines.push(active ? `set -gx VIRTUAL_ENV ${quoteFish(project)}` : "set -e VIRTUAL_ENV");
      lines.push(
        `set -gx PATH (string split : -- ${quoteFish(expand(path))}); _pyctl_set_path; string join : -- $PATH`,
      );
    }
    // A venv activated before the hook: its saved PATH gets the same order.
    lines.push(
      `set -e VIRTUAL_ENV; set -gx _OLD_VIRTUAL_PATH /a ${quoteFish(V)}; _pyctl_set_path; string join : -- $_OLD_VIRTUAL_PATH`,
    );
    const result = sh(["fish", "--no-config", "-c", lines.join("\n")], env.sb);
    expect(result.stderr).toBe("");
    const got = result.stdout.trim().split("\n");
    const labels = [
      ...SET_PATH.map(([path, active]) => `${path}${active ? " (project active)" : ""}`),
      "_OLD_VIRTUAL_PATH /a:V",
    ];
    const expected = [...SET_PATH.map(([, , after]) => expand(after)), expand("V:/a")];
    expect(labels.map((l, i) => `${l} -> ${got[i]}`)).toEqual(labels.map((l, i) => `${l} -> ${expected[i]}`));
  });
});
