import { closeSync, fchmodSync, linkSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { errnoCode } from "./errors.ts";
import { defaultFileMode } from "./modes.ts";
import { listDir } from "./list-dir.ts";

/*
 * The one temp-name rule: something being made for `path` is named after it, this process's pid
 * and ".tmp" — `.NAME.PID.N.tmp` for a file written atomically (hidden, N unique in the process),
 * `NAME.PID.tmp` beside it for a folder built then renamed (a store entry, a seed, a first venv).
 * tempOwner reads the pid back, so sweepStaleTemps and doctor know a dead process's leftovers.
 */
let counter = 0;

/** A hidden temp file for `path`, unique in this process. */
export function tempFileFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

/** The folder (or file) `path` is built in before it is renamed into place. */
export function tempSibling(path: string): string {
  return `${path}.${process.pid}.tmp`;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

/**
 * Create a temp file for `path` with `write`, under a name nobody took: a name that exists (a
 * leftover, or a symlink someone planted) is passed over, never opened (O_EXCL).
 */
function freshTemp(path: string, write: (temp: string) => void): string {
  for (let tries = 0; ; tries++) {
    const temp = tempFileFor(path);
    try {
      write(temp);
      return temp;
    } catch (err) {
      if (errnoCode(err) !== "EEXIST" || tries >= 100) throw err;
    }
  }
}

/** Open a new temp file (O_EXCL) with `mode`, whatever the umask; removed again if that fails. */
function openTemp(path: string, mode: number): number {
  const fd = openSync(path, "wx", mode);
  try {
    fchmodSync(fd, mode);
  } catch (err) {
    closeSync(fd);
    removeQuietly(path);
    throw err;
  }
  return fd;
}

/**
 * Fill a new file completely or not at all: on any failure (a full disk) it is removed. Not
 * fsynced: pip never syncs the venv's own files, so a sync here could not make a venv and its
 * history survive a power cut together, and it cost every recorded write 3 ms on a quiet disk and
 * over 100 ms on a busy one. A file a power cut left empty reads as corrupt, never as a state.
 */
function fill(fd: number, path: string, data: string): void {
  try {
    const bytes = Buffer.from(data);
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
  } catch (err) {
    closeSync(fd);
    removeQuietly(path);
    throw err;
  }
  closeSync(fd);
}

function writeComplete(path: string, data: string, mode = defaultFileMode()): void {
  fill(openTemp(path, mode), path, data);
}

/** A file to be replaced atomically whose temp file is made ahead (`prepareFile`). */
export interface PreparedFile {
  /** Write `data` and put it in place: readers see the old or the new content, never a mix. */
  commit(data: string): void;
  /** Remove the temp file, unless committed. */
  discard(): void;
}

/**
 * writeFileAtomic in two steps: the temp file is created now, while time is free, and filled and
 * renamed into place by `commit`. Creating a file is its slow part on some disks (0.3–0.8 ms
 * here): a recorded write creates its after-state's files while pip runs.
 */
export function prepareFile(path: string, mode = defaultFileMode()): PreparedFile {
  let fd = -1;
  const temp = freshTemp(path, (t) => {
    fd = openTemp(t, mode);
  });
  let pending = true;
  return {
    commit(data) {
      if (!pending) throw new Error(`${path} was written already`);
      pending = false;
      fill(fd, temp, data);
      try {
        renameSync(temp, path);
      } catch (err) {
        removeQuietly(temp);
        throw err;
      }
    },
    discard() {
      if (!pending) return;
      pending = false;
      closeSync(fd);
      removeQuietly(temp);
    },
  };
}

/** Replace `path` with `data` so that readers see the old or the new content, never a mix. */
export function writeFileAtomic(path: string, data: string, mode = defaultFileMode()): void {
  prepareFile(path, mode).commit(data);
}

/**
 * Create `path` with `data` only if nothing is there yet; complete content or nothing.
 * link(2) fails with EEXIST instead of replacing, which is what makes a claim exclusive.
 */
export function createFileExclusive(path: string, data: string): boolean {
  const temp = freshTemp(path, (t) => writeComplete(t, data));
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    if (errnoCode(err) === "EEXIST") return false;
    throw err;
  } finally {
    removeQuietly(temp);
  }
}

/** The pid in a temp file's name: `.NAME.PID.N.tmp` (tempFileFor), `.NAME.PID.tmp`, or `NAME.PID.tmp` (tempSibling). */
export function tempOwner(name: string): number | undefined {
  const m = (name.startsWith(".") && /\.(\d+)\.\d+\.tmp$/.exec(name)) || /\.(\d+)\.tmp$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === "EPERM"; // alive, but someone else's
  }
}

/**
 * Remove temp files and folders in `dir` left by processes that are gone (a SIGKILL), and with
 * `own`, this process's (after a failure such as a full disk). Those of other live processes
 * are theirs to finish. Returns the names removed.
 */
export function sweepStaleTemps(dir: string, own = false): string[] {
  const names = listDir(dir);
  const removed: string[] = [];
  for (const name of names) {
    const pid = tempOwner(name);
    if (pid === undefined || (!(own && pid === process.pid) && isAlive(pid))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
