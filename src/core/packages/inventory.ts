/**
 * Subsystem packages: what is installed and what it means, read from files only. It owns the
 * inventory of a site-packages (this file), PEP 440 versions (pep440.ts), PEP 508
 * requirements and requirements files (requirements.ts), the dependency graph
 * (dependencies.ts) and how pip's command line reads (pip-args.ts).
 *
 * What is installed in a venv, read straight from site-packages' *.dist-info (and *.egg-info)
 * folders: no Python process. `freeze()` prints it exactly as `pip freeze` would.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { runChild } from "../python/child.ts";
import { writeFileAtomic } from "../base/atomic.ts";
import { buildOf } from "../python/record.ts";
import { canonicalName, normalizeVersion } from "./pep440.ts";

export interface DirectUrl {
  url: string;
  subdirectory?: string;
  dir_info?: { editable?: boolean };
  archive_info?: { hash?: string; hashes?: Record<string, string> };
  vcs_info?: { vcs: string; commit_id: string; requested_revision?: string };
}

export interface Dist {
  /** The project name as its metadata spells it (what pip freeze prints). */
  name: string;
  /** PEP 503 normalised name: the identity of the project. */
  key: string;
  /** Normalised PEP 440 version, or the raw string when it is not PEP 440. */
  version: string;
  pep440: boolean;
  /** The .dist-info or .egg-info path. */
  metadataPath: string;
  /** Installed on its own request (pip's REQUESTED marker), not only as a dependency. */
  requested: boolean;
  /** INSTALLER's content ("pip"), "" when absent; read on first use. */
  readonly installer: string;
  directUrl?: DirectUrl;
  /**
   * Which build this is: a hash of RECORD's file hashes (record.ts buildKey), so two builds of one
   * version tell apart; undefined without a RECORD. Kept in the scan cache, else read on first use.
   */
  readonly build?: string;
}

export function sitePackagesOf(venv: string, pythonVersion: string): string {
  return join(venv, "lib", `python${pythonVersion}`, "site-packages");
}

const chunk = Buffer.allocUnsafe(8192);

/** Read the RFC 822 header block of METADATA / PKG-INFO, without the (possibly long) body. */
export function readHeaders(file: string): Map<string, string[]> {
  const fd = openSync(file, "r");
  let text = "";
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      text += chunk.toString("utf8", 0, n);
      const end = text.search(/\r?\n\r?\n/);
      if (end >= 0) {
        text = text.slice(0, end);
        break;
      }
      if (n < chunk.length) break; // a short read is the end of the file: no second read(2)
    }
  } finally {
    closeSync(fd);
  }
  const headers = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || line[0] === " " || line[0] === "\t") continue;
    const field = line.slice(0, colon).toLowerCase();
    const values = headers.get(field) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(field, values);
  }
  return headers;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** `build` "" means the dist-info has no readable RECORD. */
type DistFields = Omit<Dist, "metadataPath" | "installer" | "build"> & { build?: string };

function withPath(metadataPath: string, fields: DistFields): Dist {
  let installer: string | undefined;
  let build = fields.build;
  return {
    ...fields,
    metadataPath,
    get installer() {
      installer ??= (metadataPath.endsWith(".dist-info") && readText(join(metadataPath, "INSTALLER"))?.trim()) || "";
      return installer;
    },
    get build() {
      build ??= (metadataPath.endsWith(".dist-info") && buildOf(metadataPath)) || "";
      return build || undefined;
    },
  };
}

/**
 * direct_url.json as pip reads it: one that is not JSON, or has no string `url`, is ignored with a
 * warning (pip's `BaseDistribution.direct_url`), so the distribution counts as one from an index.
 */
export function parseDirectUrl(text: string | undefined): DirectUrl | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as DirectUrl | null;
    if (typeof parsed?.url !== "string") return undefined;
    new URL(parsed.url);
    return parsed;
  } catch {
    return undefined;
  }
}

/** One distribution from its metadata folder (or legacy PKG-INFO file); null if unreadable. */
function readDist(metadataPath: string, isDir: boolean): DistFields | null {
  const isDistInfo = metadataPath.endsWith(".dist-info");
  let headers: Map<string, string[]>;
  try {
    headers = readHeaders(isDir ? join(metadataPath, isDistInfo ? "METADATA" : "PKG-INFO") : metadataPath);
  } catch {
    return null; // unreadable metadata: pip skips such a distribution too (doctor reports it)
  }
  const rawName = headers.get("name")?.[0];
  const rawVersion = headers.get("version")?.[0];
  if (!rawName || rawVersion === undefined) return null;
  const normalized = normalizeVersion(rawVersion);
  const directUrl = isDistInfo ? parseDirectUrl(readText(join(metadataPath, "direct_url.json"))) : undefined;
  return {
    name: rawName,
    key: canonicalName(rawName),
    version: normalized ?? rawVersion,
    pep440: normalized !== null,
    requested: isDistInfo && existsSync(join(metadataPath, "REQUESTED")),
    ...(directUrl ? { directUrl } : {}),
  };
}

/**
 * What a scan learnt, keyed by metadata folder and its stat stamp. pip never edits a dist-info
 * in place (it writes a new folder, and REQUESTED or direct_url.json appear with it), so an
 * unchanged stamp means unchanged metadata: one stat(2) per distribution instead of five calls.
 */
type ScanCache = Record<string, { stamp: string; dist: DistFields | null }>;

function readCache(file: string | undefined): ScanCache {
  if (!file) return {};
  try {
    const cache = JSON.parse(readFileSync(file, "utf8")) as ScanCache | null;
    return cache && typeof cache === "object" && !Array.isArray(cache) ? cache : {};
  } catch {
    return {};
  }
}

/**
 * A project name as pip reads it from a metadata folder's name. pip freeze skips folders whose
 * name is not one: pip's uninstall stash (`~lpha-1.0.dist-info`, left when pip was interrupted).
 */
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** Each metadata folder's stat stamp as the last readInventory took it (accounting.ts reuses them). */
export const metadataStamps = new Map<string, string>();

/**
 * Every distribution in `sitePackages`, first spelling of a project wins (as for pip).
 * `cacheFile` (optional) remembers the last scan so unchanged folders are not read again.
 * `known`: dists of another venv this one was cloned from; a RECORD that is the same file (a
 * hardlink) is the same build, so it is not read and hashed again.
 */
export function readInventory(sitePackages: string, cacheFile?: string, known: Dist[] = []): Dist[] {
  let entries: string[];
  try {
    entries = readdirSync(sitePackages);
  } catch {
    return [];
  }
  const cache = readCache(cacheFile);
  const next: ScanCache = {};
  let changed = false;
  const seen = new Map<string, Dist>();
  let knownByEntry: Map<string, Dist> | undefined;
  for (const entry of entries.sort()) {
    if (!entry.endsWith(".dist-info") && !entry.endsWith(".egg-info")) continue;
    if (!VALID_NAME.test(entry.split("-", 1)[0]!.replace(/\.(dist|egg)-info$/, ""))) continue; // pip's ~stash
    const path = join(sitePackages, entry);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) continue;
    const stamp = `${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
    metadataStamps.set(path, stamp);
    const hit = cache[entry]?.stamp === stamp ? cache[entry] : undefined;
    const fields = hit ? hit.dist : readDist(path, st.isDirectory());
    changed ||= !hit;
    // A cached scan keeps the build too ("": no RECORD), so a recorded write reads no RECORD twice.
    if (cacheFile && fields && fields.build === undefined && entry.endsWith(".dist-info")) {
      fields.build = buildOf(path) ?? "";
      changed = true;
    }
    next[entry] = { stamp, dist: fields };
    if (fields && fields.build === undefined && known.length) {
      knownByEntry ??= new Map(known.map((d) => [basename(d.metadataPath), d]));
      const build = sameRecordBuild(path, knownByEntry.get(entry));
      if (build) fields.build = build;
    }
    if (fields && !seen.has(fields.key)) seen.set(fields.key, withPath(path, fields));
  }
  changed ||= Object.keys(cache).length !== Object.keys(next).length;
  if (cacheFile && changed) {
    try {
      writeFileAtomic(cacheFile, JSON.stringify(next));
    } catch {
      // a cache that cannot be written only costs speed
    }
  }
  return [...seen.values()].sort((a, b) => compareNames(a.name, b.name));
}

/** `other`'s build when `metadataPath`'s RECORD is the very file `other`'s is (a hardlink clone). */
function sameRecordBuild(metadataPath: string, other: Dist | undefined): string | undefined {
  if (!other) return undefined;
  const mine = statSync(join(metadataPath, "RECORD"), { throwIfNoEntry: false });
  const theirs = statSync(join(other.metadataPath, "RECORD"), { throwIfNoEntry: false });
  return mine && theirs && mine.ino === theirs.ino && mine.dev === theirs.dev ? other.build : undefined;
}

export function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function editableLocation(dist: Dist): string | undefined {
  const d = dist.directUrl;
  if (!d?.dir_info?.editable || !d.url.startsWith("file:")) return undefined;
  return decodeURIComponent(new URL(d.url).pathname);
}

/** `name==version`, or `name===version` where the version is not PEP 440. */
export function pin(dist: Pick<Dist, "name" | "version" | "pep440">): string {
  return `${dist.name}${dist.pep440 ? "==" : "==="}${dist.version}`;
}

function directReference(dist: Dist, d: DirectUrl): string {
  let req = `${dist.name} @ `;
  const fragments: string[] = [];
  if (d.vcs_info) req += `${d.vcs_info.vcs}+${d.url}@${d.vcs_info.commit_id}`;
  else {
    req += d.url;
    if (d.archive_info?.hash) fragments.push(d.archive_info.hash);
  }
  if (d.subdirectory) fragments.push(`subdirectory=${d.subdirectory}`);
  return fragments.length ? `${req}#${fragments.join("&")}` : req;
}

function findVcsRoot(location: string): string | undefined {
  for (let dir = location; ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function git(cwd: string, ...args: string[]): string {
  const result = runChild(["git", ...args], { cwd });
  return result.status === 0 ? result.stdout.trim() : "";
}

/** pip's `_get_editable_info`: `-e <location>` with a comment, or a git URL where git knows one. */
function editableLines(dist: Dist, location: string): string[] {
  const where = resolve(location);
  const display = pin(dist);
  if (!findVcsRoot(where)) return [`# Editable install with no version control (${display})`, `-e ${where}`];
  const remotes = git(where, "config", "--get-regexp", "remote\\..*\\.url").split("\n").filter(Boolean);
  const origin = remotes.find((r) => r.startsWith("remote.origin.url ")) ?? remotes[0];
  if (!origin) return [`# Editable Git install with no remote (${display})`, `-e ${where}`];
  const url = origin.slice(origin.indexOf(" ") + 1);
  const commit = git(where, "rev-parse", "HEAD");
  return [`-e git+${url}@${commit}#egg=${dist.name}`];
}

/** Projects pip freeze leaves out unless --all (pip's DEV_PKGS, which depend on the Python version). */
export function hiddenFromFreeze(pythonVersion: string): Set<string> {
  const minor = Number(pythonVersion.split(".")[1]);
  const hidden = ["pip", "python", "wsgiref", "argparse"];
  if (minor < 12) hidden.push("setuptools", "distribute", "wheel", "pkg-resources");
  return new Set(hidden);
}

export function freezeLinesOf(dist: Dist): string[] {
  const location = editableLocation(dist);
  if (location) return editableLines(dist, location);
  if (dist.directUrl) return [directReference(dist, dist.directUrl)];
  return [pin(dist)];
}

/** The text `pip freeze` (or `pip freeze --all`) prints for this inventory. */
export function freeze(dists: Dist[], options: { pythonVersion: string; all?: boolean }): string {
  const hidden = options.all ? new Set(["python", "wsgiref", "argparse"]) : hiddenFromFreeze(options.pythonVersion);
  return dists
    .filter((d) => !hidden.has(d.key))
    .flatMap(freezeLinesOf)
    .map((line) => `${line}\n`)
    .join("");
}
