/**
 * The read-only half of `pyctl adopt`: which distributions of a source move into which venv, which
 * the venv has already (same version or another), which stay and why, and what they will lack.
 */
import type { Config } from "../base/config.ts";
import { PyctlError } from "../base/errors.ts";
import type { Layout } from "../base/paths.ts";
import { versionsOf } from "../doctor/doctor.ts";
import {
  adoptableInUserSites,
  examineSource,
  sourceAt,
  userSite,
  userSiteSource,
  userSiteVersions,
  type AdoptSource,
  type Candidate,
} from "../packages/adopt-source.ts";
import { requiresDist } from "../packages/dependencies.ts";
import type { Dist } from "../packages/inventory.ts";
import {
  markerEnvironment,
  parseRequirement,
  requirementApplies,
  versionSatisfies,
  type Requirement,
} from "../packages/requirements.ts";
import { inventoryOf, pythonVersionOf, resolveVersion, targetFor, type Target } from "../recording/target.ts";
import { currentLine } from "../transaction/plan.ts";

export interface Conflict {
  candidate: Candidate;
  /** The venv's own version, which stays. */
  installed: Dist;
}

export interface AdoptPlan {
  source: AdoptSource;
  target: Target;
  /** New to the venv: they move in. */
  move: Candidate[];
  /** The venv holds the same version: only removed from the source. */
  same: Candidate[];
  /** The venv holds another version: the venv's stays, the source's is removed. */
  conflicts: Conflict[];
  /** Cannot move (candidate.reason): left where they are. */
  stay: Candidate[];
}

function planAdopt(source: AdoptSource, target: Target, candidates: Candidate[]): AdoptPlan {
  const installed = new Map(inventoryOf(target).map((d) => [d.key, d]));
  const plan: AdoptPlan = { source, target, move: [], same: [], conflicts: [], stay: [] };
  for (const c of candidates) {
    const there = installed.get(c.dist.key);
    if (c.reason) plan.stay.push(c);
    else if (!there) plan.move.push(c);
    else if (currentLine(there) === currentLine(c.dist)) plan.same.push(c);
    else plan.conflicts.push({ candidate: c, installed: there });
  }
  return plan;
}

/** What leaves the source: everything but what cannot move. */
export function leaving(plan: AdoptPlan): Candidate[] {
  return [...plan.move, ...plan.same, ...plan.conflicts.map((c) => c.candidate)];
}

/**
 * What the moved packages need that the venv will not have after adopt: "beta 1.0 needs
 * alpha>=1.0, the venv has 0.5" or "..., which is not there". Said before asking; not a refusal.
 */
export function unmetNeeds(plan: AdoptPlan): string[] {
  const after = new Map(inventoryOf(plan.target).map((d) => [d.key, d]));
  for (const c of plan.move) after.set(c.dist.key, c.dist);
  const env = markerEnvironment(pythonVersionOf(plan.target));
  const notes: string[] = [];
  for (const c of plan.move) {
    for (const text of requiresDist(c.dist)) {
      let req: Requirement;
      try {
        req = parseRequirement(text);
      } catch {
        continue;
      }
      if (!requirementApplies(req, env)) continue;
      const there = after.get(req.key);
      if (there && versionSatisfies(req, there.version)) continue;
      const need = `${req.name}${req.specifier}`;
      notes.push(
        `${c.dist.name} ${c.dist.version} needs ${need}, ${there ? `the venv has ${there.version}` : "which is not there"}`,
      );
    }
  }
  return notes;
}

/** A user site holding packages for a Python that has no pyctl venv: nothing can adopt them yet. */
export interface StraySite {
  site: string;
  version: string;
  count: number;
}

export interface AdoptPlans {
  /** One per source and venv, those with nothing in them left out. */
  plans: AdoptPlan[];
  strays: StraySite[];
}

function existingVenv(layout: Layout, version: string): Target {
  const target = targetFor(layout, version);
  if (!target.env.exists()) {
    throw new PyctlError(`no pyctl venv for Python ${version} to adopt into (${target.venv})`, {
      hint: `run \`pyctl init --python ${version}\` first`,
    });
  }
  return target;
}

function venvVersions(layout: Layout): string[] {
  return versionsOf(layout).filter((v) => targetFor(layout, v).env.exists());
}

/**
 * The read-only half of `pyctl adopt [PATH]`: PATH (a venv or a --target folder) into the venv of
 * its Python, or every user site into the venv of its version (`python` picks one).
 */
export function planAdoptions(layout: Layout, config: Config, path?: string, python?: string): AdoptPlans {
  const nonEmpty = (plans: AdoptPlan[]) =>
    plans.filter((p) => p.move.length + p.same.length + p.conflicts.length + p.stay.length > 0);
  if (path !== undefined) {
    const source = sourceAt(path, layout.home);
    const version = python ? resolveVersion(config, python) : (source.version ?? resolveVersion(config));
    const target = existingVenv(layout, version);
    return { plans: nonEmpty([planAdopt(source, target, examineSource(source, target.version))]), strays: [] };
  }
  const versions = python ? [resolveVersion(config, python)] : venvVersions(layout);
  if (versions.length === 0)
    throw new PyctlError("no pyctl venv to adopt into yet", { hint: "run `pyctl init` first" });
  const strays = (python ? [] : userSiteVersions().filter((u) => !versions.includes(u)))
    .map((v) => ({ site: userSite(v), version: v, count: examineSource(userSiteSource(v), v).length }))
    .filter((s) => s.count > 0);
  const plans = versions.map((v) => {
    const source = userSiteSource(v);
    return planAdopt(source, existingVenv(layout, v), examineSource(source, v));
  });
  return { plans: nonEmpty(plans), strays };
}

/** What `pip install --user` left in the user sites of the Pythons that have a pyctl venv. */
export function adoptableDists(layout: Layout): Dist[] {
  return adoptableInUserSites(venvVersions(layout));
}
