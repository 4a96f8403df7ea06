/**
 * Reading a pip command line the way pip does: global options, then the subcommand. These
 * tables are the only list of pip's options and subcommands in pyctl: the shell hooks get them
 * rendered in (src/shell/hook.ts), so the functions and `pyctl pip` cannot disagree.
 */

/** pip's global options that take a value (`--timeout 5`; `--timeout=5` is one word). */
export const PIP_VALUE_OPTIONS: readonly string[] = [
  "--python",
  "--log",
  "--log-file",
  "--local-log",
  "--proxy",
  "--retries",
  "--timeout",
  "--exists-action",
  "--trusted-host",
  "--cert",
  "--client-cert",
  "--cache-dir",
  "--use-feature",
  "--use-deprecated",
  "--keyring-provider",
  "--root-user-action",
];

/** Options of `pip install` and `pip uninstall` that take a value (`-r FILE`, `-i URL`). */
export const PIP_INSTALL_VALUE_OPTIONS: readonly string[] = [
  "-r",
  "--requirement",
  "-c",
  "--constraint",
  "-e",
  "--editable",
  "-i",
  "--index-url",
  "--extra-index-url",
  "-f",
  "--find-links",
  "-t",
  "--target",
  "--platform",
  "--python-version",
  "--implementation",
  "--abi",
  "--root",
  "--prefix",
  "--src",
  "--upgrade-strategy",
  "--progress-bar",
  "--report",
  "-C",
  "--config-settings",
  "--global-option",
  "--no-binary",
  "--only-binary",
];

/** Subcommands that change the venv, and so are recorded. */
export const PIP_WRITE_COMMANDS: readonly string[] = ["install", "uninstall"];

/**
 * Subcommands that cannot change the venv: the hooks run the venv's pip for these (and for pip
 * with no subcommand: `pip --version`, `pip -h`) directly, without starting pyctl.
 */
export const PIP_READ_COMMANDS: readonly string[] = [
  "list",
  "show",
  "freeze",
  "check",
  "help",
  "download",
  "wheel",
  "hash",
  "cache",
  "config",
  "debug",
  "index",
  "inspect",
  "search",
  "completion",
];

const VALUE_OPTIONS = new Set(PIP_VALUE_OPTIONS);
const WRITE_COMMANDS = new Set(PIP_WRITE_COMMANDS);

/** Options of a write subcommand that send pip's changes somewhere other than the venv. */
const ELSEWHERE = new Set(["--target", "-t", "--prefix", "--root", "--dry-run", "--help", "-h"]);

export interface PipCommandLine {
  /** Index of the subcommand in args, or -1. */
  index: number;
  subcommand: string | undefined;
  /** Changes the venv: recorded. */
  writes: boolean;
}

export function parsePipArgs(args: string[]): PipCommandLine {
  let index = -1;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("-")) {
      index = i;
      break;
    }
    if (VALUE_OPTIONS.has(arg)) i++;
  }
  const subcommand = index >= 0 ? args[index] : undefined;
  const rest = index >= 0 ? args.slice(index + 1) : [];
  const elsewhere = rest.some((a) => ELSEWHERE.has(a.split("=")[0]!));
  return { index, subcommand, writes: WRITE_COMMANDS.has(subcommand ?? "") && !elsewhere };
}

/** `--user` makes no sense for a venv (pip refuses it): the user venv *is* the user install. */
export function withoutUserFlag(args: string[]): { args: string[]; dropped: boolean } {
  const kept = args.filter((a) => a !== "--user");
  return { args: kept, dropped: kept.length !== args.length };
}
