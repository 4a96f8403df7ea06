/**
 * What `pyctl undo N` goes back to: the state before the Nth most recent operation that changed
 * something. Undo operations count like any other (so undo after undo redoes). Operations that
 * changed nothing (history.ts changedSomething: a typo'd package, a failed undo) are skipped, and
 * so is one that never wrote its after-state and left the venv as it found it (a transaction
 * killed before its switch). planUndo previews it; applyUndo runs it as one transaction.
 */
import { diffPackages, isEmpty, type Changes } from "../recording/changes.ts";
import { PyctlError, UsageError } from "../base/errors.ts";
import {
  changedSomething,
  ids,
  listHistory,
  readItem,
  type BeforeEntry,
  type HistoryItem,
} from "../recording/history.ts";
import type { PackageRecord } from "../recording/package-records.ts";
import type { UnownedFile } from "../packages/accounting.ts";
import type { Config } from "../base/config.ts";
import type { Dist } from "../packages/inventory.ts";
import { toRecords } from "../recording/package-records.ts";
import { inventoryOf, type Target } from "../recording/target.ts";
import { unownedOf } from "../recording/unowned.ts";
import { goalFromEntry } from "../transaction/plan.ts";
import { runTransaction, type TransactionEvents, type TransactionResult } from "../transaction/transaction.ts";
import { hasKept, markRestoring, restoreKept, type Restored } from "../recording/adopted.ts";
import { pauser } from "./adopt.ts";
import { previewOf, type Preview } from "./preview.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";

export interface UndoChoice {
  /** The operations undone, newest first; the last one's before-state is the goal. */
  undone: HistoryItem[];
  before: BeforeEntry;
}

/** Files no package owns differ (by path); unknown (an older entry) counts as the same. */
function unownedDiffer(a: UnownedFile[] | undefined, b: UnownedFile[] | undefined): boolean {
  if (!a || !b) return false;
  const paths = new Set(a.map((u) => u.path));
  return a.length !== b.length || b.some((u) => !paths.has(u.path));
}

function changedAnything(item: HistoryItem, later: PackageRecord[], laterUnowned?: UnownedFile[]): boolean {
  if (item.after || !item.before) return changedSomething(item);
  // A pip killed mid-extraction may leave only files no package owns yet.
  return !isEmpty(diffPackages(item.before.packages, later)) || unownedDiffer(item.before.unowned, laterUnowned);
}

/**
 * Operations that count for undo, newest first, read only until `limit` are found: undo of the
 * last one reads the newest entries, not a history of 1,000.
 */
function undoableOperations(
  historyDir: string,
  current: PackageRecord[],
  currentUnowned?: UnownedFile[],
  limit = Number.POSITIVE_INFINITY,
): HistoryItem[] {
  const counted: HistoryItem[] = [];
  let later = current;
  let laterUnowned = currentUnowned;
  for (const id of ids(historyDir).reverse()) {
    if (counted.length >= limit) break;
    const item = readItem(historyDir, id);
    if (changedAnything(item, later, laterUnowned)) counted.push(item);
    if (item.before) {
      later = item.before.packages;
      laterUnowned = item.before.unowned;
    }
  }
  return counted;
}

function chooseUndo(
  historyDir: string,
  venv: string,
  current: PackageRecord[],
  n: number,
  currentUnowned?: UnownedFile[],
): UndoChoice {
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`the number of operations must be a whole number ≥ 1, not ${n}`);
  const operations = undoableOperations(historyDir, current, currentUnowned, n);
  if (operations.length === 0) throw new PyctlError(`nothing to undo: no operation that changed ${venv} is recorded`);
  if (n > operations.length) {
    const count =
      operations.length === 1
        ? "only 1 operation that changed something is"
        : `only ${operations.length} operations that changed something are`;
    throw new PyctlError(`cannot undo ${n} operations: ${count} recorded`, { hint: "`pyctl history` lists them" });
  }
  const undone = operations.slice(0, n);
  const oldest = undone.at(-1)!;
  if (!oldest.before) {
    const files = oldest.corrupt.length ? `: ${oldest.corrupt.join(", ")}` : "";
    throw new PyctlError(`cannot undo operation #${oldest.id}: its before-state is unreadable${files}`);
  }
  return { undone, before: oldest.before };
}

export interface Drift {
  sinceId: number;
  changes: Changes;
}

/** Changes made outside pyctl since the newest recorded state, if any. */
function driftSince(historyDir: string, current: PackageRecord[]): Drift | undefined {
  const newest = listHistory(historyDir, 1)[0];
  // Without an after-state (it crashed, or could not be recorded) the difference is that
  // operation's own doing, not a change made outside pyctl.
  const recorded = newest?.after;
  if (!newest || !recorded) return undefined;
  const changes = diffPackages(recorded.packages, current);
  return isEmpty(changes) ? undefined : { sinceId: newest.id, changes };
}

export interface UndoPlan extends Preview {
  choice: UndoChoice;
  /** Changes made outside pyctl since the last record, which undo does not revert on its own. */
  drift: Drift | undefined;
}

export function planUndo(target: Target, n: number): UndoPlan {
  const installed = inventoryOf(target);
  const current = toRecords(installed);
  const choice = chooseUndo(target.historyDir, target.venv, current, n, unownedOf(target, installed));
  return { choice, drift: driftSince(target.historyDir, current), ...previewOf(target, goalFromEntry(choice.before)) };
}

/** The adopts among what is undone: their undo puts back what they took from their source. */
function adoptIds(choice: UndoChoice): number[] {
  return choice.undone.filter((item) => (item.after ?? item.before)?.kind === "adopt").map((item) => item.id);
}

/** Undoing this puts back files an adopt took away, so it is a transaction even when the venv is as wanted. */
export function putsBackFiles(target: Target, choice: UndoChoice): boolean {
  return adoptIds(choice).some((id) => hasKept(target, id));
}

export interface PutBack {
  id: number;
  restored: Restored;
}

/**
 * Undo as one transaction. Another write may finish while this one waits for the lock, so what
 * is undone is chosen again under it, and told to `chosen` before the plan is shown. Undoing an
 * adopt puts its source's files back inside the same operation, once the venv is switched; they
 * are marked as going back before that, so a kill in between is completed by the next operation.
 */
export function applyUndo(
  target: Target,
  config: Config,
  n: number,
  command: string,
  events: TransactionEvents,
  chosen: (choice: UndoChoice) => void,
  putBack: PutBack[] = [],
): Promise<TransactionResult> {
  let ids: number[] = [];
  const goal = (now: Dist[]) => {
    const choice = chooseUndo(target.historyDir, target.venv, toRecords(now), n, unownedOf(target, now));
    chosen(choice);
    ids = adoptIds(choice);
    markRestoring(target, ids, true);
    return goalFromEntry(choice.before);
  };
  const afterCommit = async (guard: SignalGuard) => {
    for (const id of ids) {
      const restored = await restoreKept(target, id, pauser(guard, events));
      if (restored) putBack.push({ id, restored });
    }
  };
  const abandon = () => markRestoring(target, ids, false);
  return runTransaction(target, config, { kind: "undo", command, goal, afterCommit, abandon }, events);
}
