/**
 * What a rebuild will do (also what `--dry-run` shows): the old set, from the old venv's files or
 * the last recorded state; for the same minor version the goal (all of it) and what the store
 * lacks; for a new one, what is carried from the old store and what pip must install: the
 * explicit packages, and every other package of the old set that cannot be carried (compiled,
 * or not in the store), so the new venv's goal is the whole old set.
 */
import { existsSync } from "node:fs";
import { PROTECTED } from "../packages/dependencies.ts";
import { editableLocation, readInventory, type Dist } from "../packages/inventory.ts";
import { canonicalName } from "../packages/pep440.ts";
import type { Interpreter } from "../python/interpreter.ts";
import { requestedInHistory } from "../recording/explicit.ts";
import { graphOf } from "../recording/graph.ts";
import { listHistory } from "../recording/history.ts";
import type { Target } from "../recording/target.ts";
import { carriableEntry } from "../transaction/carry.ts";
import { goalFromEntry, goalKeeping, type Goal } from "../transaction/plan.ts";
import { notStored, sourcesOf } from "../transaction/sources.ts";
import { sitePackagesRel } from "../transaction/staging.ts";
import type { TransactionEvents } from "../transaction/transaction.ts";
import { venvWorks } from "../transaction/venv-runs.ts";

/** One package for the pip step: pinned to the old version, and a looser fallback. */
export interface Reinstall {
  name: string;
  key: string;
  version?: string;
  pinned: string[];
  loose?: string[];
  /** Asked for (explicit) in the old venv; the others are reinstalled as dependencies. */
  explicit: boolean;
}

export interface RebuildPlan {
  from: Target;
  to: Target;
  python: Interpreter;
  /** To another minor version (a new venv), rather than the same venv rebuilt in place. */
  moving: boolean;
  /** Same version: the complete old set. */
  goal?: Goal;
  /** Same version: goal lines the store lacks (pip would have to download them). */
  notStored: string[];
  /** New version: the explicit packages and the old set's packages that cannot be carried, for the pip step. */
  packages: Reinstall[];
  /** New version: pure-Python dists of the old set taken from the old store, and what stays behind. */
  carried: { key: string; name: string; version: string; requested: boolean }[];
  /** New version: pip, setuptools and wheel of the old venv that nobody asked for: the new venv has its own (as its Python's venv module makes them). */
  ownedByVenv: string[];
  /** New version: packages that cannot be reinstalled at all (`line`: name==version, as `missing` records it). */
  skipped: { name: string; reason: string; line: string }[];
  /** The old venv still runs (its base interpreter is there). */
  oldWorks: boolean;
}

export interface RebuildResult {
  /** New version: how each explicit package was asked of pip (`pinned: false`: its old version is gone). */
  reinstalled: { name: string; args: string[]; pinned: boolean }[];
  /** Accepted with allowMissing: what the new venv lacks. */
  missing: string[];
  switched: boolean;
  interrupted: boolean;
  oldRemoved: boolean;
  defaultMoved: boolean;
  entryId: number;
}

function reinstallOf(
  dist: Dist,
  extras: Set<string>,
  explicit: boolean,
): Reinstall | { name: string; reason: string; line: string } {
  const name = `${dist.name}${extras.size ? `[${[...extras].sort().join(",")}]` : ""}`;
  const base = { name: dist.name, key: dist.key, explicit };
  const d = dist.directUrl;
  const editable = dist.metadataPath ? editableLocation(dist) : undefined;
  if (editable) {
    return existsSync(editable)
      ? { ...base, pinned: ["-e", editable] }
      : { name: dist.name, reason: `its source ${editable} is gone`, line: `${dist.name}==${dist.version}` };
  }
  if (d?.vcs_info) return { ...base, pinned: [`${name} @ ${d.vcs_info.vcs}+${d.url}@${d.vcs_info.commit_id}`] };
  if (d && (!d.url.startsWith("file:") || existsSync(decodeURIComponent(new URL(d.url).pathname))))
    return { ...base, pinned: [`${name} @ ${d.url}`] };
  return {
    ...base,
    version: dist.version,
    pinned: [`${name}${dist.pep440 ? "==" : "==="}${dist.version}`],
    loose: [name],
  };
}

/** The old set: the old venv's files, or (they are gone) the last recorded state. */
function oldSet(from: Target): { dists: Dist[]; goal: Goal | undefined; fromFiles: boolean } {
  const dists = readInventory(from.sitePackages);
  if (dists.length) {
    return { dists, goal: goalKeeping(dists, from.version), fromFiles: true };
  }
  const last = listHistory(from.historyDir).find((item) => item.after ?? item.before);
  const state = last?.after ?? last?.before;
  if (!state) return { dists: [], goal: undefined, fromFiles: false };
  const records = state.packages.map((p) => ({
    name: p.name,
    key: canonicalName(p.name),
    version: p.version,
    pep440: p.pep440 !== false,
    metadataPath: "",
    requested: p.requested === true,
    installer: "pip",
  }));
  return { dists: records, goal: goalFromEntry(state), fromFiles: false };
}

/** What a rebuild will do, without doing it (also what --dry-run shows). */
export function planRebuild(from: Target, to: Target, python: Interpreter): RebuildPlan {
  const moving = from.version !== to.version;
  const old = oldSet(from);
  const plan: RebuildPlan = {
    from,
    to,
    python,
    moving,
    notStored: [],
    packages: [],
    carried: [],
    ownedByVenv: [],
    skipped: [],
    oldWorks: venvWorks(from.env),
  };
  if (!moving) {
    plan.goal = old.goal ?? { wanted: [], complete: false };
    const sources = sourcesOf(to, { remove: [], install: plan.goal.wanted, replace: [], mark: [], unchanged: 0 });
    plan.notStored = notStored(sources).map((w) => w.line);
    return plan;
  }
  const named = requestedInHistory(from.historyDir);
  const graph = old.fromFiles ? graphOf(from, old.dists) : undefined;
  const explicit = (d: Dist) => (graph ? graph.get(d.key)!.explicit : d.requested || named.has(d.key));
  const extrasOf = (d: Dist) => (graph ? graph.get(d.key)!.extras : (named.get(d.key) ?? new Set<string>()));
  const fromSite = sitePackagesRel(from.venv, from.sitePackages);
  for (const dist of old.dists) {
    if (PROTECTED.has(dist.key) && !named.has(dist.key)) {
      plan.ownedByVenv.push(`${dist.name}==${dist.version}`);
      continue;
    }
    const carried =
      !dist.directUrl && typeof carriableEntry(from.storeDir, dist.name, dist.version, fromSite) !== "string";
    if (carried)
      plan.carried.push({ key: dist.key, name: dist.name, version: dist.version, requested: dist.requested });
    // A dependency that cannot be carried is installed by pip too: the goal is the whole old set.
    if (!explicit(dist) && carried) continue;
    const item = reinstallOf(dist, extrasOf(dist), explicit(dist));
    if ("reason" in item) plan.skipped.push(item);
    else plan.packages.push(item);
  }
  return plan;
}

export interface RebuildEvents extends TransactionEvents {
  progress?(message: string): void;
}

export interface RebuildOptions {
  allowMissing?: boolean;
}
