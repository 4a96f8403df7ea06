/**
 * The staging venv built from what the goal keeps: a hardlink clone of the live venv that leaves
 * out the files of the distributions the transaction removes or replaces from the store, instead
 * of cloning them only to unlink them. Cloning costs one link per file kept, so a switch from a
 * big set to a small one costs what the small one holds. The result is the file set that a full
 * clone followed by removeDist for each leaving distribution gives (staging.ts).
 */
import { mkdirSync, readlinkSync, rmdirSync, statSync, symlinkSync, copyFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { linkOrCopy } from "../base/fstree.ts";
import { fsPath, listEntries } from "../base/raw-names.ts";
import { recordPathsUnder } from "../packages/accounting.ts";
import type { UnownedFile } from "../packages/accounting.ts";
import type { Dist } from "../packages/inventory.ts";
import { BulkLink } from "./bulk-link.ts";

type Entry = ReturnType<typeof listEntries>[number];

/** What a clone leaves out, as paths relative to the venv. */
export interface Leaving {
  files: Set<string>;
  /** Metadata folders, left out whole. */
  dirs: Set<string>;
  /** Bytecode of left-out modules: "dir/__pycache__" -> module stems ("mod."). */
  bytecode: Map<string, Set<string>>;
  /**
   * Folders below site-packages that hold nothing else: only leaving files (and their bytecode),
   * no staying dist's file and no unowned file. Left out without being read (a 12,000-file package
   * costs one check, not 12,000).
   */
  wholeDirs: Set<string>;
}

/** Add the folders `rel` is in, below `top/` (not `top` itself), to `folders`; most files share theirs. */
function addFolders(folders: Set<string>, rel: string, top: string): void {
  for (let dir = dirname(rel); dir.startsWith(top) && !folders.has(dir); dir = dirname(dir)) folders.add(dir);
}

/** RECORD's paths of a dist, relative to the venv, without checking that they exist. */
function recordPaths(dist: Dist, root: string): string[] {
  return recordPathsUnder(dist.metadataPath, root) ?? [];
}

/**
 * The files only `leaving` own. Undefined when a leaving dist's RECORD names files outside the
 * venv: the full clone's removeDist then refuses it with its own message.
 */
export function leavingFiles(
  venv: string,
  leaving: Dist[],
  staying: Dist[],
  unowned: UnownedFile[] = [],
): Leaving | undefined {
  const root = resolve(venv);
  const result = nothingLeaves();
  const below = (dist: Dist) => `${relative(root, dirname(dist.metadataPath))}/`;
  const leavingDirs = new Set<string>();
  const keptDirs = new Set<string>();
  for (const dist of leaving) {
    // Paths, not files: one that is not there is not cloned anyway, so no stat is needed.
    const paths = recordPaths(dist, root);
    if (paths.some((rel) => rel.startsWith("..") || rel.startsWith("/"))) return undefined;
    result.dirs.add(relative(root, dist.metadataPath));
    const top = below(dist);
    for (const rel of paths) {
      result.files.add(rel);
      addFolders(leavingDirs, rel, top);
    }
  }
  for (const dist of staying) {
    const top = below(dist);
    for (const rel of recordPaths(dist, root)) {
      result.files.delete(rel);
      addFolders(keptDirs, rel, top);
    }
  }
  const top = leaving[0] ? below(leaving[0]) : "";
  for (const unit of unowned) {
    const rel = unit.path.replace(/\/$/, "");
    keptDirs.add(rel);
    addFolders(keptDirs, rel, top);
  }
  // A __pycache__ may hold the bytecode of modules beside it that stay: it is read, never left out whole.
  for (const dir of leavingDirs) if (!keptDirs.has(dir) && basename(dir) !== "__pycache__") result.wholeDirs.add(dir);
  for (const rel of result.files) {
    if (!rel.endsWith(".py")) continue;
    const cache = join(dirname(rel), "__pycache__");
    const stems = result.bytecode.get(cache) ?? new Set();
    stems.add(`${basename(rel, ".py")}.`);
    result.bytecode.set(cache, stems);
  }
  return result;
}

/** Nothing leaves: cloneKeeping is then a whole clone. */
export function nothingLeaves(): Leaving {
  return { files: new Set(), dirs: new Set(), bytecode: new Map(), wholeDirs: new Set() };
}

/** Whole folders cloned by cp (bulk-link.ts) while this process clones the rest; awaited by the caller. */
export interface Bulk {
  /** Folders of site-packages this process clones itself: the store will link files into them. */
  skip: Set<string>;
  started?: BulkLink;
  /** site-packages, relative to the venv. */
  site?: string;
}

/** The entries of site-packages (`site`, relative to the venv) that `files` (relative to it too) are in. */
export function topsIn(site: string, files: Iterable<string>): Set<string> {
  const tops = new Set<string>();
  const prefix = `${site}/`;
  for (const rel of files) if (rel.startsWith(prefix)) tops.add(rel.slice(prefix.length).split("/")[0]!);
  return tops;
}

function leftOut(rel: string, name: string, leaving: Leaving): boolean {
  if (leaving.files.has(rel)) return true;
  const stems = name.endsWith(".pyc") ? leaving.bytecode.get(dirname(rel)) : undefined;
  return stems !== undefined && [...stems].some((stem) => name.startsWith(stem));
}

/**
 * Recreate `src` at `dst` without what leaves: directories made, files hardlinked, symlinks
 * copied, top-level *.pth files of site-packages copied (pip edits easy-install.pth in place),
 * names that are not UTF-8 carried byte for byte (raw-names.ts).
 * A folder emptied only because its files left is removed again. Returns whether `dst` stays.
 */
export function cloneKeeping(src: string, dst: string, leaving: Leaving, rel = "", bulk?: Bulk): boolean {
  mkdirSync(fsPath(dst), { mode: statSync(fsPath(src)).mode & 0o7777 });
  let entries = listEntries(src);
  let kept = entries.length === 0;
  if (bulk && basename(rel) === "site-packages") {
    // The folders nothing leaves (most of a venv) are cloned by cp meanwhile, and always kept; metadata
    // folders are cloned here, so the staged venv's inventory can be read before cp is done.
    const { files, dirs, wholeDirs, bytecode } = leaving;
    const touched = topsIn(rel, [...files, ...dirs, ...wholeDirs, ...bytecode.keys()]);
    const whole = (e: Entry) =>
      e.isDir &&
      !e.isLink &&
      !touched.has(e.name) &&
      !bulk.skip.has(e.name) &&
      !/\.(dist|egg)-info$/.test(e.name) &&
      fsPath(e.name) === e.name;
    bulk.started = new BulkLink(
      src,
      dst,
      entries.filter(whole).map((e) => e.name),
    );
    bulk.site = rel;
    entries = entries.filter((e) => !whole(e));
    kept = true;
  }
  for (const { name, isDir, isLink } of entries) {
    const [from, to] = [join(src, name), join(dst, name)];
    const path = rel ? `${rel}/${name}` : name;
    if (isDir) {
      if (!leaving.dirs.has(path) && !leaving.wholeDirs.has(path))
        kept = cloneKeeping(from, to, leaving, path, bulk) || kept;
      continue;
    }
    if (leftOut(path, name, leaving)) continue;
    if (isLink) symlinkSync(readlinkSync(fsPath(from), { encoding: "buffer" }), fsPath(to));
    else if (name.endsWith(".pth") && basename(src) === "site-packages") copyFileSync(fsPath(from), fsPath(to));
    else linkOrCopy(from, to);
    kept = true;
  }
  // removeDist prunes the folders it empties, up to site-packages, bin/ or the venv: the same here.
  if (kept || rel === "" || rel === "bin" || basename(rel) === "site-packages") return true;
  rmdirSync(fsPath(dst));
  return false;
}
