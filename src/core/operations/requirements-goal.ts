/**
 * The goal of `pyctl restore FILE` for a requirements file that is more than a freeze: what the
 * file asks for plus what those need, as far as the installed packages and the store can say
 * (an installed version that meets a requirement stays; a pinned version the store has comes
 * from the store). The rest is left to `pip install -r FILE` in staging (the pip step), and
 * `check` then verifies the staged venv holds exactly the file's closure.
 */
import { resolve } from "node:path";
import { buildGraph, reachableFrom, requiresDist } from "../packages/dependencies.ts";
import { editableLocation, type Dist } from "../packages/inventory.ts";
import { normalizeVersion } from "../packages/pep440.ts";
import {
  markerEnvironment,
  parseRequirement,
  requirementApplies,
  versionSatisfies,
  type MarkerEnvironment,
  type Requirement,
} from "../packages/requirements.ts";
import { exactVersion, type RequirementLine, type RequirementsFile } from "../packages/requirements-file.ts";
import { storedDist } from "../recording/store.ts";
import { pythonVersionOf, type Target } from "../recording/target.ts";
import { currentLine, governed, parseWanted, type Goal } from "../transaction/plan.ts";
import { sitePackagesRel } from "../transaction/staging.ts";
import { storedFor } from "../transaction/sources.ts";

export interface RequirementsGoal {
  goal: Goal;
  /** Lines nothing installed or stored meets: pip resolves them in staging. */
  unresolved: string[];
}

interface Chosen {
  dist: Dist;
  extras: Set<string>;
  requested: boolean;
}

export function environmentOf(target: Target): MarkerEnvironment {
  return markerEnvironment(pythonVersionOf(target).split(".").slice(0, 3).join("."));
}

/** The requirement lines that apply here (markers evaluated), and the constraints by project. */
function applicable(
  file: RequirementsFile,
  env: MarkerEnvironment,
): { roots: RequirementLine[]; constraints: Map<string, Requirement[]> } {
  const holds = (r: RequirementLine) => !r.requirement || requirementApplies(r.requirement, env);
  const constraints = new Map<string, Requirement[]>();
  for (const c of file.constraints.filter(holds)) {
    if (c.requirement)
      constraints.set(c.requirement.key, [...(constraints.get(c.requirement.key) ?? []), c.requirement]);
  }
  return { roots: file.requirements.filter(holds), constraints };
}

function meets(req: Requirement, dist: Dist, constraints: Map<string, Requirement[]>): boolean {
  if (req.url !== undefined) return dist.directUrl?.url === req.url;
  if (dist.directUrl) return false;
  return (
    versionSatisfies(req, dist.version) &&
    (constraints.get(req.key) ?? []).every((c) => versionSatisfies(c, dist.version))
  );
}

function fromStore(
  target: Target,
  req: Requirement,
  constraints: Map<string, Requirement[]>,
  accept: (dist: Dist) => boolean,
): Dist | undefined {
  const version = exactVersion(req);
  const normal = version && normalizeVersion(version);
  if (!normal) return undefined;
  const manifest = storedFor(target, {
    key: req.key,
    name: req.name,
    version: normal,
    pep440: true,
    direct: false,
    line: `${req.name}==${normal}`,
  });
  const dist = manifest && storedDist(target.storeDir, manifest, sitePackagesRel(target.venv, target.sitePackages));
  return dist && meets(req, dist, constraints) && accept(dist) ? dist : undefined;
}

/** `accept` turns down an installed or stored dist the file cannot take (apply: one with another hash). */
export function goalFromRequirements(
  target: Target,
  file: RequirementsFile,
  installed: Dist[],
  accept: (dist: Dist) => boolean = () => true,
): RequirementsGoal {
  const env = environmentOf(target);
  const { roots, constraints } = applicable(file, env);
  const byKey = new Map(installed.filter(accept).map((d) => [d.key, d]));
  const chosen = new Map<string, Chosen>();
  const unresolved: string[] = [];
  const queue: { req: Requirement; text: string; root: boolean }[] = [];
  for (const line of roots) {
    if (line.requirement) queue.push({ req: line.requirement, text: line.text, root: true });
    else {
      const dist = installed.find((d) => editableLocation(d) === resolve(line.text));
      if (line.editable && dist) chosen.set(dist.key, { dist, extras: new Set(), requested: true });
      else unresolved.push(line.editable ? `-e ${line.text}` : line.text);
    }
  }
  const follow = (dist: Dist, extras: string[]) => {
    for (const text of requiresDist(dist)) {
      try {
        const req = parseRequirement(text);
        if (requirementApplies(req, env, extras)) queue.push({ req, text, root: false });
      } catch {
        // an unreadable Requires-Dist line: pip check would report it, the goal cannot use it
      }
    }
  };
  for (let item = queue.shift(); item; item = queue.shift()) {
    const { req, text, root } = item;
    const have = chosen.get(req.key);
    if (have) {
      have.requested ||= root;
      if (!meets(req, have.dist, constraints)) unresolved.push(text);
      const added = req.extras.filter((e) => !have.extras.has(e));
      for (const e of added) have.extras.add(e);
      if (added.length) follow(have.dist, added);
      continue;
    }
    const local = byKey.get(req.key);
    const dist = local && meets(req, local, constraints) ? local : fromStore(target, req, constraints, accept);
    if (!dist) {
      unresolved.push(text);
      continue;
    }
    chosen.set(req.key, { dist, extras: new Set(req.extras), requested: root });
    follow(dist, req.extras);
  }
  const wanted = [...chosen.values()].map((c) => ({
    ...parseWanted(currentLine(c.dist)),
    ...(c.requested ? { requested: true } : {}),
  }));
  const named = new Set([...chosen.keys(), ...roots.map((r) => r.requirement?.key)]);
  return { goal: { wanted, complete: named.has("pip") }, unresolved: [...new Set(unresolved)] };
}

/**
 * After pip: every requirement of the file met (constraints too), and nothing in the staged venv
 * that the file's requirements do not need (what a goal without pip leaves alone aside).
 */
export function checkAgainstFile(target: Target, file: RequirementsFile, goal: Goal, staged: Dist[]): string[] {
  const env = environmentOf(target);
  const { roots, constraints } = applicable(file, env);
  const byKey = new Map(staged.map((d) => [d.key, d]));
  const problems: string[] = [];
  const extras = new Map<string, Set<string>>();
  for (const line of roots) {
    const req = line.requirement;
    if (!req) continue;
    extras.set(req.key, new Set([...(extras.get(req.key) ?? []), ...req.extras]));
    const dist = byKey.get(req.key);
    if (!dist) problems.push(`${line.text} is missing`);
    else if (!meets(req, dist, constraints))
      problems.push(`${dist.name} is ${dist.version}, which does not meet ${line.text}`);
  }
  const editables = staged
    .filter((d) => roots.some((r) => r.editable && editableLocation(d) === resolve(r.text)))
    .map((d) => d.key);
  const graph = buildGraph(staged, env, extras);
  const needed = reachableFrom(graph, [...extras.keys(), ...editables]);
  for (const dist of governed(staged, goal))
    if (!needed.has(dist.key)) problems.push(`${dist.name} ${dist.version} should not be there`);
  return problems;
}

/** A package and what it requires: an installed dist, a stored one, or an item of pip's report. */
export interface Requiring {
  key: string;
  name: string;
  version: string;
  requires: string[];
}

export function asRequiring(dists: Dist[]): Requiring[] {
  return dists.map((d) => ({ key: d.key, name: d.name, version: d.version, requires: requiresDist(d) }));
}

/**
 * What `pip check` would report of a package set: a requirement (outside extras) whose project
 * is missing, or there at a version it does not allow. A pinned file may not land such a set.
 */
export function dependencyProblems(set: Requiring[], env: MarkerEnvironment): string[] {
  const byKey = new Map(set.map((p) => [p.key, p]));
  const problems: string[] = [];
  for (const pkg of set) {
    for (const text of pkg.requires) {
      let req: Requirement;
      try {
        req = parseRequirement(text);
      } catch {
        continue; // unreadable: the goal cannot use it either
      }
      if (!requirementApplies(req, env)) continue;
      const dep = byKey.get(req.key);
      const wanted = text.split(";")[0]!.trim();
      if (!dep) problems.push(`${pkg.name} ${pkg.version} requires ${wanted} (not installed)`);
      else if (req.url === undefined && !versionSatisfies(req, dep.version))
        problems.push(`${pkg.name} ${pkg.version} requires ${wanted}, not ${dep.version}`);
    }
  }
  return problems;
}

/** The `pip check` problems `after` has and `before` had not. */
export function newlyBrokenBy(target: Target, before: Dist[], after: Dist[]): string[] {
  const env = environmentOf(target);
  const old = new Set(dependencyProblems(asRequiring(before), env));
  return dependencyProblems(asRequiring(after), env).filter((p) => !old.has(p));
}
