/**
 * One exclusive lock per venv, so write operations from several shells run one after another.
 * flock(2) is released by the kernel when the holder dies, so a crash never leaves a stuck lock;
 * the file's content (pid and command) only serves the "waiting for …" message.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { PyctlError } from "./errors.ts";

const LOCK_EX = 2;
const LOCK_NB = 4;

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
  release(): void;
}

export function readHolder(path: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, "utf8")) as LockHolder;
    return typeof holder.pid === "number" ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** Take the lock if it is free, without waiting. */
export function tryLock(path: string, command: string): VenvLock | undefined {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "a+", 0o644);
  if (flock()(fd, LOCK_EX | LOCK_NB) !== 0) {
    closeSync(fd);
    return undefined;
  }
  ftruncateSync(fd, 0);
  writeSync(fd, JSON.stringify({ pid: process.pid, command }));
  return { release: () => closeSync(fd) };
}

/** Wait for the lock; `onWait` is told once who holds it. */
export async function acquireLock(path: string, command: string, onWait: (holder: LockHolder | undefined) => void): Promise<VenvLock> {
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
  const lock = tryLock(path, "probe");
  lock?.release();
  return lock === undefined;
}
