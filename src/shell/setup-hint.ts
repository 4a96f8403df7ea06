/**
 * Until a user has run `pyctl setup-shell` (or an admin `setup-shell --system`), `pyctl status` and
 * the first pyctl command they type say, in one line, how to turn the hook on. The packages never
 * edit anyone's rc files (Debian Policy 10.7.4), so this line is how a user of the .deb learns it.
 * "First" is remembered by a stamp in ~/.cache/pyctl; the line goes only to a terminal, so
 * scripts and pipes never see it and never use it up.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { userCacheDir } from "../core/base/paths.ts";
import { hookState } from "./hook-state.ts";
import { systemFiles, userFiles } from "./locations.ts";
import { hasBlock } from "./rc-block.ts";

export const SETUP_HINT = "the shell hook is not set up: run `pyctl setup-shell`, then open a new shell";

function holdsBlock(path: string): boolean {
  try {
    return hasBlock(readFileSync(path, "utf8"));
  } catch {
    return false;
  }
}

/** The hook is on in this shell, or a pyctl block is in one of this user's or the system's rc files. */
export function hookIsSetUp(): boolean {
  if (hookState().active) return true;
  return [...userFiles(), ...systemFiles()].some((f) => holdsBlock(f.rcFile));
}

/** Commands that say it themselves, or that set the hook up. */
const QUIET = new Set(["status", "setup-shell", "hook"]);

/** The hint, the first time a command runs on a terminal while the hook is not set up; else undefined. */
export function firstRunHint(command: string): string | undefined {
  if (!process.stderr.isTTY || QUIET.has(command)) return undefined;
  const stamp = join(userCacheDir(), "setup-hint-shown");
  if (existsSync(stamp) || hookIsSetUp()) return undefined;
  try {
    mkdirSync(userCacheDir(), { recursive: true });
    writeFileSync(stamp, "");
  } catch {
    // A read-only cache only means the line may come again.
  }
  return SETUP_HINT;
}
