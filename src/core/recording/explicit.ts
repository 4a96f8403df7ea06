/**
 * What the user asked for, beyond pip's REQUESTED marker: pip writes that marker only when it
 * installs a package, so `pip install alpha` for an alpha that is already there as a dependency
 * leaves no trace in the venv. The history keeps the command line, and the extras
 * (`pip install gamma[fast]`) that REQUESTED never records.
 *
 * The explicit set is REQUESTED and history together. Every history entry records it (a package
 * record's `requested`), and each recorded pip write carries the previous entry's set forward for
 * the packages still installed, so it survives uninstall + undo, clean + undo and snapshots.
 * Transactions write it into the new venv as REQUESTED markers (transaction/staging.ts).
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { entryFile, ids, newestState, readItem, type AfterEntry, type BeforeEntry } from "./history.ts";
import { PIP_INSTALL_VALUE_OPTIONS, PIP_VALUE_OPTIONS, parsePipArgs } from "../packages/pip-args.ts";
import { canonicalName } from "../packages/pep440.ts";
import { normalizeExtra, parseRequirement } from "../packages/requirements.ts";
import type { Dist } from "../packages/inventory.ts";
import type { Target } from "./target.ts";

/** Options that take a value (the value is not a requirement): pip's global ones and install's. */
const VALUE_OPTIONS = new Set([...PIP_VALUE_OPTIONS, ...PIP_INSTALL_VALUE_OPTIONS]);

/** One `OP VERSION` clause that is valid PEP 440 as it stands (wildcards only after == and !=). */
const SIMPLE_CLAUSE = /^(?:(?:==|!=)\d+(?:\.\d+)*(?:\.\*)?|(?:>=|<=|<|>)\d+(?:\.\d+)*|~=\d+(?:\.\d+)+)$/;

/**
 * `name[extras]` with plain numeric clauses (`alpha==1.0`, `beta>=2,<3`), read without the PEP 440
 * library that parseRequirement loads to check other specifiers: the common case of a pip write.
 */
function simpleRequirement(arg: string): { key: string; extras: string[] } | undefined {
  if (/[;@\s()]/.test(arg)) return undefined;
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?:\[([^\]]*)\])?(.*)$/.exec(arg);
  if (!m || (m[3] && !m[3].split(",").every((clause) => SIMPLE_CLAUSE.test(clause)))) return undefined;
  return { key: canonicalName(m[1]!), extras: m[2] ? m[2].split(",").map(normalizeExtra).filter(Boolean) : [] };
}

/** The requirements named on a pip command line (not files, paths or URLs), with the subcommand. */
export function namedRequirements(pipArgs: string[]): { subcommand?: string; names: Map<string, string[]> } {
  const line = parsePipArgs(pipArgs);
  const names = new Map<string, string[]>();
  if (line.index < 0) return { names };
  const rest = pipArgs.slice(line.index + 1);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg.startsWith("-")) {
      if (VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    if (/[/\\]|^\.|\.(whl|zip|tar\.gz)$/.test(arg) && !arg.includes(" @ ")) continue;
    try {
      const req = simpleRequirement(arg) ?? parseRequirement(arg);
      names.set(req.key, req.extras);
    } catch {
      // not a requirement pip would read by name either
    }
  }
  return { subcommand: line.subcommand, names };
}

type Requested = Map<string, Set<string>>;

/** One after-state's effect on what the history says the user asked for. */
function foldEntry(requested: Requested, entry: AfterEntry): void {
  for (const pin of entry.changes.removed) requested.delete(canonicalName(pin.split(/===?/)[0]!));
  // A transaction (undo, restore, …) that reached its goal set the marks: what it left a dependency is one.
  if (entry.kind !== "pip" && entry.exit_code === 0)
    for (const p of entry.packages) if (!p.requested) requested.delete(canonicalName(p.name));
  if (entry.kind !== "pip" || entry.exit_code !== 0) return;
  const { subcommand, names } = namedRequirements(entry.pip_args);
  if (subcommand !== "install") return;
  for (const [key, extras] of names) {
    const known = requested.get(key) ?? new Set<string>();
    for (const extra of extras) known.add(extra);
    requested.set(key, known);
  }
}

/**
 * The fold so far, in pyXY/requested-cache.json (a cache, safe to delete): through which id, that
 * entry's stat stamp, and the answer. A later call folds only the entries after it, so commands
 * that need the explicit set (list, every transaction) read the newest entries, not the history.
 */
interface FoldCache {
  through: number;
  stamp: string;
  requested: [string, string[]][];
}

function stampOf(path: string): string {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.mtimeMs}:${st.size}` : "-";
}

function readFold(file: string, historyDir: string): { through: number; requested: Requested } | undefined {
  try {
    const cache = JSON.parse(readFileSync(file, "utf8")) as FoldCache;
    if (stampOf(entryFile(historyDir, cache.through, "after")) !== cache.stamp) return undefined;
    return { through: cache.through, requested: new Map(cache.requested.map(([k, e]) => [k, new Set(e)])) };
  } catch {
    return undefined;
  }
}

function saveFold(file: string, historyDir: string, through: number, requested: Requested): void {
  const cache: FoldCache = {
    through,
    stamp: stampOf(entryFile(historyDir, through, "after")),
    requested: [...requested].map(([k, e]) => [k, [...e]]),
  };
  try {
    writeFileAtomic(file, JSON.stringify(cache));
  } catch {
    /* a cache: the next call folds the history again */
  }
}

/**
 * Packages the recorded history says the user asked for (canonical name -> extras asked for):
 * named by a successful `pip install`, and not removed by a later operation (uninstall, undo,
 * restore, autoremove). An operation still running (the newest, with no after-state) is not
 * folded into the cache, so it counts once it has ended.
 */
export function requestedInHistory(historyDir: string): Requested {
  const cacheFile = join(dirname(historyDir), "requested-cache.json");
  const all = ids(historyDir);
  const cached = readFold(cacheFile, historyDir);
  const start = cached && all.includes(cached.through) ? cached : { through: 0, requested: new Map() };
  const requested: Requested = start.requested;
  let through = start.through;
  let complete = true;
  for (const id of all) {
    if (id <= start.through) continue;
    const { after } = readItem(historyDir, id);
    if (after) foldEntry(requested, after);
    if (complete && after) through = id;
    else if (id === all.at(-1)) complete = false;
  }
  if (through !== start.through) saveFold(cacheFile, historyDir, through, requested);
  return requested;
}

/** Packages the newest history entry records as explicit (canonical names). */
export function carriedExplicit(historyDir: string): Set<string> {
  return recordedExplicit(newestState(historyDir));
}

export function recordedExplicit(entry: Pick<BeforeEntry, "packages"> | undefined): Set<string> {
  const keys = new Set<string>();
  for (const p of entry?.packages ?? []) if (p.requested) keys.add(canonicalName(p.name));
  return keys;
}

/** Packages a `pip install` command names (canonical names); explicit once it succeeded. */
export function namedByInstall(pipArgs: string[]): Set<string> {
  const { subcommand, names } = namedRequirements(pipArgs);
  return subcommand === "install" ? new Set(names.keys()) : new Set();
}

/**
 * The explicit set of an installed set: REQUESTED markers, what the newest entry recorded as
 * explicit (for packages still installed), and what the history says the user installed by name.
 * Canonical name -> extras asked for.
 */
export function explicitOf(target: Target, dists: Dist[]): Map<string, Set<string>> {
  const named = requestedInHistory(target.historyDir);
  const carried = carriedExplicit(target.historyDir);
  for (const d of dists) if ((d.requested || carried.has(d.key)) && !named.has(d.key)) named.set(d.key, new Set());
  return named;
}
