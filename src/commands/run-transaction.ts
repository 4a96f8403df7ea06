/** What undo, restore and clean share: show a plan, run the transaction, say how it ended. */
import { PyctlError } from "../core/base/errors.ts";
import { isEmptyPlan, planChanges, type Goal, type Plan, type Wanted } from "../core/transaction/plan.ts";
import { previewTransaction, runTransaction, type TransactionSpec } from "../core/transaction/transaction.ts";
import type { Config } from "../core/base/config.ts";
import type { Target } from "../core/recording/target.ts";
import { changeLines } from "../ui/diff.ts";
import { notice, out } from "../ui/output.ts";

export function printPlan(title: string, plan: Plan, fetch: Wanted[]): void {
  out(`${title}:`);
  for (const line of changeLines(planChanges(plan))) out(`  ${line}`);
  if (plan.mark.length && !plan.remove.length && !plan.install.length && !plan.replace.length) {
    out(`  (only which packages you asked for changes: ${plan.mark.map((m) => m.dist.name).join(", ")})`);
  }
  const size = (units: { size: number }[]) => `${units.reduce((n, u) => n + u.size, 0)} bytes`;
  const files = plan.files;
  if (files?.remove.length)
    out(
      `  - ${files.remove.length} file(s)/folder(s) no package owns (${size(files.remove)}): ${files.remove.map((u) => u.path).join(", ")}`,
    );
  if (files?.restore.length)
    out(
      `  + ${files.restore.length} file(s)/folder(s) no package owns, from the store: ${files.restore.map((u) => u.path).join(", ")}`,
    );
  if (fetch.length)
    out(`  not in the local package store, to download with pip: ${fetch.map((w) => w.line).join(", ")}`);
}

/** --dry-run: the plan against the live venv, and nothing else. Returns false if there is nothing to do. */
export function showPreview(target: Target, title: string, goal: Goal, dryRun: boolean): boolean {
  const { plan, fetch } = previewTransaction(target, goal);
  if (isEmptyPlan(plan)) return false;
  if (dryRun) {
    printPlan(title, plan, fetch);
    out("dry run: nothing changed");
  }
  return true;
}

/**
 * Run the transaction; returns the exit code, throws (after recording) when it failed. A title
 * given as a function is read when the plan is shown, i.e. after the goal was computed under the lock.
 */
export async function transact(
  target: Target,
  config: Config,
  title: string | (() => string),
  spec: TransactionSpec,
): Promise<number> {
  const titleNow = () => (typeof title === "function" ? title() : title);
  const result = await runTransaction(target, config, spec, {
    waiting: (holder) =>
      notice(
        `waiting for ${holder ? `pid ${holder.pid} (${holder.command})` : "another pyctl"} to finish with ${target.venv}`,
      ),
    planned: (plan, fetch) => printPlan(titleNow(), plan, fetch),
    skipped: (items) => {
      for (const item of items) notice(`left out ${item.line}: ${item.reason}; the rest is restored`);
    },
    fetching: (lines) => notice(`not in the local package store, so pip downloads: ${lines.join(", ")}`),
    pipping: (args) => notice(`pip install ${args.join(" ")}`),
    paused: (phase) => notice(`test pause at ${phase} (PYCTL_TEST_PAUSE)`),
  });
  const id = result.entry.id;
  if (result.error) {
    const lacking = spec.kind === "restore" && !spec.allowMissing && /could not|is missing/.test(result.error.message);
    throw new PyctlError(`${spec.kind} failed, ${target.venv} is unchanged: ${result.error.message}`, {
      hint: `recorded as #${id} in \`pyctl history\`${lacking ? "; `--allow-missing` restores the rest and names what it leaves out" : ""}`,
    });
  }
  if (result.interrupted) {
    notice(
      result.committed
        ? `interrupted after the switch: ${target.venv} is in its new state (recorded as #${id})`
        : `interrupted: ${target.venv} is unchanged (recorded as #${id})`,
    );
    return result.exitCode;
  }
  if (result.missing.length) notice(`--allow-missing: ${target.venv} lacks ${result.missing.join(", ")}`);
  notice(`done; recorded as #${id} (\`pyctl undo\` reverts it)`);
  return 0;
}
