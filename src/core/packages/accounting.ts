/**
 * Every file accounted for: the files in a venv's site-packages and bin/ that no installed
 * distribution's RECORD owns. What a Ctrl-C'd or killed pip leaves half-extracted shows up here,
 * and so does pip's uninstall stash (`~lpha-1.0.dist-info`, see isStash).
 *
 * Not counted as unowned: bytecode in __pycache__ of an owned module (Python writes it at import),
 * the venv's own bin/ files (python links, activate scripts), empty folders, everything inside
 * an installed distribution's metadata folder, and a duplicate metadata folder (doctor's
 * dist-info check names those). A folder whose every file is unowned is one unit
 * (`big/`, with the total size and file count), so a torn 3,000-file package is one line.
 */
import { lstatSync, readFileSync, statSync } from "node:fs";
import { fsPath, listEntries } from "../base/raw-names.ts";
import { basename, dirname, join, relative, resolve } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { metadataStamps, readHeaders, type Dist } from "./inventory.ts";
import { resultCacheOf } from "../base/paths.ts";

export interface UnownedFile {
  /** Relative to the venv root; a folder ends with "/". */
  path: string;
  /** Bytes (a folder: the sum of its files). */
  size: number;
  /** A folder's file count. */
  files?: number;
}

/** pip's AdjacentTempDirectory names: the original name with its first characters replaced by "~…". */
export function isStash(name: string): boolean {
  return name.startsWith("~");
}

const VENV_BIN =
  /^(python(\d(\.\d+)?)?|pythonw|activate(\.csh|\.fish|\.nu|\.bat|\.ps1)?|Activate\.ps1|deactivate\.bat)$/;

/** First CSV field of a RECORD line `path,hash,size` (a path with a comma is quoted). */
export function recordPath(line: string): string | undefined {
  if (line.startsWith('"')) {
    const end = line.indexOf('",');
    return end > 0 ? line.slice(1, end).replace(/""/g, '"') : undefined;
  }
  const sizeComma = line.lastIndexOf(",");
  const hashComma = line.lastIndexOf(",", sizeComma - 1);
  return hashComma > 0 ? line.slice(0, hashComma) : undefined;
}

/**
 * The paths a dist-info's RECORD lists, relative to `root` (a venv); undefined when RECORD cannot
 * be read. Most lines are plain paths below site-packages: those are joined, not resolved (a
 * venv of 100,000 files has as many lines).
 */
export function recordPathsUnder(metadataPath: string, root: string): string[] | undefined {
  const record = join(metadataPath, "RECORD");
  const key = `${record}\0${root}`;
  const stamp = stampOf(record);
  const known = readRecords.get(key);
  if (known && known.stamp === stamp) return known.paths;
  let text: string;
  try {
    text = readFileSync(record, "utf8");
  } catch {
    return undefined;
  }
  const paths = pathsUnder(text.split(/\r?\n/).map(recordPath), dirname(metadataPath), root);
  if (stamp) readRecords.set(key, { stamp, paths });
  return paths;
}

/**
 * RECORDs read in this process, by stat stamp: after a write, the unowned scan and the store
 * each read the new distributions' (24,000 lines for a 12,000-module package). Read-only.
 */
const readRecords = new Map<string, { stamp: string; paths: string[] }>();

/** Paths listed relative to `base`, made relative to `root`: plain ones below `base` are joined, not resolved. */
function pathsUnder(lines: (string | undefined)[], base: string, root: string): string[] {
  const prefix = `${relative(root, base)}/`;
  const paths: string[] = [];
  for (const path of lines) {
    if (!path) continue;
    const plain = !path.startsWith("/") && !path.includes("..") && !path.includes("./");
    paths.push(plain ? prefix + path : relative(root, resolve(base, path)));
  }
  return paths;
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, "utf8").split(/\r?\n/);
  } catch {
    return [];
  }
}

/**
 * What a scan learnt, by stat stamp: each folder's entries (a folder's stamp changes when an
 * entry is added, removed or renamed) and each metadata folder's owned paths (pip never edits a
 * .dist-info in place). A file rewritten in place keeps its old size here until its folder changes.
 */
interface FilesCache {
  dirs: Record<string, { stamp: string; entries: [string, 0 | 1, number][] }>;
  owners: Record<string, { stamp: string; files: string[] }>;
  /** Not saved: whether anything was read afresh. */
  misses?: number;
}

/**
 * The last result, in a small file of its own (the cache's name with `.result`): valid while
 * every folder scanned and every metadata folder has the same stamp, in the same order. An
 * unchanged venv then costs one stat(2) per folder, and reads nothing else.
 */
interface LastResult {
  dirs: [string, string][];
  metadata: [string, string][];
  units: UnownedFile[];
}

/** A file's or folder's stat stamp: inode, mtime and ctime; undefined when it is not there. */
export function stampOf(path: string): string | undefined {
  const st = lstatSync(path, { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.mtimeMs}:${st.ctimeMs}` : undefined;
}

/**
 * A tree cloned from another venv (a transaction's staging venv) and not written into since in
 * the folders `cloned` says: there, the cache's entries for the same folder of `venv` serve while
 * that folder's stamp holds. A metadata folder serves its owned paths while its RECORD (or
 * installed-files.txt) is the other's, hardlinked. Spares the scan of a staged venv reading again
 * what the live venv's scan has just read.
 */
export interface CloneOf {
  venv: string;
  cloned(rel: string): boolean;
}

/** The same file (a hardlink): one inode. */
function sameFile(a: string, b: string): boolean {
  const [x, y] = [statSync(a, { throwIfNoEntry: false }), statSync(b, { throwIfNoEntry: false })];
  return x !== undefined && y !== undefined && x.ino === y.ino && x.dev === y.dev;
}

function ownedBy(root: string, dist: Dist): string[] {
  if (dist.metadataPath.endsWith(".dist-info")) return recordPathsUnder(dist.metadataPath, root) ?? [];
  return pathsUnder(readLines(join(dist.metadataPath, "installed-files.txt")), dist.metadataPath, root);
}

/** Paths (relative to the venv) that the distributions own, and their metadata folders. */
export function ownedPaths(
  venv: string,
  dists: Dist[],
  cache?: FilesCache,
  next?: FilesCache,
  cloneOf?: CloneOf,
): { files: Set<string>; dirs: Set<string> } {
  const root = resolve(venv);
  const files = new Set<string>();
  const dirs = new Set<string>();
  const listing = (dist: Dist) => (dist.metadataPath.endsWith(".dist-info") ? "RECORD" : "installed-files.txt");
  const carried = (rel: string, dist: Dist) =>
    cloneOf &&
    cache?.owners[rel]?.stamp === stampOf(join(cloneOf.venv, rel)) &&
    sameFile(join(dist.metadataPath, listing(dist)), join(cloneOf.venv, rel, listing(dist)));
  for (const dist of dists) {
    const rel = relative(root, dist.metadataPath);
    dirs.add(rel);
    const stamp = cache ? stampOf(dist.metadataPath) : undefined;
    const hit = stamp && (cache?.owners[rel]?.stamp === stamp || carried(rel, dist)) ? cache?.owners[rel] : undefined;
    const owned = hit?.files ?? ownedBy(root, dist);
    if (next && !hit) next.misses = (next.misses ?? 0) + 1;
    if (next && stamp) next.owners[rel] = { stamp, files: owned };
    for (const path of owned) files.add(path);
  }
  return { files, dirs };
}

/**
 * Whether a metadata folder is a distribution's: METADATA (PKG-INFO) with a name and a version,
 * as pip reads one. What pip leaves when torn is not (its ~stash, or after a full disk a
 * .dist-info with an empty METADATA and no RECORD): its files are unowned, so undo and
 * `doctor --fix` take them out. A second, readable folder of an installed project is a
 * duplicate, RECORD or not: doctor's dist-info check names it.
 */
export function isCompleteMetadata(dir: string): boolean {
  const name = basename(dir);
  if (isStash(name) || !/\.(dist|egg)-info$/.test(name)) return false;
  const isDistInfo = name.endsWith(".dist-info");
  try {
    const headers = readHeaders(join(dir, isDistInfo ? "METADATA" : "PKG-INFO"));
    return Boolean(headers.get("name")?.[0]) && headers.has("version");
  } catch {
    return false;
  }
}

interface Tally {
  units: UnownedFile[];
  /** Every file below is unowned (and there is at least one). */
  allUnowned: boolean;
  size: number;
  files: number;
}

function isOwned(rel: string, owned: Set<string>): boolean {
  if (owned.has(rel)) return true;
  const dir = dirname(rel);
  if (basename(dir) !== "__pycache__" || !rel.endsWith(".pyc")) return false;
  const module = basename(rel).split(".")[0]!; // mod.cpython-311.pyc -> mod
  return owned.has(join(dirname(dir), `${module}.py`));
}

/** A listed file whose size was not read (cached entries keep it so): lstat reads it when needed. */
const UNKNOWN_SIZE = -1;

function sizeOf(path: string): number {
  return lstatSync(fsPath(path), { throwIfNoEntry: false })?.size ?? 0;
}

class Walker {
  constructor(
    readonly venv: string,
    readonly owned: { files: Set<string>; dirs: Set<string> },
    readonly cache: FilesCache | undefined,
    readonly next: FilesCache | undefined,
    readonly site: string,
    readonly cloneOf?: CloneOf,
  ) {}

  /** The cache's entries for `rel` of the venv this one is a clone of, while that folder is unchanged. */
  private carried(rel: string): [string, 0 | 1, number][] | undefined {
    const known = this.cache?.dirs[rel];
    if (!known || !this.cloneOf?.cloned(rel)) return undefined;
    return stampOf(join(this.cloneOf.venv, rel)) === known.stamp ? known.entries : undefined;
  }

  /** A folder's entries as [name, 1 if a folder, size of a file or UNKNOWN_SIZE]; from the cache when its stamp is unchanged. */
  private entries(rel: string): [string, 0 | 1, number][] | undefined {
    const path = join(this.venv, rel);
    const stamp = this.cache ? stampOf(path) : undefined;
    const hit = stamp && this.cache?.dirs[rel]?.stamp === stamp ? this.cache.dirs[rel]!.entries : undefined;
    let entries = hit ?? (stamp ? this.carried(rel) : undefined);
    if (!entries) {
      if (this.next) this.next.misses = (this.next.misses ?? 0) + 1;
      try {
        entries = listEntries(path).map((e) => [
          e.name,
          e.isDir ? 1 : 0,
          UNKNOWN_SIZE, // read when the file turns out to be unowned: most are owned
        ]);
      } catch {
        return undefined;
      }
    }
    if (this.next && stamp) this.next.dirs[rel] = { stamp, entries };
    return entries;
  }

  /**
   * A second metadata folder of an installed project (pip reads the first): doctor's dist-info
   * check reports it, as a duplicate, not as a leftover.
   */
  private isSecondMetadata(rel: string, name: string): boolean {
    return rel === this.site && isCompleteMetadata(join(this.venv, rel, name));
  }

  walk(rel: string): Tally {
    const tally: Tally = { units: [], allUnowned: true, size: 0, files: 0 };
    const entries = this.entries(rel);
    if (!entries) return { ...tally, allUnowned: false };
    for (const [name, isDir, size] of entries) {
      const path = `${rel}/${name}`;
      if (isDir) {
        if (this.owned.dirs.has(path) || this.isSecondMetadata(rel, name)) {
          tally.allUnowned = false;
          continue;
        }
        const sub = this.walk(path);
        if (sub.files === 0 && sub.allUnowned) continue; // an empty folder
        if (sub.allUnowned) tally.units.push({ path: `${path}/`, size: sub.size, files: sub.files });
        else tally.units.push(...sub.units);
        tally.allUnowned &&= sub.allUnowned;
        tally.size += sub.size;
        tally.files += sub.files;
        continue;
      }
      if (isOwned(path, this.owned.files) || (rel === "bin" && VENV_BIN.test(name))) {
        tally.allUnowned = false;
        continue;
      }
      const known = size === UNKNOWN_SIZE ? sizeOf(join(this.venv, path)) : size;
      tally.units.push({ path, size: known });
      tally.size += known;
      tally.files++;
    }
    return tally;
  }
}

/** The last scan and result per cache file in this process: a recorded operation scans before and after. */
const scans = new Map<string, { cache: FilesCache; last: LastResult }>();
/** The result unownedFiles last gave per cache file, scanned or found current. */
const answered = new Map<string, LastResult>();

/**
 * The stamps that the last answer for `cacheFile` rests on: every folder scanned (relative to the
 * venv) and every metadata folder (absolute). While each is unchanged, so is the answer, and so
 * is the inventory (no metadata folder came, went or changed).
 */
export function answerStamps(
  cacheFile: string,
): { dirs: [string, string][]; metadata: [string, string][] } | undefined {
  const last = answered.get(cacheFile);
  return last && { dirs: last.dirs, metadata: last.metadata };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function readCache(file: string): FilesCache {
  const known = scans.get(file)?.cache;
  if (known) return known;
  const cache = readJson<FilesCache>(file);
  return cache?.dirs && cache.owners ? cache : { dirs: {}, owners: {} };
}

/** A metadata folder's stamp as the inventory took it (inventory.ts), or afresh. */
function metadataStamp(path: string): string | undefined {
  return metadataStamps.get(path) ?? stampOf(path);
}

function isCurrent(venv: string, last: LastResult | undefined, dists: Dist[]): boolean {
  if (!last?.dirs?.length || last.metadata?.length !== dists.length) return false;
  for (const [i, dist] of dists.entries()) {
    const [path, stamp] = last.metadata[i]!;
    if (path !== dist.metadataPath || metadataStamp(path) !== stamp) return false;
  }
  return last.dirs.every(([rel, stamp]) => stampOf(join(venv, rel)) === stamp);
}

/**
 * The unowned files and folders of a venv's site-packages and bin/ (`sitePackages` absolute),
 * sorted by path. The two roots themselves are never one unit. `cacheFile` (optional) remembers
 * the scan so that unchanged folders are not read again.
 */
export function unownedFiles(
  venv: string,
  sitePackages: string,
  dists: Dist[],
  cacheFile?: string,
  cloneOf?: CloneOf,
): UnownedFile[] {
  const last = cacheFile ? (scans.get(cacheFile)?.last ?? readJson<LastResult>(resultCacheOf(cacheFile))) : undefined;
  if (isCurrent(venv, last, dists)) {
    if (cacheFile) answered.set(cacheFile, last!);
    return last!.units;
  }
  const cache = cacheFile ? readCache(cacheFile) : undefined;
  const next: FilesCache | undefined = cache ? { dirs: {}, owners: {} } : undefined;
  const owned = ownedPaths(venv, dists, cache, next, cloneOf);
  const site = relative(resolve(venv), resolve(sitePackages));
  const walker = new Walker(venv, owned, cache, next, site, cloneOf);
  const units: UnownedFile[] = [];
  for (const rel of ["bin", site]) units.push(...walker.walk(rel).units);
  units.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (!cacheFile || !next) return units;
  const misses = next.misses ?? 0;
  delete next.misses;
  const result: LastResult = {
    dirs: Object.entries(next.dirs).map(([rel, d]) => [rel, d.stamp]),
    metadata: dists.map((d) => [d.metadataPath, metadataStamp(d.metadataPath) ?? ""]),
    units,
  };
  scans.set(cacheFile, { cache: next, last: result });
  answered.set(cacheFile, result);
  try {
    if (misses > 0) writeFileAtomic(cacheFile, JSON.stringify(next));
    writeFileAtomic(resultCacheOf(cacheFile), JSON.stringify(result));
  } catch {
    // a cache that cannot be written only costs speed
  }
  return units;
}

export function totalSize(units: UnownedFile[]): number {
  return units.reduce((sum, u) => sum + u.size, 0);
}

const within = (unit: UnownedFile, folder: UnownedFile) =>
  folder.path.endsWith("/") && unit.path.startsWith(folder.path);

/**
 * What must go (`remove`) and come back (`restore`) for a venv's unowned files to be `goal`'s; by
 * path. A folder that holds some of the goal's files is kept whole (the safe side).
 */
export function compareUnowned(
  current: UnownedFile[],
  goal: UnownedFile[],
): { remove: UnownedFile[]; restore: UnownedFile[] } {
  const covered = (u: UnownedFile, list: UnownedFile[]) =>
    list.some((g) => g.path === u.path || within(u, g) || within(g, u));
  return {
    remove: current.filter((u) => !covered(u, goal)),
    restore: goal.filter((g) => !current.some((u) => u.path === g.path || within(u, g) || within(g, u))),
  };
}
