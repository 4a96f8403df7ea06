/**
 * Whether a store entry still holds the bytes its RECORD names. Store files share their data with
 * installed ones (a hardlink, or a copy-on-write clone where the filesystem can make one), so an
 * installed file written in place (`>>`, an editor that writes in place) changes a hardlinked
 * store copy too. Each file's size and mtime are remembered when it is stored (`stamps`): while
 * they are the same the file is trusted; when they differ, or for entries stored before pyctl kept
 * stamps, its RECORD hash decides. A file whose hash is wrong is replaced from another entry of
 * the project holding the same bytes, or the entry is not served (it is named missing).
 */
import {
  constants,
  copyFileSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  type Stats,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { tempFileFor, writeFileAtomic } from "../base/atomic.ts";
import { linkOrCopy } from "../base/fstree.ts";
import { fileDigest, parseRecordLine } from "../python/record.ts";
import type { Dist } from "../packages/inventory.ts";

/** Size and mtime (ms) of a stored file when it was stored or last found good. */
export type Stamp = [number, number];

interface Trusted {
  files: string[];
  stamps?: Record<string, Stamp>;
}

export function stampOf(path: string): Stamp | undefined {
  try {
    const st = statSync(path);
    return [st.size, st.mtimeMs];
  } catch {
    return undefined;
  }
}

/** What the entry's RECORD says each file's hash is, by path relative to the entry's files/. */
export function expectedHashes(filesDir: string, files: string[]): Map<string, string> {
  const hashes = new Map<string, string>();
  const record = files.find((f) => /\.dist-info\/RECORD$/.test(f));
  if (!record) return hashes;
  let text: string;
  try {
    text = readFileSync(join(filesDir, record), "utf8");
  } catch {
    return hashes;
  }
  const site = join(filesDir, dirname(dirname(record)));
  for (const line of text.split(/\r?\n/)) {
    const r = parseRecordLine(line);
    if (r?.hash) hashes.set(relative(filesDir, resolve(site, r.path)), r.hash);
  }
  return hashes;
}

/** Files of an entry whose bytes are not what RECORD says (unchanged stamps are trusted). */
export function changedFiles(
  filesDir: string,
  entry: Trusted,
  now: Record<string, Stamp | undefined> = stampsOf(filesDir, entry.files),
): string[] {
  const suspects = entry.files.filter((rel) => {
    const stamp = now[rel];
    const known = entry.stamps?.[rel];
    return stamp && !(known && known[0] === stamp[0] && known[1] === stamp[1]);
  });
  if (suspects.length === 0) return []; // RECORD is read only when a stamp says something changed
  const hashes = expectedHashes(filesDir, entry.files);
  return suspects.filter((rel) => {
    const want = hashes.get(rel);
    return want !== undefined && fileDigest(join(filesDir, rel)) !== want;
  });
}

/** Stamps of an entry's files as they are now. */
export function stampsOf(filesDir: string, files: string[]): Record<string, Stamp> {
  const stamps: Record<string, Stamp> = {};
  for (const rel of files) {
    const stamp = stampOf(join(filesDir, rel));
    if (stamp) stamps[rel] = stamp;
  }
  return stamps;
}

let cloneFails = false;

/**
 * Make `dst` hold `src`'s bytes: a copy-on-write clone (FICLONE) where the filesystem makes one,
 * so a later in-place write to either leaves the other as it was; else a hardlink (the same
 * inode: stamps and RECORD hashes catch in-place writes); else a copy.
 */
export function shareFile(src: string, dst: string): "clone" | "hardlink" | "other" {
  if (!cloneFails) {
    try {
      // EXCL: `dst` may be a hardlink of a live venv's file, which a clone over it would rewrite.
      copyFileSync(src, dst, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
      return "clone";
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") throw err;
      cloneFails = true; // this filesystem cannot clone: do not ask again in this process
    }
  }
  return linkOrCopy(src, dst) ? "hardlink" : "other";
}

/** Which way shareFile stores files here: "clone" or "hardlink" (README: what each guarantees). */
export function sharingMode(): "clone" | "hardlink" {
  return cloneFails ? "hardlink" : "clone";
}

/** Replace a stored file with a private copy of `good` (it must not share an inode with a venv file). */
export function replaceStoredFile(good: string, path: string): void {
  const temp = tempFileFor(path);
  rmSync(temp, { force: true });
  copyFileSync(good, temp);
  renameSync(temp, path);
}

/** Rewrite a manifest (atomically) with fresh stamps, keeping its mtime: when its build was last seen installed. */
export function saveStamps(manifestPath: string, manifest: object, stamps: Record<string, Stamp>): void {
  const seen = stampOf(manifestPath);
  if (!seen) return;
  try {
    writeFileAtomic(manifestPath, `${JSON.stringify({ ...manifest, stamps })}\n`);
    utimesSync(manifestPath, new Date(), new Date(seen[1]));
  } catch {
    /* a read-only store is checked by hash again next time */
  }
}

/** Mark an entry as the build most recently seen installed: sources.ts serves it first. */
export function markSeen(dir: string): void {
  const now = new Date();
  try {
    utimesSync(join(dir, "manifest.json"), now, now);
  } catch {
    /* a read-only store still serves */
  }
}

/**
 * Files written after pip wrote RECORD (pip writes it last) whose hash is not RECORD's: edited in
 * place before pyctl stored them. They are left out of the entry, which is then incomplete.
 */
export function editedSinceInstall(
  dist: Dist,
  venv: string,
  files: { rel: string; stamp: Stamp; st?: Stats }[],
): Set<string> {
  const recordTime = stampOf(join(dist.metadataPath, "RECORD"))?.[1] ?? Number.POSITIVE_INFINITY;
  const later = files.filter(({ stamp, st }) => !st?.isSymbolicLink() && stamp[1] > recordTime).map(({ rel }) => rel);
  if (later.length === 0) return new Set();
  return new Set(changedFiles(venv, { files: later.concat(relative(venv, join(dist.metadataPath, "RECORD"))) }));
}

/**
 * Put one file into an entry being built, its folder made: a clone or hardlink (shareFile);
 * symlinks are recreated. `st` is `src`'s lstat. Says how it was shared.
 */
export function storeFile(src: string, dst: string, st: Stats): "clone" | "hardlink" | "other" {
  if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(src), dst);
    return "other";
  }
  return shareFile(src, dst);
}
