/**
 * `pyctl restore FILE` for a requirements file that is more than a freeze (ranges, extras,
 * markers, -r/-c, option lines): the venv becomes what the file asks for plus what that needs,
 * met from the venv and the store where they can, by `pip install -r FILE` in staging otherwise.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../core/base/errors.ts";
import type { Dist } from "../core/packages/inventory.ts";
import { checkRequirementsFile } from "../core/packages/requirements-check.ts";
import { isFreezeFile, readRequirementsFile, type RequirementsFile } from "../core/packages/requirements-file.ts";
import { markerEnvironment } from "../core/packages/requirements.ts";
import { assertWritable, inventoryOf, pythonVersionOf, type Target } from "../core/recording/target.ts";
import { isEmptyPlan } from "../core/transaction/plan.ts";
import { checkAgainstFile, goalFromRequirements } from "../core/operations/requirements-goal.ts";
import { previewTransaction } from "../core/transaction/transaction.ts";
import { resolveWithPip } from "../core/operations/upgrade.ts";
import { notice, out } from "../ui/output.ts";
import { existingTarget, type Context } from "./common.ts";
import { printPlan, transact } from "./run-transaction.ts";
import type { ParsedArgs } from "./spec.ts";

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

/** What pip would add to the venv for the lines the store and the venv cannot meet (--dry-run). */
async function showPipPart(
  target: Target,
  path: string,
  file: RequirementsFile,
  unresolved: string[],
): Promise<boolean> {
  out(`  for pip to resolve in staging: ${unresolved.join(", ")}`);
  const resolution = await resolveWithPip(target, pipArgsFor(path, file));
  if (!resolution.ok) {
    out(`  pip cannot resolve ${path}: ${resolution.error}`);
    return false;
  }
  const installed = new Map(inventoryOf(target).map((d) => [d.key, d.version]));
  for (const item of resolution.items) {
    const from = installed.get(item.key);
    out(
      `  ${from === undefined ? `+ ${item.name} ${item.version}` : `${item.name} ${from} → ${item.version}`} (from pip)`,
    );
  }
  return true;
}

export async function restoreRequirements(
  ctx: Context,
  args: ParsedArgs,
  path: string,
  file: RequirementsFile,
): Promise<number> {
  if (args.options.has("--allow-missing")) {
    // pip resolves the file as a whole: it installs all of it or nothing, so nothing could be left out and named.
    throw new UsageError(
      `--allow-missing takes a snapshot or a freeze file (name==version lines); pip resolves ${path} as a whole`,
      "`pyctl export` writes a freeze file; or leave out the lines that cannot be had",
    );
  }
  const target = existingTarget(ctx, args);
  const dryRun = args.options.has("--dry-run");
  if (!dryRun) assertWritable(target);
  const python = pythonVersionOf(target);
  for (const line of checkRequirementsFile(file, markerEnvironment(python))) {
    notice(`left out ${line.text} (${line.file}:${line.line}): its environment marker is false for Python ${python}`);
  }
  const { goal, unresolved } = goalFromRequirements(target, file, inventoryOf(target));
  const title = `restore ${path} into ${target.venv}`;
  const { plan } = previewTransaction(target, goal);
  if (dryRun) {
    printPlan(title, plan, []);
    const ok = unresolved.length === 0 || (await showPipPart(target, path, file, unresolved));
    out("dry run: nothing changed");
    return ok ? 0 : 1;
  }
  if (unresolved.length === 0 && isEmptyPlan(plan)) {
    out(`${title}: nothing to change, the venv already matches it`);
    return 0;
  }
  return transact(target, ctx.config, title, {
    kind: "restore",
    command: `pyctl restore ${path}`,
    goal: (installed) => goalFromRequirements(target, file, installed).goal,
    ...(unresolved.length
      ? { pip: pipArgsFor(path, file), check: (staged: Dist[]) => checkAgainstFile(target, file, goal, staged) }
      : {}),
  });
}
