/**
 * Installing and removing the rc block and the completion files for one shell. Returns what
 * changed; prints nothing. Files are replaced atomically, through symlinks (dotfile managers),
 * keeping their mode; an rc file with content of its own is backed up once, as FILE.pyctl-backup.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../core/base/atomic.ts";
import { errnoCode, PyctlError } from "../core/base/errors.ts";
import bashCompletion from "../../completions/pyctl.bash" with { type: "text" };
import zshCompletion from "../../completions/_pyctl" with { type: "text" };
import fishCompletion from "../../completions/pyctl.fish" with { type: "text" };
import type { Shell } from "./hook.ts";
import type { ShellFiles } from "./locations.ts";
import { blockFor, hasBlock, loginBlock, withBashBlock, withBlock, withoutBlock } from "./rc-block.ts";

export const COMPLETIONS: Record<Shell, string> = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion };

export interface FileChange {
  path: string;
  /** "added" | "updated" | "unchanged" | "removed" | "absent" */
  action: "added" | "updated" | "unchanged" | "removed" | "absent";
  backup?: string;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw err;
  }
}

function writeKeepingMode(path: string, text: string): void {
  const real = existsSync(path) ? realpathSync(path) : path;
  const mode = existsSync(real) ? statSync(real).mode & 0o7777 : 0o644;
  try {
    mkdirSync(dirname(real), { recursive: true });
    writeFileAtomic(real, text, mode);
  } catch (err) {
    if (errnoCode(err) === "EACCES" || errnoCode(err) === "EPERM") {
      throw new PyctlError(`cannot write ${path}: permission denied`, {
        hint: "check who owns it; `pyctl setup-shell --system` needs root",
      });
    }
    throw err;
  }
}

function backUpOnce(path: string, text: string): string | undefined {
  const backup = `${path}.pyctl-backup`;
  if (withoutBlock(text).trim() === "" || existsSync(backup)) return undefined;
  copyFileSync(realpathSync(path), backup);
  return backup;
}

/** Put the block in the rc file (creating it if need be). */
export function installBlock(files: ShellFiles, pyctl: string): FileChange {
  const before = readText(files.rcFile);
  const block = blockFor(files.shell, { pyctl, completionFile: files.completionFile });
  const after = files.shell === "bash" ? withBashBlock(before ?? "", block) : withBlock(before ?? "", block);
  if (after === before) return { path: files.rcFile, action: "unchanged" };
  const backup = before === undefined ? undefined : backUpOnce(files.rcFile, before);
  writeKeepingMode(files.rcFile, after);
  return { path: files.rcFile, action: before === undefined ? "added" : "updated", backup };
}

/** The login block, in each of the shell's login files that exists. */
export function installLoginBlocks(files: ShellFiles): FileChange[] {
  return (files.loginFiles ?? [])
    .filter((f) => existsSync(f))
    .map((file) => {
      const before = readText(file) ?? "";
      const after = withBlock(before, loginBlock());
      if (after === before) return { path: file, action: "unchanged" as const };
      const backup = backUpOnce(file, before);
      writeKeepingMode(file, after);
      return { path: file, action: "updated" as const, backup };
    });
}

export function removeLoginBlocks(files: ShellFiles): FileChange[] {
  return (files.loginFiles ?? [])
    .filter((f) => hasBlock(readText(f) ?? ""))
    .map((file) => removeBlock({ ...files, rcFile: file, ownFile: false }));
}

export function installCompletion(files: ShellFiles): FileChange {
  const text = COMPLETIONS[files.shell];
  const before = readText(files.completionFile);
  if (before === text) return { path: files.completionFile, action: "unchanged" };
  writeKeepingMode(files.completionFile, text);
  return { path: files.completionFile, action: before === undefined ? "added" : "updated" };
}

export function removeBlock(files: ShellFiles): FileChange {
  const before = readText(files.rcFile);
  if (before === undefined) return { path: files.rcFile, action: "absent" };
  const after = withoutBlock(before);
  if (after === before) return { path: files.rcFile, action: "absent" };
  if (files.ownFile && after.trim() === "") rmSync(files.rcFile, { force: true });
  else writeKeepingMode(files.rcFile, after);
  return { path: files.rcFile, action: "removed" };
}

/** Only a completion file pyctl wrote is removed: each says who installed it. */
export function removeCompletion(files: ShellFiles): FileChange {
  const text = readText(files.completionFile);
  if (text === undefined || !text.includes("Installed by `pyctl setup-shell`"))
    return { path: files.completionFile, action: "absent" };
  rmSync(files.completionFile, { force: true });
  return { path: files.completionFile, action: "removed" };
}
