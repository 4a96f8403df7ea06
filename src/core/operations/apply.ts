/**
 * `pyctl apply FILE [--prune]`: make the venv hold what FILE names (and, with --prune, nothing
 * else but what that needs). One read-only plan serves `--check` and the apply alike: the venv
 * and the store meet what they can (requirements-goal.ts), pip's dry-run report names the rest
 * (apply-resolve.ts), and the predicted set must pass `pip check`. The apply is one transaction
 * that links the store's part, installs exactly the report's items with `pip install --no-deps`
 * (hashes passed on, so pip verifies each download), and swaps only a staged venv that is the
 * predicted set, marks included.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../base/config.ts";
import { dependencyProblems, environmentOf, goalFromRequirements, type Requiring } from "./requirements-goal.ts";
import { requiresDist } from "../packages/dependencies.ts";
import type { Dist } from "../packages/inventory.ts";
import { explicitOf } from "../recording/explicit.ts";
import { hasEntry, storedDist } from "../recording/store.ts";
import { freezeAll, inventoryOf, type Target } from "../recording/target.ts";
import { currentLine, parseWanted, type Goal, type Wanted } from "../transaction/plan.ts";
import { setRequested, sitePackagesRel } from "../transaction/staging.ts";
import { storedFor } from "../transaction/sources.ts";
import { runTransaction, type TransactionEvents, type TransactionResult } from "../transaction/transaction.ts";
import { acceptsDist, readOrigins, recordOrigins, type ApplySource } from "./apply-source.ts";
import { ApplyError } from "./apply-errors.ts";
import { dryRun, type Fetched } from "./apply-resolve.ts";
import { applyChanges, finalSet, stagedDifferences, type ApplyChanges, type Member } from "./apply-set.ts";

export interface ApplyPlan {
  target: Target;
  source: ApplySource;
  prune: boolean;
  /** What the venv holds after the apply, by canonical name. */
  final: Map<string, Member>;
  /** What pip installs (with --no-deps): the items of its dry-run report the store cannot give. */
  fetch: Fetched[];
  changes: ApplyChanges;
  goal: Goal;
  /** The venv's freeze when planned: the apply refuses to run on a venv that changed since. */
  planned: string;
}

function memberOfDist(dist: Dist, from: Member["from"]): Member {
  return {
    key: dist.key,
    name: dist.name,
    version: dist.version,
    requires: requiresDist(dist),
    line: currentLine(dist),
    from,
  };
}

/** A wanted version from the goal of the file: the installed dist it is, else the store's. */
function memberOfWanted(target: Target, w: Wanted, installed: Map<string, Dist>): Member | undefined {
  const live = installed.get(w.key);
  if (live && live.version === w.version && currentLine(live) === w.line) return memberOfDist(live, "live");
  const manifest = storedFor(target, w);
  const dist = manifest && storedDist(target.storeDir, manifest, sitePackagesRel(target.venv, target.sitePackages));
  return dist ? { ...memberOfDist(dist, "store"), line: w.line } : undefined;
}

/** A report item the store already holds (and the file's hashes allow) comes from there, offline. */
function fromStore(target: Target, item: Fetched, accept: (d: Dist) => boolean): Member | undefined {
  if (item.requirement !== `${item.name}==${item.version}`) return undefined;
  const w = parseWanted(item.requirement);
  const manifest = storedFor(target, w);
  const dist = manifest && storedDist(target.storeDir, manifest, sitePackagesRel(target.venv, target.sitePackages));
  return dist && accept(dist) ? { ...memberOfDist(dist, "store"), line: w.line } : undefined;
}

function markOf(source: ApplySource, prune: boolean, key: string): boolean | undefined {
  const mark = source.marks.get(key);
  return mark === true ? true : prune && mark === false ? false : undefined;
}

/** The plan of applying `source` to the target's venv; changes nothing. Throws an ApplyError. */
export async function planApply(target: Target, source: ApplySource, prune: boolean): Promise<ApplyPlan> {
  const env = environmentOf(target);
  const installed = inventoryOf(target);
  const byKey = new Map(installed.map((d) => [d.key, d]));
  const accept = acceptsDist(source, readOrigins(target));
  const base = goalFromRequirements(target, source.file, installed, accept);
  const chosen = base.goal.wanted
    .map((w) => memberOfWanted(target, w, byKey))
    .filter((m): m is Member => m !== undefined);
  let reported: Fetched[] = [];
  if (base.unresolved.length) {
    // Hashed lines: what is installed may be another file of that version, so pip names every pin.
    const args = [...(source.hashed ? ["--ignore-installed"] : []), ...(source.lock ? ["--no-deps"] : [])];
    reported = await dryRun(target, [...args, "-r", source.file.files[0]!]);
  }
  const chosenKeys = new Map(chosen.map((m) => [m.key, m.version]));
  const needed = reported.filter((r) => chosenKeys.get(r.key) !== r.version);
  const stored = needed.map((r) => fromStore(target, r, accept));
  const fetch = needed.filter((_, i) => !stored[i]);
  const final = finalSet({
    installed,
    env,
    prune,
    members: [...chosen, ...stored.filter((m): m is Member => m !== undefined)],
    fetched: fetch.map((f) => ({ ...f, line: f.requirement, from: "pip" as const })),
    requires: requiresDist,
  });
  const broken = new Set(dependencyProblems(asMembers(installed), env));
  const problems = dependencyProblems([...final.values()], env).filter((p) => !broken.has(p));
  if (problems.length)
    throw new ApplyError("conflict", `${source.path} would leave a broken venv: ${problems.join("; ")}`);
  const goal: Goal = {
    wanted: [...final.values()]
      .filter((m) => m.from !== "pip")
      .map((m) => ({ ...parseWanted(m.line), requested: markOf(source, prune, m.key) })),
    complete: true,
  };
  const marks = (key: string) => markOf(source, prune, key);
  return {
    target,
    source,
    prune,
    final,
    fetch,
    goal,
    changes: applyChanges(installed, final, marks),
    planned: freezeAll(target, installed),
  };
}

function asMembers(dists: Dist[]): Requiring[] {
  return dists.map((d) => memberOfDist(d, "live"));
}

export function isNoChange(plan: ApplyPlan): boolean {
  const c = plan.changes;
  return c.added.length + c.removed.length + c.upgraded.length + c.downgraded.length + c.marked.length === 0;
}

/** The `pip install` arguments that fetch exactly the plan's items, each with the file's hashes. */
function pipArguments(plan: ApplyPlan): string[] | undefined {
  if (plan.fetch.length === 0) return undefined;
  const lines = plan.fetch.map((f) => {
    const hashes = [...(plan.source.hashes.get(f.key) ?? [])].map((h) => ` --hash=${h}`).join("");
    return `${f.requirement}${hashes}`;
  });
  const pins = join(plan.source.scratch, "apply-pins.txt");
  writeFileSync(pins, `${lines.join("\n")}\n`);
  return [...plan.source.file.options.filter((o) => o !== "--no-deps"), "--no-deps", "-r", pins];
}

/** Pip marks what it installs as asked for; the file decides, else what was explicit before. */
function settlePipMarks(plan: ApplyPlan, staged: Dist[], explicitBefore: Set<string>): void {
  const fetched = new Set(plan.fetch.map((f) => f.key));
  for (const dist of staged) {
    if (!fetched.has(dist.key)) continue;
    const requested = markOf(plan.source, plan.prune, dist.key) ?? explicitBefore.has(dist.key);
    if (dist.requested !== requested) setRequested(dist.metadataPath, requested);
  }
}

/** Run the plan as one recorded transaction. A failure is in the result (recorded), not thrown. */
export async function runApply(plan: ApplyPlan, config: Config, events: TransactionEvents): Promise<TransactionResult> {
  const { target, source } = plan;
  const env = environmentOf(target);
  let explicitBefore = new Set<string>();
  const fresh = plan.fetch.filter((f) => f.sha256 && !hasEntry(target.storeDir, f.key, f.version));
  const result = await runTransaction(
    target,
    config,
    {
      kind: "restore",
      command: `pyctl apply ${source.path}${plan.prune ? " --prune" : ""}`,
      goal: (installed) => {
        if (freezeAll(target, installed) !== plan.planned)
          throw new ApplyError("venv-changed", `${target.venv} changed while apply was planning; run it again`);
        explicitBefore = new Set(explicitOf(target, installed).keys());
        return plan.goal;
      },
      pip: pipArguments(plan),
      check: (staged, installed) => {
        settlePipMarks(plan, staged, explicitBefore);
        const broken = new Set(dependencyProblems(asMembers(installed), env));
        const problems = dependencyProblems(asMembers(staged), env).filter((p) => !broken.has(p));
        return [...stagedDifferences(staged, plan.final), ...problems];
      },
    },
    events,
  );
  if (result.committed)
    recordOrigins(target, Object.fromEntries(fresh.map((f) => [`${f.key}==${f.version}`, f.sha256!])));
  return result;
}
