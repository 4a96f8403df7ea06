/**
 * `pyctl setup-shell [--remove] [--system] [RC_FILE...]`: add (or remove) the marked block that
 * loads the hook, and the completion files, for each shell that is installed or has an rc file.
 */
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { PyctlError } from "../core/base/errors.ts";
import { userHome } from "../core/base/paths.ts";
import { systemFiles, shellOfFile, userFiles, type ShellFiles } from "../shell/locations.ts";
import { pyctlPath } from "../shell/self.ts";
import {
  installBlock,
  installCompletion,
  installLoginBlocks,
  removeBlock,
  removeCompletion,
  removeLoginBlocks,
  type FileChange,
} from "../shell/setup.ts";
import { out } from "../ui/output.ts";
import type { ParsedArgs } from "./spec.ts";

function shown(path: string): string {
  const home = userHome();
  return path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

function chooseFiles(args: ParsedArgs, remove: boolean): ShellFiles[] {
  const all = args.options.has("--system") ? systemFiles() : userFiles();
  if (args.positionals.length > 0) {
    return args.positionals.map((file) => {
      const shell = shellOfFile(file);
      return { ...all.find((f) => f.shell === shell)!, rcFile: resolve(file), ownFile: false, loginFiles: [] };
    });
  }
  if (remove) return all;
  const chosen = all.filter((f) => Bun.which(f.shell) !== null || existsSync(f.rcFile));
  if (chosen.length === 0)
    throw new PyctlError("found no bash, zsh or fish here", { hint: "name the rc file: pyctl setup-shell FILE" });
  return chosen;
}

const SAYS: Record<"block" | "login" | "completions", Record<FileChange["action"], string>> = {
  login: {
    added: "created, with the pyctl block for login shells",
    updated: "pyctl block for login shells written",
    unchanged: "pyctl block for login shells already there",
    removed: "pyctl block for login shells removed",
    absent: "no pyctl block",
  },
  block: {
    added: "created, with the pyctl block",
    updated: "pyctl block written",
    unchanged: "pyctl block already there",
    removed: "pyctl block removed",
    absent: "no pyctl block",
  },
  completions: {
    added: "completions installed",
    updated: "completions updated",
    unchanged: "completions already there",
    removed: "completions removed",
    absent: "no pyctl completions",
  },
};

function line(label: string, change: FileChange, kind: "block" | "login" | "completions"): string {
  const backup = change.backup ? ` (backup: ${shown(change.backup)})` : "";
  return `${label.padEnd(5)} ${shown(change.path)}: ${SAYS[kind][change.action]}${backup}`;
}

export async function run(args: ParsedArgs): Promise<number> {
  const remove = args.options.has("--remove");
  const files = chooseFiles(args, remove);
  const pyctl = remove ? "" : pyctlPath();
  for (const f of files) {
    const [rc, completion] = remove
      ? [removeBlock(f), removeCompletion(f)]
      : [installBlock(f, pyctl), installCompletion(f)];
    out(line(f.shell, rc, "block"));
    for (const login of remove ? removeLoginBlocks(f) : installLoginBlocks(f)) out(line("", login, "login"));
    out(line("", completion, "completions"));
  }
  if (remove) out("Open a new shell to drop the pyctl functions (backups, if any, are left as FILE.pyctl-backup).");
  else out(`Open a new shell to start using them, or load them in this one: ${loadHere(files)}`);
  return 0;
}

/**
 * How to load pyctl in the shell that ran this, in its own words: sourcing the rc file just
 * written, which puts pyctl on PATH too (a new account does not have it there yet).
 */
function loadHere(files: ShellFiles[]): string {
  const shell = basename(process.env.SHELL ?? "");
  const chosen = files.find((f) => f.shell === shell) ?? files.find((f) => f.shell === "bash") ?? files[0]!;
  return `source ${shown(chosen.rcFile)}`;
}
