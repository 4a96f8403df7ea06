/**
 * Building the venv a transaction swaps in. The staging copy starts as a hardlink clone of the
 * live venv, so it shares every file's inode with it: here files are only ever unlinked or
 * created, never written in place, and the live venv's content cannot change.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { errnoCode, PyctlError } from "../base/errors.ts";
import { cloneTreeBytes } from "../base/fstree.ts";
import { writeFileAtomic } from "../base/atomic.ts";
import { editRecord, rehashRecorded } from "../python/record.ts";
import { shareFile, sharingMode } from "../recording/store-trust.ts";
import {
  findUnowned,
  linkUnowned,
  manifestDir,
  recordedFiles,
  storeUnowned,
  type StoreManifest,
} from "../recording/store.ts";
import { compareUnowned, unownedFiles, type CloneOf, type UnownedFile } from "../packages/accounting.ts";
import type { Dist } from "../packages/inventory.ts";

/**
 * Recreate `src` at `dst`: directories made, files hardlinked, symlinks copied. Top-level *.pth
 * files of site-packages are copied instead: pip edits easy-install.pth in place.
 */
export function cloneTree(src: string, dst: string): void {
  cloneTreeBytes(src, dst, (parent, name) => name.endsWith(".pth") && basename(parent) === "site-packages");
}

function unlinkQuietly(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return false;
    throw err;
  }
}

/** Remove now-empty folders from `dir` upwards, stopping at `stop` or the first non-empty one. */
function pruneEmptyDirs(dir: string, stop: Set<string>): void {
  for (let d = dir; !stop.has(d) && d !== dirname(d); d = dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return;
    }
  }
}

/**
 * Unlink what `dist` installed (its RECORD), except files other staying dists also own, and the
 * bytecode of its modules. `dist` must be a dist of the staging venv `venv`.
 */
export function removeDist(venv: string, sitePackages: string, dist: Dist, shared: Set<string>): void {
  const files = recordedFiles(dist, venv);
  if (!files && existsSync(join(dist.metadataPath, "RECORD"))) {
    throw new PyctlError(`cannot remove ${dist.name} ${dist.version}: its RECORD names files outside the venv`);
  }
  if (!files) {
    // No RECORD: pip was stopped before writing it. The metadata goes; its files are unowned
    // now, and go with the other leftovers when the goal knows the venv's files (undo).
    rmSync(dist.metadataPath, { recursive: true, force: true });
    return;
  }
  const dirs = new Set<string>();
  for (const rel of files) {
    if (shared.has(rel)) continue;
    const path = join(venv, rel);
    unlinkQuietly(path);
    dirs.add(dirname(path));
    if (rel.endsWith(".py")) {
      const cache = join(dirname(path), "__pycache__");
      const stem = `${basename(rel, ".py")}.`;
      try {
        for (const name of readdirSync(cache))
          if (name.startsWith(stem) && name.endsWith(".pyc")) unlinkQuietly(join(cache, name));
      } catch {
        /* no bytecode */
      }
      dirs.add(cache);
    }
  }
  rmSync(dist.metadataPath, { recursive: true, force: true });
  const stop = new Set([venv, sitePackages, join(venv, "bin")]);
  for (const dir of [...dirs].sort().reverse()) pruneEmptyDirs(dir, stop);
}

/** Files (relative to the venv) that the given dists own, for removeDist's `shared`. */
export function ownedFiles(venv: string, dists: Dist[]): Set<string> {
  const owned = new Set<string>();
  for (const dist of dists) for (const rel of recordedFiles(dist, venv) ?? []) owned.add(rel);
  return owned;
}

function isText(data: Buffer): boolean {
  return !data.subarray(0, 1024).includes(0);
}

/**
 * Put a stored distribution into the staging venv. Files are cloned or hardlinked from the store
 * (shareFile), except bin/ scripts that name the venv the entry was taken from: those are written
 * anew for `finalVenv`, and RECORD is made to say so. Bytecode compiled for another path is left
 * out (Python recompiles it).
 */
export function linkEntry(store: string, manifest: StoreManifest, venv: string, finalVenv: string): void {
  const files = join(manifestDir(store, manifest), "files");
  const moved = manifest.venv !== finalVenv;
  const made = new Set<string>();
  const rewritten = new Set<string>();
  for (const rel of manifest.files) {
    if (moved && rel.endsWith(".pyc")) continue;
    const src = join(files, rel);
    const dst = join(venv, rel);
    const parent = dirname(dst);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    // A hardlink of a symlink is a symlink: only a clone (which follows it) or a rewrite must know.
    const link = (sharingMode() === "clone" || (moved && rel.startsWith("bin/"))) && lstatSync(src).isSymbolicLink();
    if (moved && !link && rel.startsWith("bin/")) {
      const data = readFileSync(src);
      const text = data.toString("utf8");
      if (isText(data) && text.includes(manifest.venv)) {
        writeFileAtomic(dst, text.split(manifest.venv).join(finalVenv), statSync(src).mode & 0o7777);
        rewritten.add(dst);
        continue;
      }
    }
    // The staging venv rarely holds the file already (a clone keeps what stays): link first, replace if it does.
    const place = () => (link ? symlinkSync(readlinkSync(src), dst) : shareFile(src, dst));
    try {
      place();
    } catch (err) {
      if (errnoCode(err) !== "EEXIST") throw err;
      unlinkQuietly(dst);
      place();
    }
  }
  const record = manifest.files.find((f) => /\.dist-info\/RECORD$/.test(f));
  if (rewritten.size && record) rehashRecorded(join(venv, dirname(record)), rewritten);
}

/** RECORD's hash and size of an empty file, for the REQUESTED marker pyctl adds. */
const EMPTY_FILE = { hash: "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU", size: "0" };

/**
 * Give a staged dist the REQUESTED marker, or take it away (a new file or an unlink: never an
 * edit), and make RECORD list it exactly when it is there: a listed marker that is gone fails a
 * RECORD check, and one not listed makes `pip uninstall` leave the .dist-info folder behind.
 * RECORD is replaced, with its own line ends (pip's "\r\n").
 */
export function setRequested(metadataPath: string, requested: boolean): void {
  const marker = join(metadataPath, "REQUESTED");
  if (requested) {
    try {
      writeFileSync(marker, "", { flag: "wx" });
    } catch (err) {
      if (errnoCode(err) !== "EEXIST") throw err;
    }
  } else unlinkQuietly(marker);
  const rel = `${basename(metadataPath)}/REQUESTED`;
  editRecord(metadataPath, (lines) => {
    const at = lines.findIndex((l) => typeof l !== "string" && l.path === rel);
    if (requested && at < 0) lines.push({ path: rel, ...EMPTY_FILE });
    else if (!requested && at >= 0) lines.splice(at, 1);
    else return false;
    return true;
  });
}

/**
 * Write the explicit set into a staged venv as REQUESTED markers: what the goal says for each
 * package; where it does not say, a package that was explicit before the transaction (`explicit`,
 * among those installed then: `before`) stays explicit, and any other keeps the marker it has
 * (from its source, or from a pip step that named it).
 */
export function settleMarks(
  staged: Dist[],
  said: (dist: Dist) => boolean | undefined,
  before: Set<string>,
  explicit: Set<string>,
): void {
  for (const dist of staged) {
    const requested = said(dist) ?? (before.has(dist.key) && explicit.has(dist.key) ? true : undefined);
    if (requested !== undefined && requested !== dist.requested) setRequested(dist.metadataPath, requested);
  }
}

/** The venv-relative path of site-packages, e.g. "lib/python3.11/site-packages". */
export function sitePackagesRel(venv: string, sitePackages: string): string {
  return relative(venv, sitePackages);
}

/**
 * Keep the live venv's unowned files that the goal does not have (all of them for a fresh venv)
 * in a ~unowned bundle of the store, before staging replaces or removes them: undoing the
 * transaction puts them back.
 */
export function keepLeavingUnowned(
  store: string,
  liveVenv: string,
  live: UnownedFile[],
  goal: UnownedFile[] | undefined,
  fresh: boolean,
): void {
  if (fresh) storeUnowned(store, liveVenv, live);
  else if (goal) storeUnowned(store, liveVenv, compareUnowned(live, goal).remove);
}

/**
 * Make the staged venv's unowned files those of `goal`: what is extra (an interrupted pip's
 * half-written files, its ~stash folders) is removed; what is missing comes back from the
 * store's ~unowned bundles when they hold it. `cacheFile`: the live venv's scan cache, whose
 * entries are keyed by paths relative to the venv: what this scan of the staged tree learns is
 * still true of it once it is swapped in, so the recorder's scan after the swap reads little.
 */
export function reconcileUnowned(
  store: string,
  venv: string,
  sitePackages: string,
  staged: Dist[],
  goal: UnownedFile[],
  cacheFile?: string,
  cloneOf?: CloneOf,
): void {
  const { remove, restore } = compareUnowned(unownedFiles(venv, sitePackages, staged, cacheFile, cloneOf), goal);
  const stop = new Set([venv, sitePackages, join(venv, "bin")]);
  for (const unit of remove) {
    rmSync(join(venv, unit.path), { recursive: true, force: true });
    pruneEmptyDirs(dirname(join(venv, unit.path.replace(/\/$/, ""))), stop);
  }
  for (const unit of restore) {
    const bundle = findUnowned(store, unit);
    if (bundle) linkUnowned(store, bundle, unit, venv);
  }
}
