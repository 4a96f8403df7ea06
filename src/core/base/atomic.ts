import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { errnoCode } from "./errors.ts";

let counter = 0;

function tempPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

function writeDurably(path: string, data: string, mode = 0o644): void {
  const fd = openSync(path, "wx", mode);
  try {
    fchmodSync(fd, mode);
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replace `path` with `data` so that readers see the old or the new content, never a mix. */
export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  const temp = tempPathFor(path);
  try {
    writeDurably(temp, data, mode);
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
  const temp = tempPathFor(path);
  writeDurably(temp, data);
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
