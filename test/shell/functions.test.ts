/**
 * The hook's routing decisions, table-driven, asked of its own helper functions in each real
 * shell: which python command lines are `-m pip`, which pip calls are read-only, and where the
 * venv's bin lands on PATH.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { sh } from "../support/env.ts";
import { quoteFish, quotePosix } from "../../src/shell/hook.ts";
import { hookEnv, type HookEnv } from "./hook-env.ts";

// The preload's default timeout reaches only the first file of a run (Bun 1.4.5): set it here too.
setDefaultTimeout(120_000);

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

function script(shell: "bash" | "zsh" | "fish"): string {
  const q = shell === "fish" ? quoteFish : quotePosix;
  const words = (args: string[]) => args.map(q).join(" ");
  const lines = [`source ${env.hookFile(shell)}`];
  if (shell === "fish") {
    for (const [args] of M_PIP) lines.push(`_pyctl_m_pip ${words(args)}; or echo null`);
    for (const [args, , pipUser] of READS) lines.push(`set -g PIP_USER ${q(pipUser ?? "")}; _pyctl_pip_reads ${words(args)}; and echo true; or echo false`);
    for (const [list, bin, anchor] of PATHS)
      lines.push(`_pyctl_path_with ${q(bin)} ${q(anchor)} (string split : -- ${q(list)}); string join : -- $_pyctl_reply`);
  } else {
    for (const [args] of M_PIP) lines.push(`if _pyctl_m_pip ${words(args)}; then echo "$_pyctl_reply"; else echo null; fi`);
    for (const [args, , pipUser] of READS) lines.push(`if PIP_USER=${q(pipUser ?? "")} _pyctl_pip_reads ${words(args)}; then echo true; else echo false; fi`);
    for (const [list, bin, anchor] of PATHS) lines.push(`_pyctl_path_with ${q(list)} ${q(bin)} ${q(anchor)}; echo "$_pyctl_reply"`);
    for (const [list, dir] of ONCE) lines.push(`_pyctl_path_once ${q(list)} ${q(dir)}; echo "$_pyctl_reply"`);
  }
  return lines.join("\n");
}

describe.each(["bash", "zsh", "fish"] as const)("%s hook helpers", (shell) => {
  test("decide like the tables say", () => {
    const result = sh([shell, "-c", script(shell)], env.sb);
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
    expect(labels.map((label, i) => `${label} -> ${lines[i]}`)).toEqual(labels.map((label, i) => `${label} -> ${expected[i]}`));
  });
});
