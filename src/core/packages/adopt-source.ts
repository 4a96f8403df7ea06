/**
 * What `pyctl adopt` can take: distributions pip installed outside pyctl's venvs — the user site
 * (`pip install --user`), another venv, or a `pip install --target` folder — each with the files
 * its RECORD names, mapped to where they go in a pyctl venv, or the reason it cannot move.
 * Nothing here changes a file.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { PyctlError } from "../base/errors.ts";
import { userHome } from "../base/paths.ts";
import { readInventory, type Dist } from "./inventory.ts";
import { isVenv } from "../python/venv.ts";
import { listDir } from "../base/list-dir.ts";

export type SourceKind = "user-site" | "venv" | "target";

export interface AdoptSource {
  kind: SourceKind;
  /** Where the *.dist-info folders are. */
  site: string;
  /** The install prefix: ~/.local (PYTHONUSERBASE), the venv, or the --target folder itself. */
  root: string;
  /** The Python minor the layout was made for ("3.11"); undefined for a --target folder. */
  version?: string;
}

export interface AdoptFile {
  /** Where it is now (absolute). */
  from: string;
  /** Where it goes, relative to the venv root. */
  to: string;
  /** The RECORD line's `hash,size` (empty for files pip does not hash). */
  digest: string;
}

export interface Candidate {
  dist: Dist;
  /** The files that move (its RECORD's, bytecode and the RECORD itself left out). */
  files: AdoptFile[];
  /** Every file of it in the source, bytecode included: what leaves the source afterwards. */
  owned: string[];
  /** Why it cannot move; it is then left where it is. */
  reason?: string;
}

/** PYTHONUSERBASE, else ~/.local: the prefix of `pip install --user`. */
export function userBase(): string {
  return process.env.PYTHONUSERBASE || join(userHome(), ".local");
}

/** `python3 -m site --user-site` of a version, computed without starting Python. */
export function userSite(version: string): string {
  return join(userBase(), "lib", `python${version}`, "site-packages");
}

/** The versions that have a user site (~/.local/lib/pythonX.Y/site-packages), e.g. ["3.9", "3.11"]. */
export function userSiteVersions(): string[] {
  return sitesOf(userBase()).map((s) => s.version);
}

export function userSiteSource(version: string): AdoptSource {
  return { kind: "user-site", site: userSite(version), root: userBase(), version };
}

function ownerName(uid: number): string {
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.split(":")[2] === String(uid));
    return line?.split(":")[0] ?? `uid ${uid}`;
  } catch {
    return `uid ${uid}`;
  }
}

function sitesOf(prefix: string): { site: string; version: string }[] {
  return listDir(join(prefix, "lib"))
    .map((n) => /^python(\d+\.\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(prefix, "lib", m[0], "site-packages")))
    .map((m) => ({ site: join(prefix, "lib", m[0], "site-packages"), version: m[1]! }));
}

function holdsDists(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => n.endsWith(".dist-info") || n.endsWith(".egg-info"));
  } catch {
    return false;
  }
}

/**
 * What PATH names: a venv, a prefix or site-packages (lib/pythonX.Y/site-packages), or a
 * `pip install --target` folder. Bad input (missing, not a site-packages, another user's,
 * one of pyctl's own folders) is one PyctlError.
 */
export function sourceAt(path: string, pyctlHome: string): AdoptSource {
  if (!existsSync(path)) throw new PyctlError(`${path} does not exist`);
  const real = realpathSync(path);
  if (!statSync(real).isDirectory())
    throw new PyctlError(`${path} is not a site-packages, a venv or a --target folder (it is a file)`);
  const home = existsSync(pyctlHome) ? realpathSync(pyctlHome) : resolve(pyctlHome);
  if (`${real}/`.startsWith(`${home}/`))
    throw new PyctlError(`${path} is pyctl's own; adopt takes packages from elsewhere`);
  const uid = statSync(real).uid;
  if (uid !== process.geteuid?.()) {
    const what = isVenv(real) ? "a venv" : "a folder";
    throw new PyctlError(
      `${path} is ${what} of another user (${ownerName(uid)}); adopt takes only your own (you are ${userInfo().username})`,
    );
  }
  const nested = /^(.*)\/lib\/python(\d+\.\d+)\/site-packages$/.exec(real);
  if (nested) {
    const root = nested[1]!;
    return { kind: isVenv(root) ? "venv" : "user-site", site: real, root, version: nested[2]! };
  }
  const sites = sitesOf(real);
  if (sites.length > 1)
    throw new PyctlError(
      `${path} holds site-packages for several Pythons (${sites.map((s) => s.version).join(", ")}); name one of them`,
    );
  if (sites.length === 1)
    return { kind: isVenv(real) ? "venv" : "user-site", site: sites[0]!.site, root: real, version: sites[0]!.version };
  if (isVenv(real)) throw new PyctlError(`${path} is a venv without a lib/pythonX.Y/site-packages`);
  if (holdsDists(real)) return { kind: "target", site: real, root: real };
  throw new PyctlError(`${path} is not a site-packages: it holds no *.dist-info folders`, {
    hint: "adopt takes a venv, a site-packages or a `pip install --target` folder",
  });
}

/** RECORD lines as [path, "hash,size"]; a quoted path may hold commas. */
export function parseRecord(text: string): [string, string][] {
  const rows: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    if (line.startsWith('"')) {
      const end = line.indexOf('",');
      if (end > 0) rows.push([line.slice(1, end).replace(/""/g, '"'), line.slice(end + 2)]);
      continue;
    }
    const size = line.lastIndexOf(",");
    const hash = line.lastIndexOf(",", size - 1);
    if (hash > 0) rows.push([line.slice(0, hash), line.slice(hash + 1)]);
  }
  return rows;
}

const BYTECODE = /(^|\/)__pycache__\/|\.py[co]$/;

function inside(dir: string, path: string): string | undefined {
  const rel = relative(dir, path);
  return rel && !rel.startsWith("..") && !rel.startsWith("/") ? rel : undefined;
}

/** Where a RECORD path is now. pip's --target writes them relative to a scratch lib/python. */
function locate(source: AdoptSource, rel: string): string {
  if (source.kind === "target" && rel.startsWith("../../")) return join(source.root, rel.slice(6));
  return resolve(source.site, rel);
}

function compatible(tag: string, minor: number): boolean {
  const [pys = "", abis = ""] = tag.split("-");
  return pys.split(".").some((py) => {
    const m = /^(py|cp)(\d)(\d*)$/.exec(py);
    if (m?.[2] !== "3") return false;
    if (m[1] === "py") return m[3] === "" || Number(m[3]) === minor;
    const built = Number(m[3] || 0);
    return abis.split(".").some((abi) => (abi === "abi3" ? built <= minor : abi === "none" || built === minor));
  });
}

/** Why `dist` cannot run on Python `version`: its WHEEL tags or an extension's ABI suffix. */
export function incompatibility(dist: Dist, files: string[], version: string): string | undefined {
  const minor = Number(version.split(".")[1]);
  for (const file of files) {
    const abi = /\.cpython-(\d)(\d+)[^/]*\.so$/.exec(file);
    if (abi && (abi[1] !== "3" || Number(abi[2]) !== minor))
      return `compiled for Python ${abi[1]}.${abi[2]} (${basename(file)}), the venv is ${version}`;
  }
  let wheel = "";
  try {
    wheel = readFileSync(join(dist.metadataPath, "WHEEL"), "utf8");
  } catch {
    return undefined;
  }
  const tags = [...wheel.matchAll(/^Tag:\s*(\S+)/gm)].map((m) => m[1]!);
  if (tags.length && !tags.some((t) => compatible(t, minor)))
    return `built for ${tags.join(", ")} (WHEEL), the venv is Python ${version}`;
  return undefined;
}

/** The bytecode Python wrote next to a module: __pycache__/NAME.*.pyc. */
function bytecodeOf(file: string): string[] {
  const cache = join(dirname(file), "__pycache__");
  const stem = `${basename(file, ".py")}.`;
  try {
    return readdirSync(cache)
      .filter((n) => n.startsWith(stem) && n.endsWith(".pyc"))
      .map((n) => join(cache, n));
  } catch {
    return [];
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** One distribution of the source: its files mapped into a venv of `version`, or why not. */
export function examine(source: AdoptSource, dist: Dist, version: string): Candidate {
  const siteRel = join("lib", `python${version}`, "site-packages");
  const candidate: Candidate = { dist, files: [], owned: [] };
  if (dist.metadataPath.endsWith(".egg-info"))
    return { ...candidate, reason: "installed without a RECORD (legacy egg-info metadata)" };
  if (dist.directUrl?.dir_info?.editable)
    return { ...candidate, reason: "an editable install: run `pip install -e` on its project again" };
  let record: string;
  try {
    record = readFileSync(join(dist.metadataPath, "RECORD"), "utf8");
  } catch {
    return { ...candidate, reason: "its RECORD is missing, so which files are its own is unknown" };
  }
  const owned = new Set<string>(walk(dist.metadataPath));
  for (const [rel, digest] of parseRecord(record)) {
    const from = locate(source, rel);
    const inSite = inside(source.site, from);
    const inRoot = inside(source.root, from);
    if (inSite === undefined && inRoot === undefined)
      return { ...candidate, reason: `it installed files outside ${source.root} (${from})` };
    if (!existsSync(from)) continue;
    owned.add(from);
    if (from.endsWith(".py")) for (const pyc of bytecodeOf(from)) owned.add(pyc);
    if (BYTECODE.test(rel) || from === join(dist.metadataPath, "RECORD")) continue;
    candidate.files.push({ from, to: inSite !== undefined ? join(siteRel, inSite) : inRoot!, digest });
  }
  candidate.owned = [...owned].sort();
  const why = incompatibility(
    dist,
    candidate.files.map((f) => f.from),
    version,
  );
  if (why) return { ...candidate, reason: why };
  if (source.kind === "venv" && dist.key === "pip") return { ...candidate, reason: "a venv's own pip stays with it" };
  return candidate;
}

/** Every distribution of the source, examined for a venv of `version`. */
export function examineSource(source: AdoptSource, version: string): Candidate[] {
  return readInventory(source.site).map((d) => examine(source, d, version));
}

/** Distributions in the user sites of `versions` that `pyctl adopt` can move (for init and status). */
export function adoptableInUserSites(versions: string[]): Dist[] {
  return versions
    .flatMap((v) => (existsSync(userSite(v)) ? examineSource(userSiteSource(v), v).filter((c) => !c.reason) : []))
    .map((c) => c.dist);
}
