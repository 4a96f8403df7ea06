/**
 * Whether folders stayed as they were while something ran, told by the kernel: inotify watches
 * set before, one read after. It sees what their stat stamps would (an entry made, removed or
 * renamed; the folder's own attributes; the folder replaced) and more (a file in one written in
 * place), for the cost of one read instead of an lstat per folder: a recorded `pip install` that
 * changed nothing learns it in microseconds (issue 16). Any event, a full queue, or a watch that
 * cannot be set counts as a change, so a watch errs only towards reading the venv afresh.
 */
import { closeSync, readSync } from "node:fs";
import { errnoCode } from "./errors.ts";

/** inotify_init1's flags for an instance read without blocking and not inherited by children. */
export const INOTIFY_FLAGS = 0o4000 | 0o2000000; // IN_NONBLOCK | IN_CLOEXEC

/** inotify's event bits (<sys/inotify.h>), for watch masks and for reading events. */
export const IN = {
  MODIFY: 0x2,
  ATTRIB: 0x4,
  CLOSE_WRITE: 0x8,
  MOVED_FROM: 0x40,
  MOVED_TO: 0x80,
  CREATE: 0x100,
  DELETE: 0x200,
  DELETE_SELF: 0x400,
  MOVE_SELF: 0x800,
  Q_OVERFLOW: 0x4000,
  IGNORED: 0x8000,
  ONLYDIR: 0x01000000,
  DONT_FOLLOW: 0x02000000,
  ISDIR: 0x40000000,
} as const;

/** Anything that changes a folder's entries, its own attributes or a file in it; symlinks not followed. */
const MASK =
  IN.MODIFY |
  IN.ATTRIB |
  IN.MOVED_FROM |
  IN.MOVED_TO |
  IN.CREATE |
  IN.DELETE |
  IN.DELETE_SELF |
  IN.MOVE_SELF |
  IN.DONT_FOLLOW;

export interface Inotify {
  inotify_init1(flags: number): number;
  inotify_add_watch(fd: number, path: Buffer, mask: number): number;
  inotify_rm_watch(fd: number, wd: number): number;
}

let inotify: Inotify | null | undefined;

/** libc's inotify, loaded on first use (not on a lock's path: the symbols cost their stubs); null without it. */
export function inotifyCalls(): Inotify | null {
  if (inotify === undefined) {
    try {
      const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
      const libc = dlopen("libc.so.6", {
        inotify_init1: { args: [FFIType.i32], returns: FFIType.i32 },
        inotify_add_watch: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
        inotify_rm_watch: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
      });
      inotify = libc.symbols as unknown as Inotify;
    } catch {
      inotify = null;
    }
  }
  return inotify;
}

export interface FolderWatch {
  /** Whether anything happened to a watched folder since the watch was set; the watching ends. */
  changed(): boolean;
  close(): void;
}

/** Watch `folders` (not following symlinks); undefined when inotify or a watch is not to be had. */
export function watchFolders(folders: Iterable<string>): FolderWatch | undefined {
  const libc = inotifyCalls();
  const fd = libc ? libc.inotify_init1(INOTIFY_FLAGS) : -1;
  if (!libc || fd < 0) return undefined;
  const watches: number[] = [];
  for (const folder of folders) {
    const wd = libc.inotify_add_watch(fd, Buffer.from(`${folder}\0`), MASK);
    if (wd < 0) {
      closeSync(fd);
      return undefined; // gone already, or the user's watch limit reached
    }
    watches.push(wd);
  }
  let open = true;
  return {
    changed() {
      let changed: boolean;
      try {
        changed = readSync(fd, Buffer.alloc(4096)) !== 0;
      } catch (err) {
        changed = errnoCode(err) !== "EAGAIN"; // EAGAIN: no event
      }
      // Removed now, freed by the kernel in the background: closing an instance that still has
      // watches waits for that (an RCU grace period, 5–17 ms here), at close or at exit.
      for (const wd of watches.splice(0)) libc.inotify_rm_watch(fd, wd);
      return changed;
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
