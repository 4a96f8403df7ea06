/**
 * One exclusive lock per venv, so write operations from several shells run one after another.
 * flock(2) belongs to the open file description, so it lasts while any process holds the
 * descriptor: every child pyctl starts on the venv gets it (`withLockFds`), and the lock dies
 * with the last of them, never with pyctl alone while its pip keeps writing. The kernel drops
 * it when they all die, so a crash never leaves a stuck lock; the file's content (pid and
 * command) serves the "waiting for …" message, and says when a holder was killed (`abandoned`).
 *
 * The file is pyctl's own: it is opened without following symlinks, must be a regular file
 * owned by the caller, and is kept 0600, so another user can neither open it (and hold root's
 * lock) nor plant a symlink that makes pyctl write somewhere else.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { errnoCode, PyctlError } from "./errors.ts";
import { makeDataDir } from "./modes.ts";

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_MODE = 0o600;

type Flock = (fd: number, operation: number) => number;
let flockFn: Flock | undefined;

function flock(): Flock {
  if (!flockFn) {
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
    try {
      const libc = dlopen("libc.so.6", { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
      flockFn = libc.symbols.flock as Flock;
    } catch (err) {
      throw new PyctlError(`cannot load flock from libc: ${(err as Error).message}`);
    }
  }
  return flockFn;
}

export interface LockHolder {
  pid: number;
  command: string;
}

export interface VenvLock {
  /**
   * A holder before this one never released the lock (it was killed, so its temp files may be
   * left anywhere it writes), and nobody has cleaned up after it yet: see `cleaned`.
   */
  readonly abandoned: boolean;
  /** Say that what an abandoned holder left is gone; until then every release passes the word on. */
  cleaned(): void;
  release(): void;
}

/**
 * The lock file's content while held: the holder, for "waiting for …" messages. A clean release
 * empties it; content left at the next take means its holder was killed. {"abandoned":true}
 * carries that forward through holders that do not clean up.
 */
function readContent(fd: number): string {
  const buffer = Buffer.alloc(512);
  try {
    return buffer.toString("utf8", 0, readSync(fd, buffer, 0, buffer.length, 0));
  } catch {
    return "";
  }
}

/** Descriptors of the locks this process holds, in the order taken. */
const held = new Set<number>();

/** The descriptors children must inherit so that a lock outlives pyctl as long as they run. */
export function heldLockFds(): number[] {
  return [...held];
}

/** A spawn `stdio` array that also hands the held locks to the child (as fds 3, 4, …). */
export function withLockFds<T>(stdio: [T, T, T]): [T, T, T, ...number[]] {
  return [...stdio, ...held];
}

export function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, "utf8")) as LockHolder;
    return typeof holder.pid === "number" ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** Open the lock file as pyctl's own: no symlink, a regular file of ours, 0600. */
function openLockFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, LOCK_MODE);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ELOOP")
      throw new PyctlError(`${path} is a symbolic link, not pyctl's lock; pyctl does not write through it`, {
        hint: `remove ${path}`,
      });
    if (code === "EISDIR")
      throw new PyctlError(`${path} is a folder, not pyctl's lock; pyctl does not use it`, { hint: `remove ${path}` });
    throw err;
  }
  const st = fstatSync(fd);
  const uid = process.geteuid?.();
  if (!st.isFile() || (uid !== undefined && st.uid !== uid)) {
    closeSync(fd);
    const what = st.isFile() ? `owned by uid ${st.uid}` : "not a regular file";
    throw new PyctlError(`${path} is not pyctl's lock (${what}); pyctl does not use it`, { hint: `remove ${path}` });
  }
  if ((st.mode & 0o777) !== LOCK_MODE) fchmodSync(fd, LOCK_MODE);
  return fd;
}

/** Take the lock if it is free, without waiting. */
export function tryLock(path: string, command: string): VenvLock | undefined {
  makeDataDir(dirname(path));
  const fd = openLockFile(path);
  if (flock()(fd, LOCK_EX | LOCK_NB) !== 0) {
    closeSync(fd);
    return undefined;
  }
  let abandoned = readContent(fd).trim() !== "";
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, JSON.stringify({ pid: process.pid, command }), 0);
  } catch {
    /* a full disk: the holder's name is only for "waiting for …" messages */
  }
  held.add(fd);
  return {
    get abandoned() {
      return abandoned;
    },
    cleaned: () => {
      abandoned = false;
    },
    release: () => {
      held.delete(fd);
      try {
        ftruncateSync(fd, 0);
        if (abandoned) writeSync(fd, '{"abandoned":true}', 0);
      } catch {
        /* the next holder then cleans up once more than needed */
      }
      closeSync(fd);
    },
  };
}

/** Wait for the lock; `onWait` is told once who holds it. */
export async function acquireLock(
  path: string,
  command: string,
  onWait: (holder: LockHolder | undefined) => void,
): Promise<VenvLock> {
  let told = false;
  for (;;) {
    const lock = tryLock(path, command);
    if (lock) return lock;
    if (!told) {
      onWait(readHolder(path));
      told = true;
    }
    await Bun.sleep(20);
  }
}

/** Is anybody holding the lock right now? (For status and doctor; takes and drops it if free.) */
export function isLocked(path: string): boolean {
  let lock: VenvLock | undefined;
  try {
    lock = tryLock(path, "probe");
  } catch {
    return false; // not ours to take (another user's tier, or not pyctl's file): nobody waits on it here
  }
  lock?.release();
  return lock === undefined;
}
