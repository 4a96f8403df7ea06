import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { errnoCode } from "./errors.ts";
import { defaultFileMode } from "./modes.ts";

let counter = 0;

function tempPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

/**
 * Create a temp file for `path` with `write`, under a name nobody took: a name that exists (a
 * leftover, or a symlink someone planted) is passed over, never opened (O_EXCL).
 */
function freshTemp(path: string, write: (temp: string) => void): string {
  for (let tries = 0; ; tries++) {
    const temp = tempPathFor(path);
    try {
      write(temp);
      return temp;
    } catch (err) {
      if (errnoCode(err) !== "EEXIST" || tries >= 100) throw err;
    }
  }
}

/** Write a new file (never an existing one: "wx"); on failure (ENOSPC) it is removed again. */
function writeDurably(path: string, data: string, mode = defaultFileMode()): void {
  const fd = openSync(path, "wx", mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(path);
    throw err;
  }
  closeSync(fd);
}

/** Replace `path` with `data` so that readers see the old or the new content, never a mix. */
export function writeFileAtomic(path: string, data: string, mode = defaultFileMode()): void {
  const temp = freshTemp(path, (t) => writeDurably(t, data, mode));
  try {
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
    throw err;
  }
}

/**
 * Create `path` with `data` only if nothing is there yet; complete content or nothing.
 * link(2) fails with EEXIST instead of replacing, which is what makes a claim exclusive.
 */
export function createFileExclusive(path: string, data: string): boolean {
  const temp = freshTemp(path, (t) => writeDurably(t, data));
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    if (errnoCode(err) === "EEXIST") return false;
    throw err;
  } finally {
    unlinkSync(temp);
  }
}
