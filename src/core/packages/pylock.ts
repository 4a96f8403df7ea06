/**
 * PEP 751 lock files (pylock.toml, pylock.NAME.toml) read for `pyctl apply`: pyctl's own export,
 * pip's `pip lock` and uv's. A lock is turned into the requirements file pip installs it from:
 * each entry pinned, with the hashes the lock gives (pip checks every download against them),
 * the entry's index as --index-url/--extra-index-url, a wheel or archive without an index as
 * `name @ URL`, a local wheel by its path (relative to the lock), a VCS entry at its commit, a
 * directory as a path. An entry that names none of these cannot be installed and is refused.
 * pyctl's export says in [tool.pyctl] `explicit` which packages were asked for; for another
 * tool's lock, the packages no other entry depends on (or every entry, when none says).
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { PyctlError } from "../base/errors.ts";
import { canonicalName } from "./pep440.ts";
import { parseMarker, evaluateMarker, type MarkerEnvironment } from "./requirements.ts";

type Table = Record<string, unknown>;

interface LockFile {
  url?: string;
  path?: string;
  hashes?: Record<string, string>;
}

export interface LockedPackage {
  key: string;
  name: string;
  version?: string;
  /** The requirements-file line pip installs it from, per-requirement --hash options included. */
  line: string;
  /** "algo:digest" for every file the lock allows. */
  hashes: string[];
  index?: string;
}

export interface Pylock {
  path: string;
  packages: LockedPackage[];
  /** Canonical names of the packages that were asked for. */
  explicit: Set<string>;
}

const PYLOCK_NAME = /(^|\/)pylock\.([^./]+\.)?toml$/;

/** Whether FILE is read as a lock: its name (PEP 751's) or its first key. */
export function isPylockPath(path: string, text?: string): boolean {
  return PYLOCK_NAME.test(path) || (text !== undefined && /^\s*lock-version\s*=/m.test(text.slice(0, 4096)));
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}

/** The hash algorithms pip checks (others in a lock are skipped). */
const PIP_HASHES = new Set(["sha256", "sha384", "sha512"]);

function hashList(files: LockFile[]): string[] {
  return files.flatMap((f) =>
    Object.entries(f.hashes ?? {})
      .filter(([algo]) => PIP_HASHES.has(algo))
      .map(([algo, digest]) => `${algo}:${digest}`),
  );
}

function fileLocation(file: LockFile, base: string): string | undefined {
  if (file.url) return file.url;
  if (file.path) return `file://${isAbsolute(file.path) ? file.path : join(base, file.path)}`;
  return undefined;
}

/** The requirement text of one entry, or undefined when it names nothing to install from. */
function requirementOf(pkg: Table, name: string, base: string): string | undefined {
  const version = str(pkg.version);
  const vcs = pkg.vcs as Table | undefined;
  if (vcs) {
    const url = str(vcs.url) ?? (str(vcs.path) && `file://${resolve(base, str(vcs.path)!)}`);
    const sub = str(vcs.subdirectory) ? `#subdirectory=${str(vcs.subdirectory)}` : "";
    return url && `${name} @ ${str(vcs.type) ?? "git"}+${url}@${str(vcs["commit-id"]) ?? ""}${sub}`;
  }
  const directory = pkg.directory as Table | undefined;
  if (directory && str(directory.path)) {
    const path = resolve(base, str(directory.path)!);
    return directory.editable === true ? `-e ${path}` : `${name} @ file://${path}`;
  }
  const archive = pkg.archive as LockFile | undefined;
  const archiveAt = archive && fileLocation(archive, base);
  if (archiveAt) return `${name} @ ${archiveAt}`;
  if (!version) return undefined;
  if (str(pkg.index)) return `${name}==${version}`;
  const files = [...((pkg.wheels as LockFile[] | undefined) ?? []), ...(pkg.sdist ? [pkg.sdist as LockFile] : [])];
  const located = files.map((f) => fileLocation(f, base)).filter((u): u is string => u !== undefined);
  // One file: exactly it. Several (wheels for other platforms): pip picks among their folder's links.
  if (located.length === 1) return `${name} @ ${located[0]}`;
  return located.length ? `${name}==${version}` : undefined;
}

function lockFiles(pkg: Table): LockFile[] {
  const archive = pkg.archive ? [pkg.archive as LockFile] : [];
  const sdist = pkg.sdist ? [pkg.sdist as LockFile] : [];
  return [...((pkg.wheels as LockFile[] | undefined) ?? []), ...sdist, ...archive];
}

function explicitOf(doc: Table, packages: Table[]): Set<string> {
  const tool = (doc.tool as Table | undefined)?.pyctl as Table | undefined;
  if (Array.isArray(tool?.explicit)) return new Set((tool.explicit as string[]).map(canonicalName));
  const depended = new Set(
    packages.flatMap((p) => ((p.dependencies as Table[] | undefined) ?? []).map((d) => canonicalName(String(d.name)))),
  );
  return new Set(packages.map((p) => canonicalName(String(p.name))).filter((k) => !depended.has(k)));
}

async function parseToml(path: string, text: string): Promise<Table> {
  const toml = (await import("@iarna/toml")).default;
  try {
    return toml.parse(text) as Table;
  } catch (err) {
    const line = (err as { line?: number }).line;
    throw new PyctlError(`${path}: not valid TOML${line === undefined ? "" : ` (line ${line + 1})`}`);
  }
}

/** The lock's entries that apply here (markers evaluated), each with its line for pip. */
export async function readPylock(path: string, env: MarkerEnvironment): Promise<Pylock> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new PyctlError(`cannot read ${path}`);
  }
  const doc = await parseToml(path, text);
  if (!/^1\./.test(String(doc["lock-version"] ?? "")))
    throw new PyctlError(`${path}: lock-version ${String(doc["lock-version"] ?? "(none)")} is not PEP 751's 1.x`);
  const raw = Array.isArray(doc.packages) ? (doc.packages as Table[]) : [];
  const base = dirname(resolve(path));
  const packages: LockedPackage[] = [];
  for (const pkg of raw) {
    const name = str(pkg.name);
    if (!name) throw new PyctlError(`${path}: a [[packages]] entry has no name`);
    if (str(pkg.marker) && !evaluateMarker(parseMarker(String(pkg.marker)), env)) continue;
    const requirement = requirementOf(pkg, name, base);
    if (!requirement)
      throw new PyctlError(`${path}: ${name} names neither an index URL nor a file to install it from`, {
        hint: "the lock was written without its download locations; export it again where the index is reachable",
      });
    const hashes = requirement.includes("+") && pkg.vcs ? [] : hashList(lockFiles(pkg));
    const line = [requirement, ...hashes.map((h) => `--hash=${h}`)].join(" ");
    packages.push({ key: canonicalName(name), name, version: str(pkg.version), line, hashes, index: str(pkg.index) });
  }
  if (packages.length === 0) throw new PyctlError(`${path} names no packages for this Python`);
  return { path, packages, explicit: explicitOf(doc, raw) };
}

/** The lock as a requirements file for pip: its indexes first, then one line per entry. */
export function pylockRequirementsText(lock: Pylock): string {
  const indexes = [...new Set(lock.packages.map((p) => p.index).filter((i): i is string => i !== undefined))];
  const options = indexes.map((url, i) => `${i === 0 ? "--index-url" : "--extra-index-url"} ${url}`);
  return `${[...options, ...lock.packages.map((p) => p.line)].join("\n")}\n`;
}
