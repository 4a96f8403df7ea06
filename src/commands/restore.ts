/**
 * `pyctl restore NAME|FILE|#ID|@DATE [--dry-run] [--python X.Y]`: change the venv to a snapshot's package set
 * (or a freeze file's), removing, installing and replacing only what differs. Any other
 * requirements file (ranges, extras, markers, -r/-c, --index-url lines) becomes what it asks for
 * plus what that needs: met from the venv and the store where they can, by pip in staging otherwise.
 */
import { existsSync } from "node:fs";
import { PyctlError } from "../core/base/errors.ts";
import { applicableLines } from "../core/packages/requirements-check.ts";
import { markerEnvironment } from "../core/packages/requirements.ts";
import { goalFromEntry, goalFromLines } from "../core/transaction/plan.ts";
import { resolvePoint } from "../core/operations/points.ts";
import {
  applyExplicitMarks,
  readSnapshot,
  readSnapshotFile,
  validateSnapshotName,
  type Snapshot,
} from "../core/recording/snapshots.ts";
import { assertWritable, inventoryOf, pythonVersionOf, targetFor } from "../core/recording/target.ts";
import { isVenv } from "../core/python/venv.ts";
import { notice, out } from "../ui/output.ts";
import { existingTarget, openContext, type Context } from "./common.ts";
import { stringOption } from "./parse.ts";
import { showPreview, transact } from "./run-transaction.ts";
import { requirementsFileArg, restoreRequirements } from "./restore-requirements.ts";
import type { ParsedArgs } from "./spec.ts";

/** A path if it looks like one (a "/" or a .txt file that exists), else a snapshot name. */
export function loadSnapshot(ctx: Context, arg: string): Snapshot {
  if (arg.includes("/") || (arg.endsWith(".txt") && existsSync(arg))) return readSnapshotFile(arg);
  return readSnapshot(ctx.layout.snapshotsDir, validateSnapshotName(arg));
}

/** Without --python, a snapshot goes back to the venv of the Python it was taken with, if there is one. */
function versionFor(ctx: Context, args: ParsedArgs, snapshot: Snapshot): ParsedArgs {
  const minor = /^(3\.\d+)/.exec(snapshot.python)?.[1];
  if (stringOption(args, "--python") || !minor || !isVenv(targetFor(ctx.layout, minor).venv)) return args;
  return { ...args, options: new Map([...args.options, ["--python", minor]]) };
}

/** `pyctl restore #ID|@DATE`: the venv as it was at that point of its history, offline from the store. */
async function restorePoint(ctx: Context, args: ParsedArgs, arg: string): Promise<number> {
  const target = existingTarget(ctx, args);
  const state = resolvePoint(target, ctx.layout.snapshotsDir, arg, () => inventoryOf(target));
  const dryRun = args.options.has("--dry-run");
  if (!dryRun) assertWritable(target);
  const goal = goalFromEntry(state.entry!);
  const title = `restore ${target.venv} to ${arg}${state.timestamp ? ` (${state.timestamp})` : ""}`;
  if (!showPreview(target, title, goal, dryRun)) {
    out(`${title}: nothing to change, the venv is already in that state`);
    return 0;
  }
  if (dryRun) return 0;
  const allowMissing = args.options.has("--allow-missing");
  return transact(target, ctx.config, title, {
    kind: "restore",
    command: `pyctl restore ${arg}${allowMissing ? " --allow-missing" : ""}`,
    goal: () => goal,
    allowMissing,
  });
}

export async function run(args: ParsedArgs): Promise<number> {
  const ctx = await openContext();
  const arg = args.positionals[0]!;
  if (arg.startsWith("#") || arg.startsWith("@")) return restorePoint(ctx, args, arg);
  const requirements = requirementsFileArg(arg);
  if (requirements) return restoreRequirements(ctx, args, arg, requirements);
  const snapshot = loadSnapshot(ctx, arg);
  if (snapshot.lines.length === 0) throw new PyctlError(`${snapshot.path} names no packages`);
  const target = existingTarget(ctx, versionFor(ctx, args, snapshot));
  const dryRun = args.options.has("--dry-run");
  if (!dryRun) assertWritable(target);
  const running = pythonVersionOf(target);
  const lines = applicableLines(snapshot.path, snapshot.lines, markerEnvironment(running), (line) =>
    notice(`left out ${line}: its environment marker is false for Python ${running}`),
  );
  const goal = goalFromLines(lines);
  applyExplicitMarks(goal.wanted, snapshot, lines);
  if (snapshot.python && !`${snapshot.python}.`.startsWith(`${target.version}.`)) {
    notice(`${snapshot.name} was taken with Python ${snapshot.python}; restoring it into the Python ${running} venv`);
  }
  const title = `restore ${snapshot.name} into ${target.venv}`;
  if (!showPreview(target, title, goal, dryRun)) {
    out(`${title}: nothing to change, the venv already matches it`);
    return 0;
  }
  if (dryRun) return 0;
  const allowMissing = args.options.has("--allow-missing");
  return transact(target, ctx.config, title, {
    kind: "restore",
    command: `pyctl restore ${arg}${allowMissing ? " --allow-missing" : ""}`,
    goal: () => goal,
    allowMissing,
  });
}
