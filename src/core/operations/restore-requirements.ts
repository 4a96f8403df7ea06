/**
 * `pyctl restore FILE` for a requirements file that is more than a freeze (ranges, extras,
 * markers, -r/-c, option lines): the venv becomes what the file asks for plus what that needs,
 * met from the venv and the store where they can, by `pip install -r FILE` in staging otherwise.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Config } from "../base/config.ts";
import type { Dist } from "../packages/inventory.ts";
import { checkRequirementsFile, type FileLine } from "../packages/requirements-check.ts";
import { isFreezeFile, readRequirementsFile, type RequirementsFile } from "../packages/requirements-file.ts";
import { markerEnvironment } from "../packages/requirements.ts";
import { inventoryOf, pythonVersionOf, type Target } from "../recording/target.ts";
import { runTransaction, type TransactionEvents, type TransactionResult } from "../transaction/transaction.ts";
import { previewOf, type Preview } from "./preview.ts";
import { checkAgainstFile, goalFromRequirements, type RequirementsGoal } from "./requirements-goal.ts";
import { resolveWithPip } from "./upgrade.ts";

export type { RequirementsFile };

/** A FILE that is more than a freeze (ranges, extras, markers, includes, options): pip's resolver helps. */
export function requirementsFileArg(arg: string): RequirementsFile | undefined {
  if (!(arg.includes("/") || arg.endsWith(".txt")) || !existsSync(arg)) return undefined;
  const file = readRequirementsFile(arg);
  return isFreezeFile(file) ? undefined : file;
}

/** The file's own options as pip arguments (argv, never a shell), then the file itself. */
function pipArgsFor(path: string, file: RequirementsFile): string[] {
  return [...file.options, "-r", resolve(path)];
}

export interface RequirementsPlan extends Preview, RequirementsGoal {
  /** Lines whose environment marker is false for the venv's Python. */
  leftOut: FileLine[];
  python: string;
}

export function planRequirements(target: Target, file: RequirementsFile): RequirementsPlan {
  const python = pythonVersionOf(target);
  const leftOut = checkRequirementsFile(file, markerEnvironment(python));
  const wanted = goalFromRequirements(target, file, inventoryOf(target));
  return { ...wanted, leftOut, python, ...previewOf(target, wanted.goal) };
}

export type PipPart = { ok: true; items: { name: string; from?: string; to: string }[] } | { ok: false; error: string };

/** What pip would add to the venv for the lines the store and the venv cannot meet (--dry-run). */
export async function previewPipPart(target: Target, path: string, file: RequirementsFile): Promise<PipPart> {
  const resolution = await resolveWithPip(target, pipArgsFor(path, file));
  if (!resolution.ok) return { ok: false, error: resolution.error };
  const installed = new Map(inventoryOf(target).map((d) => [d.key, d.version]));
  return {
    ok: true,
    items: resolution.items.map((i) => ({ name: i.name, from: installed.get(i.key), to: i.version })),
  };
}

export function applyRequirements(
  target: Target,
  config: Config,
  path: string,
  file: RequirementsFile,
  plan: RequirementsPlan,
  events: TransactionEvents,
): Promise<TransactionResult> {
  const pipPart = plan.unresolved.length
    ? { pip: pipArgsFor(path, file), check: (staged: Dist[]) => checkAgainstFile(target, file, plan.goal, staged) }
    : {};
  return runTransaction(
    target,
    config,
    {
      kind: "restore",
      command: `pyctl restore ${path}`,
      goal: (installed) => goalFromRequirements(target, file, installed).goal,
      ...pipPart,
    },
    events,
  );
}
