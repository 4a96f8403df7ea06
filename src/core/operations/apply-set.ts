/**
 * The package set `pyctl apply` lands (the venv's part it keeps, the file's part from the venv or
 * the store, pip's part), what that changes, and how a staged venv differs from it.
 */
import type { Dist } from "../packages/inventory.ts";
import { compareVersions } from "../packages/pep440.ts";
import {
  parseRequirement,
  requirementApplies,
  versionSatisfies,
  type MarkerEnvironment,
} from "../packages/requirements.ts";
import { currentLine } from "../transaction/plan.ts";
import { MISSING } from "../transaction/transaction.ts";
import type { Requiring } from "./requirements-goal.ts";

export interface Member extends Requiring {
  /** Its freeze line (how the transaction's goal names it). */
  line: string;
  from: "live" | "store" | "pip";
}

export interface VersionChange {
  name: string;
  from: string;
  to: string;
}

export interface ApplyChanges {
  /** "name==version" */
  added: string[];
  removed: string[];
  upgraded: VersionChange[];
  downgraded: VersionChange[];
  /** Packages that stay but become explicit (true) or a dependency (false). */
  marked: { name: string; explicit: boolean }[];
}

/** pip freeze --all never lists these; what plain freeze hides stays unless the file names it. */
const NEVER_LISTED = new Set(["python", "wsgiref", "argparse"]);
const INFRASTRUCTURE = new Set(["pip", "setuptools", "wheel", "distribute", "pkg-resources"]);

function listed(installed: Dist[]): Dist[] {
  return installed.filter((d) => !NEVER_LISTED.has(d.key));
}

function live(dist: Dist): Member {
  return { key: dist.key, name: dist.name, version: dist.version, requires: [], line: currentLine(dist), from: "live" };
}

/** Installed dists the set needs but the file's goal did not name (a dependency pip found satisfied). */
function addNeededLive(
  final: Map<string, Member>,
  installed: Map<string, Dist>,
  env: MarkerEnvironment,
  requires: (d: Dist) => string[],
): void {
  const pending = [...final.values()];
  for (let m = pending.pop(); m; m = pending.pop()) {
    for (const text of m.requires) {
      try {
        const req = parseRequirement(text);
        const dist = installed.get(req.key);
        if (final.has(req.key) || !dist || !requirementApplies(req, env) || !versionSatisfies(req, dist.version))
          continue;
        const member = { ...live(dist), requires: requires(dist) };
        final.set(dist.key, member);
        pending.push(member);
      } catch {
        // an unreadable Requires-Dist line: the dependency check names nothing for it either
      }
    }
  }
}

export function finalSet(input: {
  installed: Dist[];
  env: MarkerEnvironment;
  prune: boolean;
  members: Member[];
  fetched: Member[];
  requires: (d: Dist) => string[];
}): Map<string, Member> {
  const dists = listed(input.installed);
  const final = new Map<string, Member>();
  const keep = input.prune ? dists.filter((d) => INFRASTRUCTURE.has(d.key)) : dists;
  for (const d of keep) final.set(d.key, { ...live(d), requires: input.requires(d) });
  for (const m of [...input.members, ...input.fetched]) final.set(m.key, m);
  if (input.prune) addNeededLive(final, new Map(dists.map((d) => [d.key, d])), input.env, input.requires);
  return final;
}

export function applyChanges(
  installed: Dist[],
  final: Map<string, Member>,
  mark: (key: string) => boolean | undefined,
): ApplyChanges {
  const changes: ApplyChanges = { added: [], removed: [], upgraded: [], downgraded: [], marked: [] };
  const before = new Map(listed(installed).map((d) => [d.key, d]));
  for (const d of before.values()) if (!final.has(d.key)) changes.removed.push(`${d.name}==${d.version}`);
  for (const m of final.values()) {
    const d = before.get(m.key);
    if (!d) changes.added.push(`${m.name}==${m.version}`);
    else if (d.version !== m.version || (m.from !== "live" && currentLine(d) !== m.line)) {
      const change = { name: d.name, from: d.version, to: m.version };
      (compareVersions(m.version, d.version) < 0 ? changes.downgraded : changes.upgraded).push(change);
    } else if (mark(m.key) !== undefined && mark(m.key) !== d.requested)
      changes.marked.push({ name: d.name, explicit: mark(m.key)! });
  }
  changes.added.sort();
  changes.removed.sort();
  return changes;
}

/** How a staged venv differs from the set (the transaction's check); empty when it is that set. */
export function stagedDifferences(staged: Dist[], final: Map<string, Member>): string[] {
  const byKey = new Map(listed(staged).map((d) => [d.key, d]));
  const problems: string[] = [];
  for (const m of final.values()) {
    const d = byKey.get(m.key);
    if (!d) problems.push(`${m.line}${MISSING}`);
    else if (compareVersions(d.version, m.version) !== 0) problems.push(`${d.name} is ${d.version}, not ${m.version}`);
  }
  for (const d of byKey.values()) if (!final.has(d.key)) problems.push(`${d.name} ${d.version} should not be there`);
  return problems;
}
