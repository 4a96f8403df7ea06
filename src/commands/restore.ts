/**
 * `pyctl restore NAME|FILE|#ID|@DATE [--dry-run] [--allow-missing] [--python X.Y]`: change the venv
 * to a snapshot's package set (a freeze file's, or a point of its history: core/operations/points.ts),
 * touching only what differs; any other
 * requirements file becomes what it asks for plus what that needs (restore-requirements.ts).
 */
import { UsageError } from "../core/base/errors.ts";
import { assertWritable, type Target } from "../core/recording/target.ts";
import {
  applyRestore,
  loadSnapshot,
  planRestore,
  planRestorePoint,
  snapshotVersion,
  type RestorePlan,
} from "../core/operations/restore.ts";
import {
  applyRequirements,
  planRequirements,
  previewPipPart,
  requirementsFileArg,
  type RequirementsFile,
} from "../core/operations/restore-requirements.ts";
import { notice, out } from "../ui/output.ts";
import { butFor, printPlan, reportEnding, tellOtherBuilds, transactionEvents } from "../ui/transaction.ts";
import { existingTarget, type Context } from "./context.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

const LACKING_HINT = "; `--allow-missing` restores the rest and names what it leaves out";

async function restoreSnapshot(args: ParsedArgs, ctx: Context, arg: string): Promise<number> {
  const snapshot = loadSnapshot(ctx.layout, arg);
  const target = existingTarget(ctx, stringOption(args, "--python") ?? snapshotVersion(ctx.layout, snapshot));
  const dryRun = args.options.has("--dry-run");
  if (!dryRun) assertWritable(target);
  const plan = planRestore(target, snapshot);
  for (const line of plan.leftOut)
    notice(`left out ${line}: its environment marker is false for Python ${plan.python}`);
  if (plan.otherPython)
    notice(
      `${snapshot.name} was taken with Python ${snapshot.python}; restoring it into the Python ${plan.python} venv`,
    );
  return restorePlan(args, ctx, target, plan, `restore ${snapshot.name} into ${target.venv}`);
}

/** `restore #ID|@DATE`: the venv as it was at that point of its history, offline from the store. */
async function restorePoint(args: ParsedArgs, ctx: Context, arg: string): Promise<number> {
  const target = existingTarget(ctx, stringOption(args, "--python"));
  if (!args.options.has("--dry-run")) assertWritable(target);
  const plan = planRestorePoint(target, ctx.layout.snapshotsDir, arg);
  const when = plan.timestamp ? ` (${plan.timestamp})` : "";
  return restorePlan(args, ctx, target, plan, `restore ${target.venv} to ${arg}${when}`);
}

async function restorePlan(args: ParsedArgs, ctx: Context, target: Target, plan: RestorePlan, title: string) {
  if (plan.empty) {
    tellOtherBuilds(plan.plan.otherBuild);
    out(`${title}: nothing to change, the venv already matches it${butFor(plan.plan)}`);
    return 0;
  }
  if (args.options.has("--dry-run")) {
    printPlan(title, plan.plan, plan.fetch);
    out("dry run: nothing changed");
    return 0;
  }
  const allowMissing = args.options.has("--allow-missing");
  const command = `pyctl restore ${args.positionals[0]}${allowMissing ? " --allow-missing" : ""}`;
  const events = transactionEvents(target.venv, { planTitle: () => title });
  const result = await applyRestore(target, ctx.config, plan, command, allowMissing, events);
  const lacking = !allowMissing && /could not|is missing/.test(result.error?.message ?? "");
  return reportEnding(result, { kind: "restore", venv: target.venv, failureHint: lacking ? LACKING_HINT : "" });
}

async function restoreRequirements(args: ParsedArgs, ctx: Context, path: string, file: RequirementsFile) {
  if (args.options.has("--allow-missing")) {
    // pip resolves the file as a whole: it installs all of it or nothing, so nothing could be left out and named.
    throw new UsageError(
      `--allow-missing takes a snapshot or a freeze file (name==version lines); pip resolves ${path} as a whole`,
      "`pyctl export` writes a freeze file; or leave out the lines that cannot be had",
    );
  }
  const target = existingTarget(ctx, stringOption(args, "--python"));
  const dryRun = args.options.has("--dry-run");
  if (!dryRun) assertWritable(target);
  const plan = planRequirements(target, file);
  for (const line of plan.leftOut)
    notice(
      `left out ${line.text} (${line.file}:${line.line}): its environment marker is false for Python ${plan.python}`,
    );
  const title = `restore ${path} into ${target.venv}`;
  if (dryRun) {
    printPlan(title, plan.plan, []);
    const ok = plan.unresolved.length === 0 || (await showPipPart(target, path, file, plan.unresolved));
    out("dry run: nothing changed");
    return ok ? 0 : 1;
  }
  if (plan.unresolved.length === 0 && plan.empty) {
    out(`${title}: nothing to change, the venv already matches it`);
    return 0;
  }
  const events = transactionEvents(target.venv, { planTitle: () => title });
  const result = await applyRequirements(target, ctx.config, path, file, plan, events);
  return reportEnding(result, { kind: "restore", venv: target.venv });
}

async function showPipPart(target: Target, path: string, file: RequirementsFile, unresolved: string[]) {
  out(`  for pip to resolve in staging: ${unresolved.join(", ")}`);
  const part = await previewPipPart(target, path, file);
  if (!part.ok) {
    out(`  pip cannot resolve ${path}: ${part.error}`);
    return false;
  }
  for (const i of part.items)
    out(`  ${i.from === undefined ? `+ ${i.name} ${i.to}` : `${i.name} ${i.from} → ${i.to}`} (from pip)`);
  return true;
}

export async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const arg = args.positionals[0]!;
  if (arg.startsWith("#") || arg.startsWith("@")) return restorePoint(args, ctx, arg);
  const requirements = requirementsFileArg(arg);
  if (requirements) return restoreRequirements(args, ctx, arg, requirements);
  return restoreSnapshot(args, ctx, arg);
}
