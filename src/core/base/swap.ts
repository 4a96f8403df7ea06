/**
 * The commit point of a transaction: the staging venv and the live venv trade places in one
 * renameat2(RENAME_EXCHANGE), so at every instant the live path holds a complete venv, old or new.
 * Filesystems without RENAME_EXCHANGE get two renames, with `venv.staging.old` as the witness
 * that lets `recoverTransaction` put the old venv back if pyctl dies between them. The replaced
 * venv is renamed to `venv.trash.<pid>` and deleted in the background.
 */
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { PyctlError } from "./errors.ts";
import type { SwapPaths } from "./paths.ts";
import { listDir } from "./list-dir.ts";

const AT_FDCWD = -100;
const RENAME_EXCHANGE = 2;
const EINVAL = 22;
const ENOSYS = 38;

interface Libc {
  renameat2(olddirfd: number, oldpath: Buffer, newdirfd: number, newpath: Buffer, flags: number): number;
  errno(): number;
}

let libc: Libc | undefined;

function loadLibc(): Libc {
  if (libc) return libc;
  const { dlopen, FFIType, read } = require("bun:ffi") as typeof import("bun:ffi");
  const lib = dlopen("libc.so.6", {
    renameat2: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    __errno_location: { args: [], returns: FFIType.ptr },
  });
  libc = {
    renameat2: lib.symbols.renameat2 as unknown as Libc["renameat2"],
    errno: () => read.i32(lib.symbols.__errno_location()!, 0),
  };
  return libc;
}

const cString = (path: string) => Buffer.from(`${path}\0`);

/**
 * Put the staging venv in place of the live one. Returns where the old venv now is (to delete).
 */
export function exchangeVenv(target: SwapPaths): string {
  const { staging } = target;
  const c = loadLibc();
  if (c.renameat2(AT_FDCWD, cString(staging), AT_FDCWD, cString(target.venv), RENAME_EXCHANGE) === 0) return staging;
  const errno = c.errno();
  if (errno !== EINVAL && errno !== ENOSYS) {
    throw new PyctlError(
      `cannot switch ${staging} and ${target.venv} (renameat2 errno ${errno}); the venv is unchanged`,
    );
  }
  const { retired } = target;
  renameSync(target.venv, retired);
  renameSync(staging, target.venv);
  return retired;
}

/**
 * Get rid of the replaced venv without making the user wait: rename it aside (instant), then
 * delete it in a detached `rm -rf`, in its own process group so that the Ctrl-C or closed
 * terminal that ends pyctl does not stop it halfway. The rm does not get the venv's lock: the
 * next write need not wait for it.
 *
 * The trash is named after the process that deletes it (`venv.trash.<pid>`): a shell that waits
 * for one line, then execs rm (same pid) on that name. So a trash whose process runs is being
 * deleted, and only one whose process is gone is a leftover (isBeingDeleted).
 */
export function discardTree(target: SwapPaths, path: string): void {
  const script = 'read -r _; exec rm -rf -- "$0$$"';
  let deleter: ReturnType<typeof Bun.spawn<"pipe", "ignore", "ignore">> | undefined;
  try {
    deleter = Bun.spawn(["sh", "-c", script, target.trashPrefix], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
    });
    renameSync(path, `${target.trashPrefix}${deleter.pid}`);
  } catch {
    rmSync(path, { recursive: true, force: true });
  } finally {
    // A line, or the end of the pipe if pyctl dies first: either way the shell goes on to rm.
    deleter?.stdin.write("\n");
    deleter?.stdin.end();
    deleter?.unref();
  }
}

/** Whether a `venv.trash.<pid>` is being deleted right now: its pid runs discardTree's shell or rm on it. */
export function isBeingDeleted(target: SwapPaths, trash: string): boolean {
  const pid = trash.slice(target.trashPrefix.length);
  if (!/^\d+$/.test(pid)) return false;
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return false;
  }
  return args.includes(trash) || args.at(-2) === target.trashPrefix;
}

/**
 * Clean up after a transaction that died (SIGKILL, power loss): drop a staging venv, or put the
 * old venv back if it died between the two renames of the fallback. Call it holding the venv lock.
 */
export function recoverTransaction(target: SwapPaths): void {
  const { staging, retired } = target;
  if (existsSync(retired)) {
    if (!existsSync(target.venv)) renameSync(retired, target.venv);
    else rmSync(retired, { recursive: true, force: true });
  }
  if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  for (const trash of staleTrash(target)) {
    try {
      rmSync(trash, { recursive: true, force: true });
    } catch {
      /* removed by another pyctl at the same time */
    }
  }
}

/** Replaced venvs not yet deleted (`venv.trash.<pid>`): a detached rm is on it, or was stopped. */
export function trashFolders(target: SwapPaths): string[] {
  const dir = dirname(target.venv);
  return listDir(dir)
    .map((name) => join(dir, name))
    .filter((path) => path.startsWith(target.trashPrefix));
}

/** The trash no process is deleting: what a stopped rm (or a machine that went down) left. */
export function staleTrash(target: SwapPaths): string[] {
  return trashFolders(target).filter((trash) => !isBeingDeleted(target, trash));
}
