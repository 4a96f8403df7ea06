/**
 * The local package store of one Python version: pyXY/store/<name>/<version>/, one entry for
 * every distribution version pyctl has seen installed, so undo and restore need no network.
 *
 *   manifest.json   { name, version, venv, files: [paths relative to the venv root],
 *                     entry?, direct_url? }
 *   files/          those files, hardlinked from the venv they were installed in (no copies)
 *
 * Every install kind is stored: from an index, and also editables (their .dist-info, .pth files,
 * `__editable__` finders and scripts; the source tree stays where it is), local-file and
 * direct-URL wheels, VCS installs and sdists built locally. An install with a direct_url.json
 * lives in pyXY/store/<name>/<version>@<hash of its direct_url.json>/, beside the index
 * version of the same number: `entry` names that folder and `direct_url` is its origin.
 *
 * pyXY/store/~unowned/<id>/ (same layout, `units` in its manifest) holds files no distribution
 * owned that a transaction took out of the venv (an interrupted pip's leftovers, `doctor --fix`),
 * so that undoing it puts them back.
 *
 * Entries are keyed by what their files are: the folder name ends in `#` and a hash of RECORD's
 * file hashes (store-trust.ts), so a rebuilt local project or wheel of the same version is a new
 * entry beside the old one; `build` in the manifest is that key, and `stamps` each file's size and
 * mtime when stored. Of several builds of one version the most recently installed is served first
 * (a recorded install of a build already stored touches its manifest). Entries stored before builds were keyed
 * (VERSION or VERSION@HASH, no `build`, no `stamps`) are read as well; their files are checked
 * against RECORD by hash before they are served.
 *
 * An entry is built in a temp folder and renamed into place, so it is complete or absent.
 * Distributions with files outside their venv, or without a RECORD, cannot be stored; they are
 * reinstalled through pip's index instead.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, type Stats } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { tempSibling, writeFileAtomic } from "../base/atomic.ts";
import { makeDataDir } from "../base/modes.ts";
import { fsPath } from "../base/raw-names.ts";
import { linkFile, walkFiles } from "../base/fstree.ts";
import { recordPathsUnder, type UnownedFile } from "../packages/accounting.ts";
import { canonicalName } from "../packages/pep440.ts";
import { readInventory, type DirectUrl, type Dist } from "../packages/inventory.ts";
import { listDir } from "../base/list-dir.ts";
import { editedSinceInstall, markSeen, stampOf, storeFile, type Stamp } from "./store-trust.ts";

export interface StoreManifest {
  name: string;
  version: string;
  /** The venv the files were taken from: bin/ scripts name its python. */
  venv: string;
  files: string[];
  /** The entry's folder name when it is not the version: VERSION@HASH for a direct-URL install. */
  entry?: string;
  /** The install's direct_url.json (editable, local file, URL, VCS). */
  direct_url?: DirectUrl;
  /** In a ~unowned bundle: the unowned files and folders it holds. */
  units?: UnownedFile[];
  /** The build key (store-trust.ts buildKey) the entry's folder name ends with. */
  build?: string;
  /** Size and mtime of each file when stored or last found good by hash. */
  stamps?: Record<string, Stamp>;
}

/** Files staged while pip ran (store-ahead.ts): copies of installed files, by their path relative to the venv. */
export interface StagedFiles {
  /** The stamp a staged copy of `rel` was stored with; undefined when `rel` was not staged. */
  stamp(rel: string): Stamp | undefined;
  /**
   * Move the staged copies of `rels` under `filesDir` (at the same relative paths): a folder pip
   * made whose staged files are all in `rels` in one rename, the others one by one.
   */
  moveInto(rels: string[], filesDir: string): void;
  /** Remove what no store entry took (in the background when there are files left). */
  discard(): void;
}

/** `version` is the folder name: a version, or VERSION@HASH for a direct-URL install. */
export function entryDir(store: string, name: string, version: string): string {
  return join(store, canonicalName(name), version);
}

/** The folder of the entry a manifest describes. */
export function manifestDir(store: string, manifest: StoreManifest): string {
  return entryDir(store, manifest.name, manifest.entry ?? manifest.version);
}

/** The folder name a distribution is stored under: its version, plus the hash of its origin if direct. */
export function entryName(dist: Pick<Dist, "version" | "directUrl">): string {
  if (!dist.directUrl) return dist.version;
  return `${dist.version}@${new Bun.CryptoHasher("sha256").update(JSON.stringify(dist.directUrl)).digest("hex").slice(0, 12)}`;
}

/** The version an entry folder name holds ("1.0@3fa2…" holds 1.0). */
export function versionOfEntry(entry: string): string {
  return entry.split(/[@#]/)[0]!;
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

/** RECORD's paths relative to the venv root (existing or not); undefined if one is outside it or RECORD is unreadable. */
function recordedPaths(dist: Dist, venv: string): string[] | undefined {
  const paths = recordPathsUnder(dist.metadataPath, resolve(venv));
  return paths?.some((rel) => rel.startsWith("..") || rel.startsWith("/")) ? undefined : paths;
}

/** The files a distribution installed, relative to the venv root; undefined if not storable. */
export function recordedFiles(dist: Dist, venv: string): string[] | undefined {
  return recordedPaths(dist, venv)?.filter((rel) => existsSync(join(venv, rel)));
}

/**
 * Store `dist` if this build of it is not stored yet. Returns false when it cannot be stored.
 * `installed`: it was just installed, so its entry becomes the first one served of its version.
 */
/** Where the manifest of this build of `dist` is once it is stored; undefined when it cannot be (no readable RECORD). */
export function manifestPathOf(store: string, dist: Dist): string | undefined {
  return dist.build ? join(entryDir(store, dist.name, `${entryName(dist)}#${dist.build}`), "manifest.json") : undefined;
}

export function storeDist(store: string, dist: Dist, venv: string, installed = false, staged?: StagedFiles): boolean {
  const build = dist.build;
  if (!build) return false; // no readable RECORD
  const entry = `${entryName(dist)}#${build}`;
  const final = entryDir(store, dist.name, entry);
  if (existsSync(join(final, "manifest.json"))) {
    if (installed) markSeen(final);
    return true;
  }
  const paths = recordedPaths(dist, venv);
  if (!paths) return false;
  // A file staged while pip ran has its stamp; every other one takes one lstat: whether it is
  // there, whether it is a link, and its stamp.
  const found = paths.flatMap((rel): Found[] => {
    const stamp = staged?.stamp(rel);
    if (stamp) return [{ rel, stamp, staged: true }];
    const st = lstatSync(fsPath(join(venv, rel)), { throwIfNoEntry: false });
    return st ? [{ rel, stamp: [st.size, st.mtimeMs], st }] : [];
  });
  const files = found.map((f) => f.rel);
  const manifest: StoreManifest = { name: dist.name, version: dist.version, venv: resolve(venv), files, entry, build };
  if (dist.directUrl) manifest.direct_url = dist.directUrl;
  const edited = editedSinceInstall(dist, venv, found);
  makeDataDir(store);
  buildEntry(final, (temp) => {
    const stamps: Record<string, Stamp> = {};
    const filesDir = join(temp, "files");
    const kept = found.filter((f) => !edited.has(f.rel));
    staged?.moveInto(
      kept.filter((f) => f.staged).map((f) => f.rel),
      filesDir,
    );
    const made = new Set<string>();
    for (const { rel, stamp, st } of kept) {
      if (!st) {
        stamps[rel] = stamp;
        continue;
      }
      const dst = join(filesDir, rel);
      const parent = dirname(dst);
      if (!made.has(parent)) {
        mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      const shared = storeFile(join(venv, rel), dst, st);
      // A hardlink is the same inode, so its stamp is the one just read; a clone or a link is stat'ed.
      const now = shared === "hardlink" ? stamp : stampOf(dst);
      if (now) stamps[rel] = now;
    }
    mkdirSync(temp, { recursive: true });
    manifest.stamps = stamps;
    writeFileAtomic(join(temp, "manifest.json"), `${JSON.stringify(manifest)}\n`);
  });
  return true;
}

/** A file of a distribution being stored: staged while pip ran, or found (`st`) after. */
interface Found {
  rel: string;
  stamp: Stamp;
  staged?: true;
  st?: Stats;
}

/**
 * Build an entry in `final`.PID.tmp and rename it into place: complete or absent. A build that
 * fails (a full disk) removes its temp folder, so only a killed pyctl leaves one (recorder.ts).
 */
function buildEntry(final: string, build: (temp: string) => void): void {
  const temp = tempSibling(final);
  rmSync(temp, { recursive: true, force: true });
  try {
    build(temp);
    renameSync(temp, final);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(final)) throw err; // else a concurrent writer stored it first
  }
}

/**
 * Store an entry whose files are not a venv's as installed (adopt relocates them first): `fill`
 * writes `manifest.files` under the folder it is given. Complete or absent, like storeDist's.
 */
export function storeBuilt(store: string, manifest: StoreManifest, fill: (filesDir: string) => void): void {
  if (hasEntry(store, manifest.name, manifest.version)) return;
  buildEntry(entryDir(store, manifest.name, manifest.version), (temp) => {
    mkdirSync(join(temp, "files"), { recursive: true });
    fill(join(temp, "files"));
    writeFileAtomic(join(temp, "manifest.json"), `${JSON.stringify(manifest)}\n`);
  });
}

/** Make sure every given distribution is stored; returns the ones that could not be. */
export function storeAll(store: string, dists: Dist[], venv: string, installed = false, staged?: StagedFiles): Dist[] {
  return dists.filter((d) => !storeDist(store, d, venv, installed, staged));
}

/** In pruneStore's `keep`: every direct-URL entry of that project (a snapshot's `name @ url` line). */
export const ANY_DIRECT = "@";

/**
 * Delete entries not in `keep` (canonical name -> entry folder names or versions): a version in
 * `keep` keeps its plain entry and every direct-URL entry of that version.
 */
export function pruneStore(store: string, keep: Map<string, Set<string>>): number {
  let removed = 0;
  for (const name of listDir(store)) {
    for (const version of readdirSync(join(store, name))) {
      const kept = keep.get(name);
      const direct = version.includes("@") && kept?.has(ANY_DIRECT);
      if (version.endsWith(".tmp") || direct || kept?.has(version) || kept?.has(versionOfEntry(version))) continue;
      rmSync(join(store, name, version), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

/** Whether every file an entry lists is still there (a half-deleted store is not trusted). */
export function entryIsComplete(store: string, manifest: StoreManifest): boolean {
  const files = join(manifestDir(store, manifest), "files");
  return manifest.files.every((rel) => lstatSync(fsPath(join(files, rel)), { throwIfNoEntry: false }) !== undefined); // a dangling link is a file too
}

/** The distribution an entry holds, read like an installed one (its site-packages has only it). */
export function storedDist(store: string, manifest: StoreManifest, sitePackagesRel: string): Dist | undefined {
  return readInventory(join(manifestDir(store, manifest), "files", sitePackagesRel))[0];
}

/** Entry folders stored for a project, e.g. ["1.0", "1.0@3fa2b1c9d0e4", "2.0#9c1d…"]. */
export function storedEntries(store: string, name: string): string[] {
  try {
    return readdirSync(join(store, canonicalName(name))).filter((v) => !v.endsWith(".tmp"));
  } catch {
    return [];
  }
}

/** Versions stored for a project, e.g. ["1.0", "2.0"] (direct-URL entries count as their version). */
export function storedVersions(store: string, name: string): string[] {
  return [...new Set(storedEntries(store, name).map(versionOfEntry))];
}

/** Every complete-looking manifest of the store whose install was direct (editable, file, URL, VCS). */
export function directManifests(store: string): StoreManifest[] {
  const found: StoreManifest[] = [];
  for (const name of listDir(store)) {
    for (const entry of storedEntries(store, name)) {
      if (!entry.includes("@")) continue;
      const manifest = readManifest(store, name, entry);
      if (manifest) found.push(manifest);
    }
  }
  return found;
}

/** The store's pseudo-project for files no distribution owns (no project name starts with "~"). */
export const UNOWNED = "~unowned";

/** Keep `units` (relative to `venv`, hardlinked) in a new ~unowned bundle. */
export function storeUnowned(store: string, venv: string, units: UnownedFile[]): void {
  if (units.length === 0) return;
  const id = `${Date.now()}-${process.pid}`;
  makeDataDir(store);
  buildEntry(join(store, UNOWNED, id), (temp) => {
    const files: string[] = [];
    for (const unit of units) {
      const rel = unit.path.replace(/\/$/, "");
      const list = unit.path.endsWith("/") ? walkFiles(join(venv, rel)).map((f) => `${rel}/${f}`) : [rel];
      for (const file of list) {
        linkFile(join(venv, file), join(temp, "files", file));
        files.push(file);
      }
    }
    const manifest: StoreManifest = { name: UNOWNED, version: id, venv: resolve(venv), files, units };
    mkdirSync(temp, { recursive: true });
    writeFileAtomic(join(temp, "manifest.json"), `${JSON.stringify(manifest)}\n`);
  });
}

/** The newest bundle holding `unit` (same path and size). */
export function findUnowned(store: string, unit: UnownedFile): StoreManifest | undefined {
  for (const id of storedEntries(store, UNOWNED).sort().reverse()) {
    const manifest = readManifest(store, UNOWNED, id);
    if (manifest?.units?.some((u) => u.path === unit.path && u.size === unit.size) && entryIsComplete(store, manifest))
      return manifest;
  }
  return undefined;
}

/** Put a bundled unit back into `venv` (hardlinks). */
export function linkUnowned(store: string, manifest: StoreManifest, unit: UnownedFile, venv: string): void {
  const rel = unit.path.replace(/\/$/, "");
  const base = join(manifestDir(store, manifest), "files");
  for (const file of manifest.files)
    if (file === rel || file.startsWith(`${rel}/`)) linkFile(join(base, file), join(venv, file));
}
