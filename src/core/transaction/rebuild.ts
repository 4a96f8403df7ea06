/**
 * Rebuilding a venv for another base interpreter, as a transaction (transaction.ts): a fresh
 * venv of the new interpreter is built in staging, checked against an explicit goal, and only
 * then swapped in. A goal that cannot be reached swaps nothing, unless allowMissing.
 *
 * Same minor version (the interpreter was reinstalled or relinked, the venv broke): the goal is
 * the complete old set, every package with its REQUESTED mark, linked from the store offline.
 * New minor version (3.11 -> 3.12): pure-Python wheels of the old set come from the old
 * version's store offline (carry.ts), and the pip step installs the explicit packages, pinned to
 * their old versions where the index has them, else the newest.
 */
import { existsSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { saveConfig, configString, type Config } from "../base/config.ts";
import { PROTECTED } from "../packages/dependencies.ts";
import { graphOf, requestedInHistory } from "../recording/explicit.ts";
import { PyctlError } from "../base/errors.ts";
import { listHistory } from "../recording/history.ts";
import { editableLocation, readInventory, sitePackagesOf, type Dist } from "../packages/inventory.ts";
import { acquireLock } from "../base/lock.ts";
import { canonicalName } from "../packages/pep440.ts";
import type { Layout } from "../base/paths.ts";
import type { Interpreter } from "../python/interpreter.ts";
import { storeAll } from "../recording/store.ts";
import { assertWritable, targetFor, type Target } from "../recording/target.ts";
import { isVenv, venvPython } from "../python/venv.ts";
import { goalFromEntry, goalKeeping, mismatches, type Goal } from "./plan.ts";
import { notStored, sourcesOf } from "./sources.ts";
import { setRequested, sitePackagesRel } from "./staging.ts";
import { MISSING, runTransaction, type TransactionEvents } from "./transaction.ts";
import { carriableEntry, carryEntry } from "./carry.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";

/** One explicit package for the pip step: pinned to the old version, and a looser fallback. */
export interface Reinstall {
  name: string;
  key: string;
  version?: string;
  pinned: string[];
  loose?: string[];
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
  /** New version: the explicit packages, for the pip step. */
  packages: Reinstall[];
  /** New version: pure-Python dists of the old set taken from the old store, and what stays behind. */
  carried: { key: string; name: string; version: string; requested: boolean }[];
  skipped: { name: string; reason: string }[];
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

/** Whether a venv's python starts and is the version its folder says. */
export function venvWorks(target: Pick<Target, "venv" | "version">): boolean {
  const python = venvPython(target.venv);
  if (!existsSync(python)) return false;
  const run = spawnSync(python, ["-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
  return run.status === 0 && run.stdout.trim() === target.version;
}

function reinstallOf(dist: Dist, extras: Set<string>): Reinstall | { name: string; reason: string } {
  const name = `${dist.name}${extras.size ? `[${[...extras].sort().join(",")}]` : ""}`;
  const base = { name: dist.name, key: dist.key };
  const d = dist.directUrl;
  const editable = dist.metadataPath ? editableLocation(dist) : undefined;
  if (editable) return existsSync(editable) ? { ...base, pinned: ["-e", editable] } : { name: dist.name, reason: `its source ${editable} is gone` };
  if (d?.vcs_info) return { ...base, pinned: [`${name} @ ${d.vcs_info.vcs}+${d.url}@${d.vcs_info.commit_id}`] };
  if (d && (!d.url.startsWith("file:") || existsSync(decodeURIComponent(new URL(d.url).pathname)))) return { ...base, pinned: [`${name} @ ${d.url}`] };
  return { ...base, version: dist.version, pinned: [`${name}${dist.pep440 ? "==" : "==="}${dist.version}`], loose: [name] };
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
  const plan: RebuildPlan = { from, to, python, moving, notStored: [], packages: [], carried: [], skipped: [], oldWorks: venvWorks(from) };
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
    const infrastructure = PROTECTED.has(dist.key) && !named.has(dist.key);
    if (!infrastructure && !dist.directUrl && typeof carriableEntry(from.storeDir, dist.name, dist.version, fromSite) !== "string") {
      plan.carried.push({ key: dist.key, name: dist.name, version: dist.version, requested: dist.requested });
    }
    if (!explicit(dist) || infrastructure) continue;
    const item = reinstallOf(dist, extrasOf(dist));
    if ("reason" in item) plan.skipped.push(item);
    else plan.packages.push(item);
  }
  return plan;
}

/** The versions of `name` the index offers for the staged venv's Python (empty: none, or no index). */
function indexVersions(staging: string, name: string): string[] {
  const run = spawnSync(venvPython(staging), ["-m", "pip", "index", "versions", "--disable-pip-version-check", name], {
    encoding: "utf8",
    env: { ...process.env, PIP_REQUIRE_VIRTUALENV: "", PIP_USER: "" },
  });
  const line = run.stdout.split("\n").find((l) => l.startsWith("Available versions:"));
  return run.status === 0 && line
    ? line
        .slice("Available versions:".length)
        .split(",")
        .map((v) => v.trim())
    : [];
}

export interface RebuildEvents extends TransactionEvents {
  progress?(message: string): void;
}

export interface RebuildOptions {
  allowMissing?: boolean;
}

/** Carry out a plan as one "rebuild" transaction recorded in the new venv's history. */
export async function rebuild(
  plan: RebuildPlan,
  config: Config,
  configFile: string,
  events: RebuildEvents = {},
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const { from, to, python, moving } = plan;
  assertWritable(to);
  if (moving && isVenv(to.venv)) {
    throw new PyctlError(`Python ${to.version} already has a venv (${to.venv})`, {
      hint: `carry the packages over with \`pyctl export --python ${from.version} --output reqs.txt\` and \`pip${to.version} install -r reqs.txt\``,
    });
  }
  if (plan.skipped.length && !options.allowMissing) {
    throw new PyctlError(`cannot rebuild ${from.venv}: ${plan.skipped.map((s) => `${s.name} (${s.reason})`).join(", ")}; nothing changed`, {
      hint: "`pyctl rebuild --allow-missing` rebuilds without them",
    });
  }
  const outcome: RebuildResult = { reinstalled: [], missing: [], switched: false, interrupted: false, oldRemoved: false, defaultMoved: false, entryId: 0 };
  const oldLock = moving ? await acquireLock(from.lockFile, "pyctl rebuild", (h) => events.waiting?.(h)) : undefined;
  try {
    if (moving) storeAll(from.storeDir, readInventory(from.sitePackages), from.venv); // what the carry step links from
    const spec = moving ? movingSpec(plan, outcome, options, events) : inPlaceSpec(plan, options);
    events.progress?.(`building a venv with Python ${python.fullVersion} (${python.path}) in ${to.staging}`);
    const result = await runTransaction(to, config, { kind: "rebuild", command: `pyctl rebuild --python ${python.path}`, fresh: python, ...spec }, events);
    outcome.entryId = result.entry.id;
    outcome.interrupted = result.interrupted;
    outcome.switched = result.committed;
    outcome.missing = [...plan.skipped.map((s) => s.name), ...result.missing];
    if (result.error) throw new PyctlError(`${result.error.message}; ${from.venv} is unchanged (recorded as #${result.entry.id})`);
    if (outcome.switched) finish(plan, config, configFile, outcome);
    return outcome;
  } finally {
    oldLock?.release();
  }
}

/** Same version: the complete old set, from the store (pip only for what it lacks), and a venv that runs. */
function inPlaceSpec(plan: RebuildPlan, options: RebuildOptions) {
  // Decided again under the lock: a package installed since the plan was shown is kept too.
  let goal = plan.goal!;
  return {
    goal: (installed: Dist[]) => {
      if (installed.length) goal = goalKeeping(installed, plan.to.version);
      return goal;
    },
    allowMissing: options.allowMissing,
    check: (staged: Dist[]) => [...mismatches(staged, goal), ...runs(plan.to)],
  };
}

function runs(to: Target): string[] {
  return venvWorks({ venv: to.staging, version: to.version }) ? [] : [`the new venv's python does not run Python ${to.version}`];
}

/** New version: carry the pure-Python set over, then pip installs the explicit packages (and what they need). */
function movingSpec(plan: RebuildPlan, outcome: RebuildResult, options: RebuildOptions, events: RebuildEvents) {
  const { from, to } = plan;
  const fromSite = sitePackagesRel(from.venv, from.sitePackages);
  const toSite = sitePackagesRel(to.venv, to.sitePackages);
  const wanted = new Map<string, { line: string; version?: string }>();
  const prepare = (staging: string, guard: SignalGuard): string[] => {
    const site = sitePackagesOf(staging, to.version);
    const present = new Set(readInventory(site).map((d) => d.key));
    const explicit = new Set(plan.packages.map((p) => p.key));
    for (const c of plan.carried) {
      if (present.has(c.key)) continue;
      const manifest = carriableEntry(from.storeDir, c.name, c.version, fromSite);
      if (typeof manifest === "string") continue;
      carryEntry(from.storeDir, manifest, fromSite, toSite, staging, to.venv);
    }
    // The store keeps REQUESTED as it was when the entry was made: set it as the old venv has it now.
    for (const dist of readInventory(site)) {
      if (!present.has(dist.key)) setRequested(dist.metadataPath, explicit.has(dist.key) || plan.carried.some((c) => c.key === dist.key && c.requested));
    }
    events.progress?.(`took ${plan.carried.length} pure-Python package(s) from the Python ${from.version} store`);
    const carried = new Set(plan.carried.map((c) => `${c.key}==${c.version}`));
    const args: string[] = [];
    for (const p of plan.packages) {
      if (guard.interrupted) break;
      let chosen = p.pinned;
      let pinned = true;
      if (p.version && p.loose && !carried.has(`${p.key}==${p.version}`)) {
        const versions = indexVersions(staging, p.name);
        if (!versions.includes(p.version)) {
          if (versions.length === 0 && options.allowMissing) {
            wanted.set(p.key, { line: p.pinned.join(" ") });
            continue;
          }
          chosen = p.loose;
          pinned = false;
        }
      }
      wanted.set(p.key, { line: chosen.join(" "), version: pinned ? p.version : undefined });
      outcome.reinstalled.push({ name: p.name, args: chosen, pinned });
      args.push(...chosen);
    }
    return args;
  };
  const check = (staged: Dist[]): string[] => {
    const byKey = new Map(staged.map((d) => [d.key, d]));
    const problems: string[] = [];
    for (const [key, w] of wanted) {
      const dist = byKey.get(key);
      if (!dist) problems.push(`${w.line}${MISSING}`);
      else if (w.version && dist.version !== w.version) problems.push(`${dist.name} is ${dist.version}, not ${w.version}`);
    }
    for (const c of plan.carried) if (!byKey.has(c.key)) problems.push(`${c.name}==${c.version}${MISSING}`);
    return [...problems, ...runs(to)];
  };
  return { goal: () => undefined, prepare, check, allowMissing: options.allowMissing };
}

/** After the switch: the default follows the venv, and a dead old venv of another version goes. */
function finish(plan: RebuildPlan, config: Config, configFile: string, outcome: RebuildResult): void {
  const { from, to, python } = plan;
  if (configString(config, "python.default") === from.version) {
    outcome.defaultMoved = from.version !== to.version;
    config.set("python.default", to.version);
    config.set("python.interpreter", python.path);
    saveConfig(configFile, config);
  }
  if (from.version !== to.version && !plan.oldWorks && isVenv(from.venv)) {
    rmSync(from.venv, { recursive: true, force: true });
    outcome.oldRemoved = true;
  }
}

/**
 * Which venv a rebuild acts on: `--python X.Y` with a venv of its own rebuilds that venv in
 * place; otherwise the default version's venv moves to the interpreter's version.
 */
export function rebuildTargets(layout: Layout, defaultVersion: string, python: Interpreter): { from: Target; to: Target } {
  const to = targetFor(layout, python.version);
  return { from: existsSync(to.venv) ? to : targetFor(layout, defaultVersion), to };
}
