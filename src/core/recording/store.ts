/**
 * The local package store of one Python version: pyXY/store/<name>/<version>/, one entry for
 * every distribution version pyctl has seen installed, so undo and restore need no network.
 *
 *   manifest.json   { name, version, venv, files: [paths relative to the venv root] }
 *   files/          those files, hardlinked from the venv they were installed in (no copies)
 *
 * An entry is built in a temp folder and renamed into place, so it is complete or absent.
 * Distributions with files outside their venv, or without a RECORD, cannot be stored; they are
 * reinstalled through pip's index instead.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { makeDataDir } from "../base/modes.ts";
import { linkFile } from "../base/fstree.ts";
import { canonicalName } from "../packages/pep440.ts";
import { readInventory, type Dist } from "../packages/inventory.ts";

export interface StoreManifest {
  name: string;
  version: string;
  /** The venv the files were taken from: bin/ scripts name its python. */
  venv: string;
  files: string[];
}

export function entryDir(store: string, name: string, version: string): string {
  return join(store, canonicalName(name), version);
}

export function hasEntry(store: string, name: string, version: string): boolean {
  return existsSync(join(entryDir(store, name, version), "manifest.json"));
}

export function readManifest(store: string, name: string, version: string): StoreManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(entryDir(store, name, version), "manifest.json"), "utf8")) as StoreManifest;
  } catch {
    return undefined;
  }
}

/** The files a distribution installed, relative to the venv root; undefined if not storable. */
export function recordedFiles(dist: Dist, venv: string): string[] | undefined {
  let record: string;
  try {
    record = readFileSync(join(dist.metadataPath, "RECORD"), "utf8");
  } catch {
    return undefined;
  }
  const root = resolve(venv);
  const files: string[] = [];
  for (const line of record.split(/\r?\n/)) {
    const path = parseRecordPath(line);
    if (!path) continue;
    const rel = relative(root, resolve(dirname(dist.metadataPath), path));
    if (rel.startsWith("..") || rel.startsWith("/")) return undefined;
    if (existsSync(join(root, rel))) files.push(rel);
  }
  return files;
}

/** First CSV field of a RECORD line `path,hash,size` (a path with a comma is quoted). */
function parseRecordPath(line: string): string | undefined {
  if (line.startsWith('"')) {
    const end = line.indexOf('",');
    return end > 0 ? line.slice(1, end).replace(/""/g, '"') : undefined;
  }
  const sizeComma = line.lastIndexOf(",");
  const hashComma = line.lastIndexOf(",", sizeComma - 1);
  return hashComma > 0 ? line.slice(0, hashComma) : undefined;
}

/** Store `dist` if it is not stored yet. Returns false when it cannot be stored. */
export function storeDist(store: string, dist: Dist, venv: string): boolean {
  if (hasEntry(store, dist.name, dist.version)) return true;
  const files = recordedFiles(dist, venv);
  if (!files) return false;
  const final = entryDir(store, dist.name, dist.version);
  const temp = `${final}.${process.pid}.tmp`;
  makeDataDir(store);
  rmSync(temp, { recursive: true, force: true });
  for (const rel of files) linkFile(join(venv, rel), join(temp, "files", rel));
  const manifest: StoreManifest = { name: dist.name, version: dist.version, venv: resolve(venv), files };
  mkdirSync(temp, { recursive: true });
  writeFileAtomic(join(temp, "manifest.json"), `${JSON.stringify(manifest)}\n`);
  try {
    renameSync(temp, final);
  } catch {
    rmSync(temp, { recursive: true, force: true }); // a concurrent writer stored it first
  }
  return true;
}

/**
 * Store an entry whose files are not a venv's as installed (adopt relocates them first): `fill`
 * writes `manifest.files` under the folder it is given. Complete or absent, like storeDist's.
 */
export function storeBuilt(store: string, manifest: StoreManifest, fill: (filesDir: string) => void): void {
  if (hasEntry(store, manifest.name, manifest.version)) return;
  const final = entryDir(store, manifest.name, manifest.version);
  const temp = `${final}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(join(temp, "files"), { recursive: true });
  fill(join(temp, "files"));
  writeFileAtomic(join(temp, "manifest.json"), `${JSON.stringify(manifest)}\n`);
  try {
    renameSync(temp, final);
  } catch {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Make sure every given distribution is stored; returns the ones that could not be. */
export function storeAll(store: string, dists: Dist[], venv: string): Dist[] {
  return dists.filter((d) => !storeDist(store, d, venv));
}

/** Delete entries whose name==version is not in `keep` (canonical name -> versions). */
export function pruneStore(store: string, keep: Map<string, Set<string>>): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(store);
  } catch {
    return 0;
  }
  for (const name of names) {
    for (const version of readdirSync(join(store, name))) {
      if (version.endsWith(".tmp") || keep.get(name)?.has(version)) continue;
      rmSync(join(store, name, version), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

/** Whether every file an entry lists is still there (a half-deleted store is not trusted). */
export function entryIsComplete(store: string, manifest: StoreManifest): boolean {
  const files = join(entryDir(store, manifest.name, manifest.version), "files");
  return manifest.files.every((rel) => existsSync(join(files, rel)));
}

/** The distribution an entry holds, read like an installed one (its site-packages has only it). */
export function storedDist(store: string, manifest: StoreManifest, sitePackagesRel: string): Dist | undefined {
  return readInventory(join(entryDir(store, manifest.name, manifest.version), "files", sitePackagesRel))[0];
}

/** Versions stored for a project, e.g. ["1.0", "2.0"]. */
export function storedVersions(store: string, name: string): string[] {
  try {
    return readdirSync(join(store, canonicalName(name))).filter((v) => !v.endsWith(".tmp"));
  } catch {
    return [];
  }
}
