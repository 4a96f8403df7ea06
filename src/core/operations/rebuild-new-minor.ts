/**
 * Rebuild for a new minor version (3.11 -> 3.12), the transaction's own steps: pure-Python
 * wheels of the old set are carried over from the old version's store offline (carry.ts), then
 * pip installs the explicit packages and every other package that could not be carried (a
 * compiled dependency), each pinned to its old version when the index offers it for the new
 * Python, else the newest; then each package's REQUESTED mark is set as the old venv had it
 * (pip marks everything it was asked for). The check wants the whole old set: what cannot be
 * had is named, and accepted only with allowMissing.
 */
import { readInventory, type Dist } from "../packages/inventory.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import { carriableEntry, carryEntry } from "../transaction/carry.ts";
import type { RebuildEvents, RebuildOptions, RebuildPlan, RebuildResult } from "./rebuild-plan.ts";
import { setRequested, sitePackagesRel } from "../transaction/staging.ts";
import { MISSING } from "../transaction/transaction.ts";
import { installInStaging } from "../transaction/pip-step.ts";
import { stagedRuns } from "../transaction/venv-runs.ts";
import type { Venv } from "../python/venv.ts";

/** New version: carry the pure-Python set over, then pip installs the rest (and what it needs). */
export function movingSpec(plan: RebuildPlan, outcome: RebuildResult, options: RebuildOptions, events: RebuildEvents) {
  const { from, to } = plan;
  const fromSite = sitePackagesRel(from.venv, from.sitePackages);
  const toSite = sitePackagesRel(to.venv, to.sitePackages);
  const wanted = new Map<string, { line: string; version?: string }>();
  const explicit = new Set([
    ...plan.packages.filter((p) => p.explicit).map((p) => p.key),
    ...plan.carried.filter((c) => c.requested).map((c) => c.key),
  ]);
  const prepare = async (staging: string, guard: SignalGuard): Promise<string[]> => {
    const venv = to.env.at(staging);
    const site = venv.sitePackages;
    const present = new Set(readInventory(site).map((d) => d.key));
    for (const c of plan.carried) {
      if (present.has(c.key)) continue;
      const manifest = carriableEntry(from.storeDir, c.name, c.version, fromSite);
      if (typeof manifest === "string") continue;
      carryEntry(from.storeDir, manifest, fromSite, toSite, staging, to.venv);
    }
    events.progress?.(`took ${plan.carried.length} pure-Python package(s) from the Python ${from.version} store`);
    const args = pipArguments(plan, venv, wanted, outcome, options, guard);
    if (args.length && !guard.interrupted) {
      events.pipping?.(args);
      if (!(await installInStaging(venv, to.venv, args, guard))) return [];
    }
    // The store keeps REQUESTED as it was when the entry was made, and pip marks all it was asked for.
    const old = new Set([...plan.carried.map((c) => c.key), ...plan.packages.map((p) => p.key)]);
    for (const dist of readInventory(site)) {
      if (old.has(dist.key) && dist.requested !== explicit.has(dist.key))
        setRequested(dist.metadataPath, explicit.has(dist.key));
    }
    return []; // pip has run: no pip step after this
  };
  const check = (staged: Dist[]): string[] => {
    const byKey = new Map(staged.map((d) => [d.key, d]));
    const problems: string[] = [];
    for (const [key, w] of wanted) {
      const dist = byKey.get(key);
      if (!dist) problems.push(`${w.line}${MISSING}`);
      else if (w.version && dist.version !== w.version)
        problems.push(`${dist.name} is ${dist.version}, not ${w.version}`);
    }
    for (const c of plan.carried) if (!byKey.has(c.key)) problems.push(`${c.name}==${c.version}${MISSING}`);
    for (const s of plan.skipped) problems.push(`${s.line}${MISSING}`); // only reached with allowMissing
    return [...problems, ...stagedRuns(to)];
  };
  return { goal: () => undefined, prepare, check, allowMissing: options.allowMissing };
}

/**
 * pip's arguments: each package pinned to its old version, or (the index for the new Python lacks
 * it) the newest; with allowMissing, one the index has no version of at all is left out.
 */
function pipArguments(
  plan: RebuildPlan,
  staging: Venv,
  wanted: Map<string, { line: string; version?: string }>,
  outcome: RebuildResult,
  options: RebuildOptions,
  guard: SignalGuard,
): string[] {
  const carried = new Set(plan.carried.map((c) => `${c.key}==${c.version}`));
  const args: string[] = [];
  for (const p of plan.packages) {
    if (guard.interrupted) break;
    let chosen = p.pinned;
    let pinned = true;
    if (p.version && p.loose && !carried.has(`${p.key}==${p.version}`)) {
      const versions = staging.indexVersions(p.name);
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
}
