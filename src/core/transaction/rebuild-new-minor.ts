/**
 * Rebuild for a new minor version (3.11 -> 3.12), the transaction's own steps: pure-Python
 * wheels of the old set are carried over from the old version's store offline (carry.ts), then
 * the pip step installs the explicit packages, each pinned to its old version when the index
 * offers it for the new Python, else the newest. The check wants every one of them.
 */
import { spawnSync } from "node:child_process";
import { readInventory, sitePackagesOf, type Dist } from "../packages/inventory.ts";
import { venvPython } from "../python/venv.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import { carriableEntry, carryEntry } from "./carry.ts";
import type { RebuildEvents, RebuildOptions, RebuildPlan, RebuildResult } from "./rebuild-plan.ts";
import { setRequested, sitePackagesRel } from "./staging.ts";
import { MISSING } from "./transaction.ts";
import { stagedRuns } from "./venv-runs.ts";
import { withLockFds } from "../base/lock.ts";

/** The versions of `name` the index offers for the staged venv's Python (empty: none, or no index). */
function indexVersions(staging: string, name: string): string[] {
  const run = spawnSync(venvPython(staging), ["-m", "pip", "index", "versions", "--disable-pip-version-check", name], {
    encoding: "utf8",
    stdio: withLockFds(["ignore", "pipe", "pipe"]),
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

/** New version: carry the pure-Python set over, then pip installs the explicit packages (and what they need). */
export function movingSpec(plan: RebuildPlan, outcome: RebuildResult, options: RebuildOptions, events: RebuildEvents) {
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
    return [...problems, ...stagedRuns(to)];
  };
  return { goal: () => undefined, prepare, check, allowMissing: options.allowMissing };
}
