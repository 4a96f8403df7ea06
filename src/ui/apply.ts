/** What `pyctl apply` shows: its lines, a before/after diff, or the versioned JSON envelope. */
import type { ApplyOutcome } from "../core/operations/apply-file.ts";
import type { ApplyChanges } from "../core/operations/apply-set.ts";
import { changeLines } from "./diff.ts";
import { notice, out } from "./output.ts";

/** Bumped only when a field changes meaning or goes away. */
const RESULT_VERSION = 1;

function diffLines(changes: ApplyChanges): { before: string[]; after: string[] } {
  const moved = [...changes.upgraded, ...changes.downgraded];
  return {
    before: [...changes.removed, ...moved.map((c) => `${c.name}==${c.from}`)].sort(),
    after: [...changes.added, ...moved.map((c) => `${c.name}==${c.to}`)].sort(),
  };
}

export function envelope(
  check: boolean,
  diff: boolean,
  outcome?: ApplyOutcome,
  error?: { code: string; message: string },
) {
  const c = outcome?.changes ?? { added: [], removed: [], upgraded: [], downgraded: [], marked: [] };
  return {
    pyctl_result_version: RESULT_VERSION,
    changed: outcome?.changed ?? false,
    check,
    venv: outcome?.venv,
    added: c.added,
    removed: c.removed,
    upgraded: c.upgraded,
    downgraded: c.downgraded,
    marked: c.marked,
    ...(diff ? { diff: diffLines(c) } : {}),
    ...(outcome?.recorded !== undefined ? { history_id: outcome.recorded } : {}),
    errors: error ? [error] : [],
  };
}

export function printOutcome(path: string, outcome: ApplyOutcome, check: boolean, diff: boolean): void {
  const c = outcome.changes;
  if (!outcome.changed) {
    out(`${path}: nothing to change, ${outcome.venv} already matches it`);
    return;
  }
  out(`${check ? "apply would change" : "applied"} ${path} to ${outcome.venv}:`);
  const modified = [...c.upgraded, ...c.downgraded];
  for (const line of changeLines({ added: c.added, removed: c.removed, modified })) out(`  ${line}`);
  for (const m of c.marked) out(`  ${m.name}: ${m.explicit ? "now explicit" : "now a dependency"}`);
  if (diff) {
    const { before, after } = diffLines(c);
    out("--- before");
    out("+++ after");
    for (const line of before) out(`-${line}`);
    for (const line of after) out(`+${line}`);
  }
  if (check) out("check: nothing changed");
  else if (outcome.recorded !== undefined) notice(`done; recorded as #${outcome.recorded} (\`pyctl undo\` reverts it)`);
}
