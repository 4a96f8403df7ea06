/** Reading a pip command line the way pip does: global options, then the subcommand. */

/** pip's global options that take a value (`--timeout 5`; `--timeout=5` is one word). */
const VALUE_OPTIONS = new Set([
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
]);

/** Subcommands that change the venv, and so are recorded. */
const WRITE_COMMANDS = new Set(["install", "uninstall"]);

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
