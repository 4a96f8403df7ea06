/**
 * The FILE of `pyctl apply`: a requirements file (freeze or not) or a PEP 751 lock, read as one
 * requirements file pip can install from, with what it says about each project: its hashes
 * (pip checks downloads against them; pyctl takes an installed or stored version only if it came
 * from a file with one of them) and whether it was asked for (pyctl's export marks dependencies
 * by ending explicit lines with `# explicit`, as snapshots do; a pylock says it in [tool.pyctl] explicit).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { PyctlError } from "../base/errors.ts";
import type { Dist } from "../packages/inventory.ts";
import { isPylockPath, pylockRequirementsText, readPylock } from "../packages/pylock.ts";
import { logicalLines, readRequirementsFile, type RequirementsFile } from "../packages/requirements-file.ts";
import { parseRequirement, type MarkerEnvironment } from "../packages/requirements.ts";
import type { Target } from "../recording/target.ts";

/** pyctl's export and snapshots end the lines of packages that were asked for with "# explicit". */
const EXPLICIT_HEADER = /^#\s*explicit:/m;
const EXPLICIT_MARK = /\s#\s*explicit\s*$/;

export interface ApplySource {
  /** FILE as given. */
  path: string;
  /** What pip reads (for a lock: a requirements file written from it). */
  file: RequirementsFile;
  hashed: boolean;
  /** A PEP 751 lock: every entry pinned, dependencies included (pip needs not resolve them). */
  lock: boolean;
  /** "algo:digest" the file allows, by project. */
  hashes: Map<string, Set<string>>;
  /** Asked for (true) or only a dependency (false), for the projects the file says it of. */
  marks: Map<string, boolean>;
  /** A folder for the files pip is given; removed by `dispose`. */
  scratch: string;
  dispose(): void;
}

function keyOf(text: string): string | undefined {
  try {
    return parseRequirement(text.replace(/\s+--hash[=\s]\S+/g, "")).key;
  } catch {
    return undefined;
  }
}

/** --hash options and pyctl's dependency mark of a requirements file's own lines. */
function readAnnotations(path: string, text: string): Pick<ApplySource, "hashes" | "marks"> {
  const hashes = new Map<string, Set<string>>();
  const marks = new Map<string, boolean>();
  for (const [, line] of logicalLines(text, process.env)) {
    const key = !line.startsWith("-") && keyOf(line);
    const found = [...line.matchAll(/--hash[=\s](\S+)/g)].map((m) => m[1]!);
    if (key && found.length) hashes.set(key, new Set(found));
    if (key) marks.set(key, true);
  }
  if (EXPLICIT_HEADER.test(text)) {
    for (const raw of text.split(/\r?\n/)) {
      const key = !raw.trim().startsWith("#") && keyOf(raw.replace(/\s#.*$/, "").trim());
      if (key) marks.set(key, EXPLICIT_MARK.test(raw));
    }
  }
  if (hashes.size === 0 && /--require-hashes/.test(text))
    throw new PyctlError(`${path}: --require-hashes without a --hash on any line`);
  return { hashes, marks };
}

export async function readApplySource(path: string, env: MarkerEnvironment): Promise<ApplySource> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new PyctlError(`cannot read ${path}`);
  }
  const scratch = mkdtempSync(join(tmpdir(), "pyctl-apply-"));
  const dispose = () => rmSync(scratch, { recursive: true, force: true });
  try {
    if (isPylockPath(path, text)) {
      const lock = await readPylock(path, env);
      const asRequirements = join(scratch, "pylock-requirements.txt");
      writeFileSync(asRequirements, pylockRequirementsText(lock));
      const hashes = new Map(lock.packages.filter((p) => p.hashes.length).map((p) => [p.key, new Set(p.hashes)]));
      const marks = new Map(lock.packages.map((p) => [p.key, lock.explicit.has(p.key)]));
      const file = { ...readRequirementsFile(asRequirements), path };
      return { path, file, hashed: hashes.size > 0, lock: true, hashes, marks, scratch, dispose };
    }
    const file = readRequirementsFile(path);
    const { hashes, marks } = readAnnotations(path, text);
    return { path, file, hashed: hashes.size > 0, lock: false, hashes, marks, scratch, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/**
 * Where apply keeps the sha256 of each file pip fetched for a hashed line ("name==version" ->
 * "sha256:…"): what lets a later apply of the same lock take that version from the store.
 */
function originsFile(target: Target): string {
  return join(target.layout.versionDir(target.version), "apply-origins.json");
}

export function readOrigins(target: Target): Record<string, string> {
  try {
    return JSON.parse(readFileSync(originsFile(target), "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

export function recordOrigins(target: Target, fetched: Record<string, string>): void {
  if (Object.keys(fetched).length === 0) return;
  writeFileAtomic(originsFile(target), `${JSON.stringify({ ...readOrigins(target), ...fetched }, null, 2)}\n`);
}

/** Whether an installed or stored dist may stand for the file's line: no hashes asked, or one it came from. */
export function acceptsDist(source: ApplySource, origins: Record<string, string>): (dist: Dist) => boolean {
  return (dist) => {
    const allowed = source.hashes.get(dist.key);
    if (!allowed) return !source.hashed;
    const origin = origins[`${dist.key}==${dist.version}`];
    return origin !== undefined && allowed.has(origin);
  };
}
