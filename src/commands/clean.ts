/**
 * `pyctl clean [--keep-baseline] [--yes] [--python X.Y]`: recreate the venv empty (pip and what
 * a fresh venv holds), or as its baseline snapshot. Recorded, so `pyctl undo` brings it all back.
 */
import { PyctlError, UsageError } from "../core/base/errors.ts";
import { goalFromLines } from "../core/transaction/plan.ts";
import { applyExplicitMarks, readSnapshot } from "../core/recording/snapshots.ts";
import { assertWritable, baselineName, inventoryOf, type Target } from "../core/recording/target.ts";
import { baseInterpreterOf } from "../core/transaction/transaction.ts";
import { err, writeAll } from "../ui/output.ts";
import { existingTarget, openContext } from "./common.ts";
import { transact } from "./run-transaction.ts";
import type { ParsedArgs } from "./spec.ts";

async function confirm(question: string): Promise<boolean> {
  writeAll(2, `${question} [y/N] `);
  for await (const line of console) return /^\s*y(es)?\s*$/i.test(line);
  return false;
}

async function confirmed(target: Target, keepBaseline: boolean, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new UsageError(
      "clean asks for confirmation, and there is no terminal to ask",
      "pass --yes to clean without asking",
    );
  }
  const count = inventoryOf(target).length;
  err(
    `pyctl: this recreates ${target.venv} ${keepBaseline ? "as the baseline snapshot" : "empty"}; it holds ${count} distributions now`,
  );
  err("pyctl: history is kept: `pyctl undo` brings them back");
  return confirm("recreate it?");
}

export async function run(args: ParsedArgs): Promise<number> {
  const ctx = await openContext();
  const target = existingTarget(ctx, args);
  assertWritable(target);
  const keepBaseline = args.options.has("--keep-baseline");
  const name = baselineName(target, ctx.config);
  const baseline = keepBaseline ? readSnapshot(ctx.layout.snapshotsDir, name) : undefined;
  if (baseline && baseline.lines.length === 0) throw new PyctlError(`${baseline.path} names no packages`);
  if (!(await confirmed(target, keepBaseline, args.options.has("--yes")))) {
    err("pyctl: nothing changed");
    return 1;
  }
  const python = baseInterpreterOf(target, ctx.config);
  const title = keepBaseline ? `clean ${target.venv} back to ${name}` : `clean ${target.venv}`;
  return transact(target, ctx.config, title, {
    kind: "clean",
    command: keepBaseline ? "pyctl clean --keep-baseline" : "pyctl clean",
    fresh: python,
    goal: () => {
      if (!baseline) return undefined;
      const goal = goalFromLines(baseline.lines);
      applyExplicitMarks(goal.wanted, baseline);
      return goal;
    },
  });
}
