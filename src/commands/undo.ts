/** `pyctl undo [N] [--dry-run] [--python X.Y]`: back to the state before the last N operations. */
import { applyUndo, planUndo, putsBackFiles, type PutBack, type UndoChoice } from "../core/operations/undo.ts";
import { assertWritable } from "../core/recording/target.ts";
import { changeLines } from "../ui/diff.ts";
import { err, notice, out } from "../ui/output.ts";
import { butFor, printPlan, reportEnding, tellOtherBuilds, transactionEvents } from "../ui/transaction.ts";
import type { VenvContext } from "./context.ts";
import { positiveInteger } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

function describe(choice: UndoChoice): string {
  const [newest] = choice.undone;
  const oldest = choice.undone.at(-1)!;
  const command = (item: typeof oldest) => (item.after ?? item.before)?.command ?? "unreadable";
  if (choice.undone.length === 1) return `undo #${oldest.id} (${command(oldest)})`;
  return `undo #${oldest.id}..#${newest!.id} (${choice.undone.length} operations, back to before \`${command(oldest)}\`)`;
}

function tellPutBack(putBack: PutBack[]): void {
  for (const { id, restored } of putBack) {
    notice(`put back ${restored.files} files in ${restored.root} (taken by adopt #${id})`);
    if (restored.skipped.length)
      notice(`left as they are now, since they changed after #${id}: ${restored.skipped.join(", ")}`);
  }
}

export async function run(args: ParsedArgs, { target, config }: VenvContext): Promise<number> {
  const raw = args.positionals[0];
  const n = raw === undefined ? 1 : positiveInteger(raw, "the number of operations to undo");
  const dryRun = args.options.has("--dry-run");
  if (!dryRun) assertWritable(target);
  const plan = planUndo(target, n);
  if (plan.drift) {
    notice(`the venv changed outside pyctl since operation #${plan.drift.sinceId}:`);
    for (const line of changeLines(plan.drift.changes)) err(`  ${line}`);
  }
  let chosen = plan.choice;
  if (plan.empty && !(putsBackFiles(target, chosen) && !dryRun)) {
    tellOtherBuilds(plan.plan.otherBuild);
    out(`${describe(chosen)}: nothing to change, the venv is already in that state${butFor(plan.plan)}`);
    if (chosen.undone.length === 1) notice(`\`pyctl undo ${n + 1}\` goes one operation further back`);
    return 0;
  }
  if (dryRun) {
    printPlan(describe(chosen), plan.plan, plan.fetch);
    out("dry run: nothing changed");
    return 0;
  }
  const events = transactionEvents(target.venv, { planTitle: () => describe(chosen) });
  const command = raw === undefined ? "pyctl undo" : `pyctl undo ${n}`;
  const putBack: PutBack[] = [];
  const result = await applyUndo(target, config, n, command, events, (c) => (chosen = c), putBack);
  const code = reportEnding(result, { kind: "undo", venv: target.venv });
  tellPutBack(putBack);
  return code;
}
