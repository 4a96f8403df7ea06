/** `pyctl undo [N] [--dry-run] [--python X.Y]`: back to the state before the last N operations. */
import { toRecords } from "../core/recording/package-records.ts";
import { goalFromEntry } from "../core/transaction/plan.ts";
import { assertWritable, inventoryOf } from "../core/recording/target.ts";
import { unownedOf } from "../core/recording/unowned.ts";
import { chooseUndo, driftSince, type UndoChoice } from "../core/operations/undo.ts";
import { restoreAdopted } from "../core/operations/adopt.ts";
import type { Target } from "../core/recording/target.ts";
import { changeLines } from "../ui/diff.ts";
import { err, notice, out } from "../ui/output.ts";
import { existingTarget, openContext } from "./common.ts";
import { positiveInteger } from "./parse.ts";
import { showPreview, transact } from "./run-transaction.ts";
import type { ParsedArgs } from "./spec.ts";

function describe(choice: UndoChoice): string {
  const [newest] = choice.undone;
  const oldest = choice.undone.at(-1)!;
  const command = (item: typeof oldest) => (item.after ?? item.before)?.command ?? "unreadable";
  if (choice.undone.length === 1) return `undo #${oldest.id} (${command(oldest)})`;
  return `undo #${oldest.id}..#${newest!.id} (${choice.undone.length} operations, back to before \`${command(oldest)}\`)`;
}

/** Undoing `pyctl adopt` also puts back what it took away from the user site (or other source). */
function putBackAdopted(target: Target, choice: UndoChoice): void {
  for (const item of choice.undone) {
    if ((item.after ?? item.before)?.kind !== "adopt") continue;
    const restored = restoreAdopted(target, item.id);
    if (!restored) continue;
    notice(`put back ${restored.files} files in ${restored.root} (taken by adopt #${item.id})`);
    if (restored.skipped.length)
      notice(`left as they are now, since they changed after #${item.id}: ${restored.skipped.join(", ")}`);
  }
}

export async function run(args: ParsedArgs): Promise<number> {
  const ctx = await openContext();
  const target = existingTarget(ctx, args);
  const raw = args.positionals[0];
  const n = raw === undefined ? 1 : positiveInteger(raw, "the number of operations to undo");
  const dryRun = args.options.has("--dry-run");
  if (!dryRun) assertWritable(target);

  const installed = inventoryOf(target);
  const current = toRecords(installed);
  const choice = chooseUndo(target.historyDir, target.venv, current, n, unownedOf(target, installed));
  const drift = driftSince(target.historyDir, current);
  if (drift) {
    notice(`the venv changed outside pyctl since operation #${drift.sinceId}:`);
    for (const line of changeLines(drift.changes)) err(`  ${line}`);
  }
  let title = describe(choice);
  if (!showPreview(target, title, goalFromEntry(choice.before), dryRun)) {
    out(`${title}: nothing to change, the venv is already in that state`);
    if (!dryRun) putBackAdopted(target, choice);
    if (choice.undone.length === 1) notice(`\`pyctl undo ${n + 1}\` goes one operation further back`);
    return 0;
  }
  if (dryRun) return 0;
  // Another write may finish while this one waits for the lock: what is undone, and its title,
  // are decided again once the lock is ours.
  let chosen = choice;
  const code = await transact(target, ctx.config, () => title, {
    kind: "undo",
    command: raw === undefined ? "pyctl undo" : `pyctl undo ${n}`,
    goal: (now) => {
      chosen = chooseUndo(target.historyDir, target.venv, toRecords(now), n, unownedOf(target, now));
      title = describe(chosen);
      return goalFromEntry(chosen.before);
    },
  });
  if (code === 0) putBackAdopted(target, chosen);
  return code;
}
