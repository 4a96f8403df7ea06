/**
 * `pyctl clean [--keep-baseline] [--yes] [--python X.Y]`: recreate the venv empty, or as its
 * baseline snapshot, after asking. Recorded, so `pyctl undo` brings it all back.
 */
import { UsageError } from "../core/base/errors.ts";
import { applyClean, planClean, type CleanPlan } from "../core/operations/clean.ts";
import { assertWritable, type Target } from "../core/recording/target.ts";
import { confirm } from "../ui/confirm.ts";
import { notice } from "../ui/output.ts";
import { reportEnding, transactionEvents } from "../ui/transaction.ts";
import type { VenvContext } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

async function confirmed(target: Target, plan: CleanPlan, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new UsageError(
      "clean asks for confirmation, and there is no terminal to ask",
      "pass --yes to clean without asking",
    );
  }
  const as = plan.baseline ? "as the baseline snapshot" : "empty";
  notice(`this recreates ${target.venv} ${as}; it holds ${plan.count} distributions now`);
  notice("history is kept: `pyctl undo` brings them back");
  return confirm("recreate it?");
}

export async function run(args: ParsedArgs, { target, config }: VenvContext): Promise<number> {
  assertWritable(target);
  const plan = planClean(target, config, args.options.has("--keep-baseline"));
  if (!(await confirmed(target, plan, args.options.has("--yes")))) {
    notice("nothing changed");
    return 1;
  }
  const title = plan.baseline ? `clean ${target.venv} back to ${plan.baselineName}` : `clean ${target.venv}`;
  const result = await applyClean(target, config, plan, transactionEvents(target.venv, { planTitle: () => title }));
  return reportEnding(result, { kind: "clean", venv: target.venv });
}
