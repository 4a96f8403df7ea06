/**
 * A venv built for a goal beside the live one and never swapped in: the engine's staging without
 * the swap, for `pyctl bisect` (in base/scratch.ts's folder). It is made from hardlinks of the
 * live venv and the store only (offline), its scripts pointing at itself.
 */
import { existsSync, rmSync } from "node:fs";
import { PyctlError } from "../base/errors.ts";
import { relocateVenvText } from "../base/fstree.ts";
import { readInventory, sitePackagesOf } from "../packages/inventory.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import { inventoryOf, type Target } from "../recording/target.ts";
import { applyFromStore } from "./build-steps.ts";
import { mismatches, planChange, type Goal, type Wanted } from "./plan.ts";
import { notStored, relaxBuilds, sourcesOf } from "./sources.ts";
import { cloneTree, reconcileUnowned } from "./staging.ts";

/** What the store lacks to build `goal` from the live venv: nothing, or the lines pip would have to fetch. */
export function unbuildable(target: Target, goal: Goal): Wanted[] {
  const installed = inventoryOf(target);
  relaxBuilds(target, goal, installed);
  return notStored(sourcesOf(target, planChange(installed, goal)));
}

/**
 * Build `goal` in `dir` (replacing what is there). Call it holding the venv's lock: the live
 * venv is cloned. Throws, naming what is lacking, when the store cannot supply the goal offline.
 */
export function buildScratch(target: Target, goal: Goal, dir: string, guard: SignalGuard): void {
  rmSync(dir, { recursive: true, force: true });
  if (!existsSync(target.venv)) throw new PyctlError(`${target.venv} does not exist`);
  cloneTree(target.venv, dir);
  // Scripts and pyvenv.cfg name the live venv: new files (never edits: they are hardlinks) name this one.
  relocateVenvText(dir, target.venv, dir);
  const site = sitePackagesOf(dir, target.version);
  const staged = readInventory(site);
  relaxBuilds(target, goal, inventoryOf(target));
  const plan = planChange(staged, goal);
  const sources = sourcesOf(target, plan);
  const lacking = notStored(sources);
  if (lacking.length)
    throw new PyctlError(`the store does not hold ${lacking.map((w) => w.line).join(", ")} (bisect works offline)`);
  const scratch = { ...target, venv: dir, staging: dir };
  applyFromStore({ target: scratch, dir, site, guard, events: {} }, staged, plan, sources);
  if (goal.unowned) reconcileUnowned(target.storeDir, dir, site, readInventory(site), goal.unowned);
  const problems = mismatches(readInventory(site), goal);
  if (problems.length) throw new PyctlError(`the scratch venv does not match its goal: ${problems.join("; ")}`);
}
