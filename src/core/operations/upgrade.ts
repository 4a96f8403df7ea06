/**
 * Outdated packages and upgrades. `findOutdated` asks the index pip is configured to use
 * (pip-config.ts) for the newest version pip could install here (index-client.ts, wheel tags
 * of the venv's interpreter: wheel-tags.ts). `upgradeArguments` turns the packages to
 * upgrade into the arguments of one `pip install` in the staging venv, so pip's resolver decides
 * while every other explicit package's requirements still count.
 */
import { userHome } from "../base/paths.ts";
import { compareVersions } from "../packages/pep440.ts";
import { projectFiles, newestVersion, isPrerelease, type Eligibility } from "../packages/index-client.ts";
import { resolveIndexSettings, type IndexSettings } from "../packages/pip-config.ts";
import { comparable, outdatedPackages, queried, type OutdatedPackage } from "./outdated.ts";
import { wheelTags, wheelTagsAsync } from "../packages/wheel-tags.ts";
import { buildGraph, isExplicit, type Graph, type Node } from "../packages/dependencies.ts";
import type { Dist } from "../packages/inventory.ts";
import {
  lastPipError,
  parseConflict,
  parseInstallReport,
  type Conflict,
  type ReportItem,
} from "../packages/pip-report.ts";
import { markerEnvironment } from "../packages/requirements.ts";
import { requestedInHistory } from "../recording/explicit.ts";
import { graphOf } from "../recording/graph.ts";
import { inventoryOf, pythonVersionOf, type Target } from "../recording/target.ts";
import type { Config } from "../base/config.ts";
import { PyctlError } from "../base/errors.ts";
import { describeConflict } from "../packages/pip-report.ts";
import {
  runTransaction,
  type TransactionEvents,
  type TransactionResult,
  type TransactionSpec,
} from "../transaction/transaction.ts";

export interface OutdatedReport {
  packages: OutdatedPackage[];
  /** How many packages were looked up. */
  checked: number;
  graph: Graph;
}

/** The index settings `pip install` would use in the target's venv. */
function indexSettingsFor(target: Target, env: Record<string, string | undefined> = process.env): IndexSettings {
  return resolveIndexSettings({ env, home: userHome(), venv: target.venv });
}

export function tagsCacheFile(target: Target): string {
  return target.layout.wheelTagsCache(target.version);
}

function eligibility(target: Target, tags: Set<string>, settings: IndexSettings): (dist: Dist) => Eligibility {
  const pythonVersion = pythonVersionOf(target).split(".").slice(0, 3).join(".");
  return (dist) => ({ tags, pythonVersion, allowPre: settings.pre || isPrerelease(dist.version) });
}

/** The newest installable version of each installed project, from every configured index. */
async function latestVersions(
  target: Target,
  dists: Dist[],
  settings: IndexSettings,
  tags: Set<string>,
): Promise<Map<string, string | undefined>> {
  const files = await projectFiles(
    settings,
    dists.map((d) => d.key),
  );
  const rules = eligibility(target, tags, settings);
  return new Map(dists.map((d) => [d.key, newestVersion(files.get(d.key) ?? [], d.key, rules(d))]));
}

/** Explicit packages (all with `all`) that have a newer version on the index. */
export async function findOutdated(
  target: Target,
  options: { all?: boolean; only?: string[] } = {},
): Promise<OutdatedReport> {
  const graph = graphOf(target);
  const only = options.only ? new Set(options.only) : undefined;
  const nodes = queried(graph, options.all === true || only !== undefined).filter((n) => !only || only.has(n.dist.key));
  const settings = indexSettingsFor(target);
  const tags = wheelTags(target.venv, tagsCacheFile(target));
  const latest = await latestVersions(
    target,
    nodes.map((n) => n.dist),
    settings,
    tags,
  );
  return { packages: outdatedPackages(graph, nodes, latest), checked: nodes.length, graph };
}

/**
 * For the once-a-day notice: the explicit packages are read now (before pip changes the venv)
 * and the index query starts at once, without blocking. The promise's function counts, against
 * the venv as it is after the write, the packages below the newest version; undefined when the
 * question could not be answered (no network, no tags). Never rejects.
 */
export function beginOutdatedCount(target: Target): Promise<((after: Dist[]) => number) | undefined> {
  let explicit: Dist[];
  let settings: IndexSettings;
  try {
    // The explicit set without the dependency graph: no Requires-Dist is parsed on a pip write.
    const named = requestedInHistory(target.historyDir);
    explicit = inventoryOf(target).filter((d) => d.pep440 && !d.directUrl && isExplicit(d, named));
    settings = indexSettingsFor(target);
  } catch {
    return Promise.resolve(undefined);
  }
  const keys = new Set(explicit.map((d) => d.key));
  return (async () => {
    const tags = await wheelTagsAsync(target.venv, tagsCacheFile(target));
    if (!tags) return undefined;
    const latest = await latestVersions(target, explicit, settings, tags);
    const behind = (d: Dist) => {
      const newest = latest.get(d.key);
      return keys.has(d.key) && d.pep440 && newest !== undefined && compareVersions(newest, d.version) > 0;
    };
    return (after: Dist[]) => after.filter(behind).length;
  })().catch(() => undefined);
}

function requirementOf(node: Node, op: ">" | ">="): string {
  const extras = node.extras.size ? `[${[...node.extras].sort().join(",")}]` : "";
  return `${node.dist.name}${extras}${op}${node.dist.version}`;
}

/**
 * The `pip install` arguments of an upgrade. Named packages must go up (`kappa>1.0`); every
 * other explicit package is named too, at its version or newer, so pip's resolver weighs its
 * requirements instead of breaking it. Without names, every explicit package is upgraded as far
 * as the others allow (`--upgrade`; dependencies only when needed).
 */
export function upgradeArguments(graph: Graph, targets: OutdatedPackage[], named: boolean): string[] {
  const goingUp = new Set(named ? targets.map((t) => t.key) : []);
  const others = [...graph.values()].filter((n) => n.explicit && comparable(n) && !goingUp.has(n.dist.key));
  const up = [...goingUp].map((key) => requirementOf(graph.get(key)!, ">"));
  return [...(named ? [] : ["--upgrade"]), ...up, ...others.map((n) => requirementOf(n, ">="))];
}

export type Resolution = { ok: true; items: ReportItem[] } | { ok: false; conflict?: Conflict; error: string };

/**
 * `pip install --dry-run --report FILE` in the live venv: what pip would install, or why it
 * cannot. Changes nothing. Not --quiet: that would hide the lines that explain a conflict.
 */
export async function resolveWithPip(target: Target, args: string[]): Promise<Resolution> {
  const run = target.env.dryRun(args);
  if (run.status === 0 && run.report) return { ok: true, items: parseInstallReport(run.report) };
  // pip logs "The conflict is caused by:" at info level, which goes to stdout
  return {
    ok: false,
    conflict: parseConflict(`${run.stdout}\n${run.stderr}`),
    error: lastPipError(run.stderr) ?? (run.stderr.trim().split("\n").at(-1) || "pip failed"),
  };
}

export interface VersionChange {
  name: string;
  /** Undefined for a package the upgrade adds. */
  from?: string;
  to: string;
}

/** What a resolution changes, from the installed set's point of view. */
function changesOf(installed: Dist[], items: ReportItem[]): VersionChange[] {
  const byKey = new Map(installed.map((d) => [d.key, d]));
  return items
    .map((item) => ({
      name: byKey.get(item.key)?.name ?? item.name,
      from: byKey.get(item.key)?.version,
      to: item.version,
    }))
    .filter((c) => c.from !== c.to);
}

/** Requirements the `after` set breaks that `before` met: an upgrade must not leave them. */
function newlyBroken(target: Target, before: Dist[], after: Dist[]): string[] {
  const env = markerEnvironment(pythonVersionOf(target).split(".").slice(0, 3).join("."));
  const broken = (dists: Dist[]) => {
    const found = new Map<string, string>();
    for (const node of buildGraph(dists, env).values()) {
      for (const edge of node.requires) {
        const text = edge.text.split(";")[0]!.trim();
        if (edge.installed && !edge.satisfied)
          found.set(`${node.dist.key} ${text}`, `${node.dist.name} requires ${text}, not ${edge.installed.version}`);
      }
    }
    return found;
  };
  const old = broken(before);
  return [...broken(after)].filter(([key]) => !old.has(key)).map(([, line]) => line);
}

export interface UpgradePlan {
  /** The names of the packages asked for (empty: every explicit one). */
  names: string[];
  /** How many packages were looked up on the index. */
  checked: number;
  /** Those with a newer version there; when empty, nothing else is set. */
  outdated: OutdatedPackage[];
  /** What pip's resolver would change. */
  changes: VersionChange[];
  pipArgs: string[];
}

/** The read-only half of `pyctl upgrade [PKG…]`: the index's newest versions, and what pip would pick. */
export async function planUpgrade(target: Target, keys: string[]): Promise<UpgradePlan> {
  const installed = inventoryOf(target);
  const missing = keys.filter((key) => !installed.some((d) => d.key === key));
  if (missing.length)
    throw new PyctlError(`not installed: ${missing.join(", ")}`, {
      hint: "`pyctl upgrade` takes installed packages; `pip install` adds new ones",
    });
  const names = keys.map((key) => installed.find((d) => d.key === key)!.name);
  const report = await findOutdated(target, keys.length ? { only: keys } : {});
  if (report.packages.length === 0) return { names, checked: report.checked, outdated: [], changes: [], pipArgs: [] };
  const pipArgs = upgradeArguments(report.graph, report.packages, keys.length > 0);
  const resolution = await resolveWithPip(target, pipArgs);
  if (!resolution.ok) {
    const why = resolution.conflict ? describeConflict(resolution.conflict).join("; ") : resolution.error;
    throw new PyctlError(`cannot upgrade, nothing changed: ${why}`);
  }
  const changes = changesOf(installed, resolution.items);
  return { names, checked: report.checked, outdated: report.packages, changes, pipArgs };
}

/** The upgrade as one transaction: pip's resolver in staging, kept only if it breaks nothing that worked. */
export function applyUpgrade(
  target: Target,
  config: Config,
  plan: UpgradePlan,
  command: string,
  events: TransactionEvents,
): Promise<TransactionResult> {
  const spec: TransactionSpec = {
    kind: "upgrade",
    command,
    goal: () => undefined,
    pip: ["--quiet", ...plan.pipArgs],
    check: (staged, installed) => newlyBroken(target, installed, staged),
  };
  return runTransaction(target, config, spec, events);
}
