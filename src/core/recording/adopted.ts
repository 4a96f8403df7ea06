/**
 * What `pyctl adopt` takes away from its source (~/.local, another venv, a --target folder) is
 * kept for undo, as hardlinks (copies across file systems), in
 *   pyXY/adopted/<history id>/manifest.json   { root, files: [rel], dirs: [[rel, mode]], ids: [[dev, ino]] }
 *   pyXY/adopted/<history id>/files/<rel>
 *   pyXY/adopted/<history id>/journal         "removing" or "restoring" while that is under way
 * The copy is made in `adopting.<pid>.tmp` before the transaction commits; after the commit it is
 * renamed to <id> with the journal "removing" already in it, and only then do the source's files
 * go. The journal makes both directions resumable: the next recorded operation (under the lock)
 * completes whatever one a killed pyctl left (finishAdoptions), so every package is whole in the
 * venv and the source, or whole in the venv and kept here. Everything here runs under the lock.
 */
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { sweepStaleTemps, tempSibling, writeFileAtomic } from "../base/atomic.ts";
import { PyctlError, systemErrorMessage } from "../base/errors.ts";
import { linkFile, linkOrCopy } from "../base/fstree.ts";
import { listDir } from "../base/list-dir.ts";
import type { Target } from "./target.ts";

interface Kept {
  root: string;
  files: string[];
  dirs: [string, number][];
  /** Folders never removed, even when empty (the prefix, its bin/, a venv's site-packages). */
  stops: string[];
  /** [dev, ino] of each source file when kept: only that very file is removed later. */
  ids: [number, number][];
}

export interface Restored {
  root: string;
  files: number;
  /** Paths that exist again with other content: left as they are. */
  skipped: string[];
}

type Journal = "removing" | "restoring";

/** PYCTL_TEST_PAUSE=removing|restoring (tests only): hold after the first file moved, until a signal. */
export type Pause = (phase: Journal) => Promise<void>;

function keptDir(target: Target, id: number): string {
  return join(target.layout.adoptedDir(target.version), String(id));
}

function readKept(dir: string): Kept | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Kept;
  } catch {
    return undefined;
  }
}

function readJournal(dir: string): Journal | undefined {
  try {
    const text = readFileSync(join(dir, "journal"), "utf8");
    return text === "removing" || text === "restoring" ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Copy `files` (absolute, under `root`) to a new kept folder, not yet named by an id; returns it.
 * Runs before the commit, so a full disk fails the transaction and names the folder written.
 */
export function keepForUndo(target: Target, root: string, files: string[], stops: string[]): string {
  const temp = tempSibling(join(target.layout.adoptedDir(target.version), "adopting"));
  try {
    rmSync(temp, { recursive: true, force: true });
    const dirs = new Map<string, number>();
    for (const file of files) {
      for (let d = dirname(file); d !== root && d.startsWith(`${root}/`); d = dirname(d))
        if (!dirs.has(d)) dirs.set(d, statSync(d).mode & 0o7777);
      linkFile(file, join(temp, "files", relative(root, file)));
    }
    const kept: Kept = {
      root,
      files: files.map((f) => relative(root, f)),
      dirs: [...dirs].map(([d, mode]) => [relative(root, d), mode]),
      stops,
      ids: files.map((f) => {
        const st = lstatSync(f);
        return [st.dev, st.ino];
      }),
    };
    writeFileAtomic(join(temp, "manifest.json"), `${JSON.stringify(kept)}\n`);
    return temp;
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    const system = systemErrorMessage(err);
    if (!system) throw err;
    throw new PyctlError(`cannot keep a copy of what adopt removes from ${root} for undo: ${system}`);
  }
}

/** The kept folder of a transaction that did not commit: nothing left the source. */
export function dropKept(temp: string): void {
  rmSync(temp, { recursive: true, force: true });
}

function removeFiles(dir: string, kept: Kept): number {
  let removed = 0;
  kept.files.forEach((rel, i) => {
    const path = join(kept.root, rel);
    const st = lstatSync(path, { throwIfNoEntry: false });
    const [dev, ino] = kept.ids[i] ?? [];
    if (!st || st.dev !== dev || st.ino !== ino) return; // gone already, or another file since
    unlinkSync(path);
    removed++;
  });
  const stop = new Set([kept.root, ...kept.stops]);
  for (const [rel] of [...kept.dirs].sort((a, b) => b[0].localeCompare(a[0]))) {
    const path = join(kept.root, rel);
    if (stop.has(path)) continue;
    try {
      rmdirSync(path);
    } catch {
      /* not empty: something else lives there */
    }
  }
  rmSync(join(dir, "journal"), { force: true });
  return removed;
}

/**
 * After the commit of adopt #id: name the kept copy by the id, journal first, then remove the
 * source's files. Returns how many went.
 */
export async function takeAwayKept(target: Target, temp: string, id: number, pause: Pause): Promise<number> {
  const dir = keptDir(target, id);
  writeFileAtomic(join(temp, "journal"), "removing");
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  const kept = readKept(dir)!;
  const [first] = kept.files;
  if (first !== undefined && process.env.PYCTL_TEST_PAUSE === "removing") {
    removeFiles(dir, { ...kept, files: [first], dirs: [] });
    writeFileAtomic(join(dir, "journal"), "removing");
    await pause("removing");
  }
  return removeFiles(dir, kept);
}

/** Adopt #id kept files to put back (its undo must then run as a transaction). */
export function hasKept(target: Target, id: number): boolean {
  return readKept(keptDir(target, id)) !== undefined;
}

/** Mark what adopt #ids kept as going back (before the undo commits): a kill then still puts it back. */
export function markRestoring(target: Target, ids: number[], on: boolean): void {
  for (const id of ids) {
    const dir = keptDir(target, id);
    if (!readKept(dir)) continue;
    if (on) writeFileAtomic(join(dir, "journal"), "restoring");
    else if (readJournal(dir) === "restoring") rmSync(join(dir, "journal"), { force: true });
  }
}

function restoreFiles(dir: string, kept: Kept, only?: number): Restored {
  for (const [rel, mode] of [...kept.dirs].sort((a, b) => a[0].length - b[0].length)) {
    const path = join(kept.root, rel);
    if (existsSync(path)) continue;
    mkdirSync(path);
    chmodSync(path, mode);
  }
  const restored: Restored = { root: kept.root, files: 0, skipped: [] };
  for (const rel of kept.files.slice(0, only)) {
    const src = join(dir, "files", rel);
    const dst = join(kept.root, rel);
    if (lstatSync(dst, { throwIfNoEntry: false })) {
      if (statSync(dst, { throwIfNoEntry: false })?.ino !== statSync(src, { throwIfNoEntry: false })?.ino)
        restored.skipped.push(dst);
      continue;
    }
    mkdirSync(dirname(dst), { recursive: true });
    if (lstatSync(src).isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else linkOrCopy(src, dst);
    restored.files++;
  }
  if (only === undefined) rmSync(dir, { recursive: true, force: true });
  return restored;
}

/** Put back what adopt #id took away (in the undo's transaction); undefined when it kept nothing. */
export async function restoreKept(target: Target, id: number, pause: Pause): Promise<Restored | undefined> {
  const dir = keptDir(target, id);
  const kept = readKept(dir);
  if (!kept) return undefined;
  writeFileAtomic(join(dir, "journal"), "restoring");
  if (process.env.PYCTL_TEST_PAUSE === "restoring" && kept.files.length) {
    restoreFiles(dir, kept, 1);
    await pause("restoring");
  }
  return restoreFiles(dir, kept);
}

/**
 * Complete what a killed adopt or undo left half done, and remove the copies of adopts that never
 * committed. Called by every recorded operation under the lock, before it reads the venv.
 */
export function finishAdoptions(target: Target): void {
  const root = target.layout.adoptedDir(target.version);
  if (!existsSync(root)) return;
  sweepStaleTemps(root);
  for (const name of listDir(root)) {
    if (!/^\d+$/.test(name)) continue;
    const dir = join(root, name);
    const journal = readJournal(dir);
    const kept = journal && readKept(dir);
    if (!kept) continue;
    if (journal === "removing") removeFiles(dir, kept);
    else restoreFiles(dir, kept);
  }
}
