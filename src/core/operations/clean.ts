/**
 * `pyctl clean [--keep-baseline]`: recreate the venv empty (pip and what a fresh venv holds), or
 * as its baseline snapshot, as one transaction from a fresh venv. Recorded, so undo brings it all back.
 */
import type { Config } from "../base/config.ts";
import { PyctlError } from "../base/errors.ts";
import { applyExplicitMarks, readSnapshot, type Snapshot } from "../recording/snapshots.ts";
import { baselineName, inventoryOf, type Target } from "../recording/target.ts";
import { goalFromLines } from "../transaction/plan.ts";
import {
  baseInterpreterOf,
  runTransaction,
  type TransactionEvents,
  type TransactionResult,
} from "../transaction/transaction.ts";

export interface CleanPlan {
  /** With --keep-baseline: the snapshot it becomes. */
  baseline?: Snapshot;
  baselineName: string;
  /** Distributions the venv holds now. */
  count: number;
}

export function planClean(target: Target, config: Config, keepBaseline: boolean): CleanPlan {
  const name = baselineName(target, config);
  const baseline = keepBaseline ? readSnapshot(target.layout.snapshotsDir, name) : undefined;
  if (baseline && baseline.lines.length === 0) throw new PyctlError(`${baseline.path} names no packages`);
  return { baseline, baselineName: name, count: inventoryOf(target).length };
}

export function applyClean(
  target: Target,
  config: Config,
  plan: CleanPlan,
  events: TransactionEvents,
): Promise<TransactionResult> {
  const { baseline } = plan;
  const goal = () => {
    if (!baseline) return undefined;
    const goal = goalFromLines(baseline.lines);
    applyExplicitMarks(goal.wanted, baseline);
    return goal;
  };
  const command = baseline ? "pyctl clean --keep-baseline" : "pyctl clean";
  const fresh = baseInterpreterOf(target, config);
  return runTransaction(target, config, { kind: "clean", command, fresh, goal }, events);
}
