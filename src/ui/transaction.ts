/**
 * The one renderer of what a transaction tells the user while it runs (waiting.ts has the
 * notices every locked write shares), and of how it ended. Commands pass only the words that
 * differ (what stays unchanged, what `pyctl undo` reverts); each notice's shape lives here once.
 */
import { PyctlError } from "../core/base/errors.ts";
import { planChanges, type OtherBuild, type Plan, type Wanted } from "../core/transaction/plan.ts";
import type { TransactionEvents, TransactionResult } from "../core/transaction/spec.ts";
import { changeLines } from "./diff.ts";
import { notice, out } from "./output.ts";
import { pausedNotice, waitingNotice } from "./waiting.ts";

/** Goal lines whose recorded build is gone from the store: said, never passed off as restored. */
export function tellOtherBuilds(builds: OtherBuild[] = []): void {
  for (const { line, stays } of builds) {
    const instead = stays ? "the build installed now stays" : "another build of that version is installed";
    notice(`${line}: the build installed then is no longer in the local package store; ${instead}`);
  }
}

/** The end of a "nothing to change" line when a build could not be had: it is not passed over. */
export function butFor(plan: Plan): string {
  const n = plan.otherBuild?.length ?? 0;
  return n === 0 ? "" : n === 1 ? ", but for the build named above" : ", but for the builds named above";
}

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
  tellOtherBuilds(plan.otherBuild);
}

export interface EventOptions {
  /** Print the plan under this title once it is decided (read then: it may change under the lock). */
  planTitle?: () => string;
  /** Say which `pip install` the pip step runs (upgrade's own listing already says it). */
  showPip?: boolean;
}

/** Every event a transaction, a rebuild or a repair can send, rendered as notices. */
export function transactionEvents(
  venv: string,
  { planTitle, showPip = true }: EventOptions = {},
): TransactionEvents & { progress(message: string): void } {
  return {
    waiting: waitingNotice(venv),
    paused: pausedNotice,
    progress: notice,
    ...(planTitle ? { planned: (plan: Plan, fetch: Wanted[]) => printPlan(planTitle(), plan, fetch) } : {}),
    skipped: (items) => {
      for (const item of items) notice(`left out ${item.line}: ${item.reason}; the rest is restored`);
    },
    otherBuild: tellOtherBuilds,
    fetching: (lines) => notice(`not in the local package store, so pip downloads: ${lines.join(", ")}`),
    ...(showPip ? { pipping: (args: string[]) => notice(`pip install ${args.join(" ")}`) } : {}),
  };
}

/** The words of an ending that differ between operations; the rest is the same for all. */
export interface EndingWords {
  /** "undo", "restore": "KIND failed, …". */
  kind: string;
  venv: string;
  /** What stayed as it was (default "VENV is unchanged"). */
  unchanged?: string;
  /** What holds after an interruption past the switch (default "VENV is in its new state"). */
  switched?: string;
  /** After "recorded as #N in `pyctl history`" when it failed. */
  failureHint?: string;
  /** The success line before "; recorded as #N" (default "done"). */
  done?: string;
  /** What `pyctl undo` reverts (default "it"). */
  reverts?: string;
}

/** A signal stopped it: before the switch nothing changed, after it the new state stands. */
export function interruptedNotice(switched: boolean, words: EndingWords, id: number): void {
  notice(
    switched
      ? `interrupted after the switch: ${words.switched ?? `${words.venv} is in its new state`} (recorded as #${id})`
      : `interrupted: ${words.unchanged ?? `${words.venv} is unchanged`} (recorded as #${id})`,
  );
}

/**
 * How a transaction ended, told once: a failure is thrown (after it was recorded), an
 * interruption and a success are notices. Returns the exit code.
 */
export function reportEnding(result: TransactionResult, words: EndingWords): number {
  const id = result.entry.id;
  const unchanged = words.unchanged ?? `${words.venv} is unchanged`;
  if (result.error) {
    throw new PyctlError(`${words.kind} failed, ${unchanged}: ${result.error.message}`, {
      hint: `recorded as #${id} in \`pyctl history\`${words.failureHint ?? ""}`,
    });
  }
  if (result.interrupted) {
    interruptedNotice(result.committed, { ...words, unchanged }, id);
    return result.exitCode;
  }
  if (result.missing.length) notice(`--allow-missing: ${words.venv} lacks ${result.missing.join(", ")}`);
  notice(`${words.done ?? "done"}; recorded as #${id} (\`pyctl undo\` reverts ${words.reverts ?? "it"})`);
  return 0;
}
