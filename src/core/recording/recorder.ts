/**
 * Subsystem recording: one operation on a venv, recorded. It owns the target venv and its
 * folders (target.ts), the history entry format (history.ts, package-records.ts, changes.ts),
 * the offline package store (store.ts) and its pruning (retention.ts), snapshots
 * (snapshots.ts), the explicit marks read from history (explicit.ts), the signal guard
 * (signal-guard.ts) and running pip (pip-runner.ts).
 *
 * The recording pip runner: runs a venv's pip with the user's arguments unchanged and, for
 * writes, records the package set before and after (history.ts) and stores what was installed
 * (store.ts), all under the venv's lock. Costs two directory scans, not two `pip freeze`s, and
 * when the venv is as the last operation left it, neither (venv-state.ts). pip's python starts
 * while the before-state is read and waits at a gate until it is recorded (pip-runner.ts); the
 * after-state's files are created while pip runs.
 */
import { userInfo } from "node:os";
import { join } from "node:path";
import { type PreparedFile, prepareFile, sweepStaleTemps } from "../base/atomic.ts";
import { PyctlError, systemErrorMessage } from "../base/errors.ts";
import { configNumber, type Config } from "../base/config.ts";
import { SignalGuard } from "./signal-guard.ts";
import { diffPackages, isEmpty, type Changes } from "./changes.ts";
import {
  claimEntry,
  discardEntry,
  entryFile,
  ids,
  markUnrecorded,
  missingPackage,
  writeAfter,
  type AfterEntry,
  type BeforeEntry,
  type OperationKind,
} from "./history.ts";
import type { LockHolder, VenvLock } from "../base/lock.ts";
import { redactArgs, redactUrls } from "../base/redact.ts";
import { markedRequested, type PackageRecord, toRecords } from "./package-records.ts";
import { type StagedFiles, storeAll } from "./store.ts";
import { pruneTargetHistory } from "./history-index.ts";
import { recoverTransaction } from "../base/swap.ts";
import { assertRunnable, freezeAll, inventoryOf, pythonVersionOf, type Target } from "./target.ts";
import type { Dist } from "../packages/inventory.ts";
import { carriedExplicit, namedByInstall, recordedExplicit } from "./explicit.ts";
import { stashes, unitKey, unownedOf } from "./unowned.ts";
import type { UnownedFile } from "../packages/accounting.ts";
import { sweepDeadScratch } from "../base/scratch.ts";
import { listDir } from "../base/list-dir.ts";
import { finishAdoptions } from "./adopted.ts";
import { currentState, saveState, stillHolds, type VenvState } from "./venv-state.ts";
import { canonicalName } from "../packages/pep440.ts";

export interface RecorderEvents {
  waiting?(holder: LockHolder | undefined): void;
  recorded?(entry: AfterEntry): void;
  /** PYCTL_TEST_PAUSE reached `phase` (tests only). */
  paused?(phase: string): void;
}

/**
 * PYCTL_TEST_PAUSE=claimed|acted (tests only): wait up to 60 s, or until a signal, once the
 * before-state is written (pip not run yet: its python waits at the gate) or once the action
 * ended (after-state not yet written), so a test can interrupt a recorded operation there
 * deterministically.
 */
async function testPause(
  phase: "claimed" | "acted",
  guard: SignalGuard,
  events: RecorderEvents,
  action: Action,
): Promise<void> {
  if (process.env.PYCTL_TEST_PAUSE !== phase) return;
  if (phase === "claimed") await action.ready?.();
  events.paused?.(phase);
  for (const end = Date.now() + 60_000; !guard.interrupted && Date.now() < end; ) await Bun.sleep(20);
}

/**
 * What a recorded operation does: `run`, once the before-state is recorded. `start`, when given,
 * runs right after the lock is taken, for what may begin before the before-state is read: a pip
 * held at a gate, whose start-up then overlaps that reading (pip-runner.ts). When the operation
 * ends without `run`, `drop` ends what `start` began.
 */
export interface Action {
  start?(): void;
  /** Wait until what `start` began is settled at its gate: a test pauses only then. */
  ready?(): Promise<void>;
  run(guard: SignalGuard, entryId: number): Promise<Outcome>;
  drop?(): Promise<void>;
}

export interface Operation {
  kind: OperationKind;
  command: string;
  pipArgs: string[];
}

export interface Outcome {
  exitCode: number;
  interrupted: boolean;
  /** The action wrote every REQUESTED marker itself (a committed transaction): they alone say what is explicit. */
  marksSettled?: boolean;
  /** Goal lines left out with --allow-missing: recorded as the entry's `missing`. */
  missing?: string[];
  /** What pip installed, staged for the store while it ran (store-ahead.ts). */
  staged?: StagedFiles;
}

function userName(): string {
  const fromEnv = process.env.USER || process.env.LOGNAME;
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return String(process.geteuid?.() ?? "unknown");
  }
}

/** What an entry says of the operation itself: when, who, what, on which venv. */
function snapshotHeader(target: Target, op: Operation) {
  return {
    timestamp: new Date().toISOString(),
    user: userName(),
    kind: op.kind,
    command: redactUrls(op.command),
    pip_args: redactArgs(op.pipArgs),
    python: pythonVersionOf(target),
    venv: target.venv,
  };
}

export function snapshotEntry(
  target: Target,
  op: Operation,
  dists: Dist[],
  explicit?: Set<string>,
  unowned?: UnownedFile[],
): Omit<BeforeEntry, "id"> {
  return {
    ...snapshotHeader(target, op),
    freeze: freezeAll(target, dists),
    packages: toRecords(dists, explicit),
    ...(unowned ? { unowned } : {}),
  };
}

/** The before-state as the saved state has it: the venv is still in it (venv-state.ts). */
function stateEntry(target: Target, op: Operation, state: VenvState): Omit<BeforeEntry, "id"> {
  const { freeze, packages, unowned } = state;
  return { ...snapshotHeader(target, op), freeze, packages, unowned };
}

/** Keep history within max_entries. Returns ids removed (the store is pruned by its owner). */
function prune(target: Target, config: Config, before: BeforeEntry, after: AfterEntry): number[] {
  return pruneTargetHistory(target, configNumber(config, "history.max_entries"), { before, after });
}

/** Whether history holds more than max_entries: asked while the action runs (entries are claimed under the lock). */
function pastMaxEntries(target: Target, config: Config): boolean {
  return ids(target.historyDir).length > configNumber(config, "history.max_entries");
}

/** May load what it needs lazily: it runs only once history.max_entries is reached. */
export type Pruner = (target: Target, removedIds: number[]) => unknown;

/** Operations that repair a venv whose python cannot run; every other one needs it to run. */
const RUN_WITHOUT_PYTHON: ReadonlySet<OperationKind> = new Set(["rebuild", "doctor"]);

/**
 * Remove the temp files that pyctl processes left: in history and the version folder (caches are
 * written there without the lock too) always; in each store folder only after a holder of the
 * lock was killed, since the store is written under the lock and a failing write removes its own.
 */
function sweepTemps(target: Target, lock: VenvLock, own: boolean): void {
  sweepStaleTemps(target.historyDir, own);
  sweepStaleTemps(target.layout.versionDir(target.version), own);
  if (!lock.abandoned) return;
  for (const name of listDir(target.storeDir)) sweepStaleTemps(join(target.storeDir, name), own);
  lock.cleaned();
}

/** The error for an operation that ran but whose after-state could not be recorded (a full disk). */
function unrecorded(err: unknown, command: string, exitCode: number, changed: boolean): unknown {
  const system = systemErrorMessage(err);
  if (!system) return err;
  const after = changed ? "; its entry stays incomplete, and `pyctl undo` takes the venv back to before it" : "";
  return new PyctlError(`${command} ran (exit ${exitCode}) but could not be recorded: ${system}${after}`);
}

interface Ran {
  entry: BeforeEntry;
  /** The state the before-state was taken from, when the venv was still in it. */
  state: VenvState | undefined;
  outcome: Outcome;
  started: number;
  /** What the action threw, if it did. */
  failure: unknown;
  /** What the command installs by name: explicit once it succeeded (read before the action, while pip starts). */
  named: Set<string>;
  files: AfterFiles | undefined;
}

/** The after-state's files (the entry and the saved state), created while the action runs. */
interface AfterFiles {
  after: PreparedFile;
  state: PreparedFile;
}

/** Undefined when they cannot be created now (a full disk): they are then written as usual, or fail as usual. */
function prepareAfterFiles(target: Target, id: number): AfterFiles | undefined {
  let after: PreparedFile | undefined;
  try {
    after = prepareFile(entryFile(target.historyDir, id, "after"));
    return { after, state: prepareFile(target.layout.stateCache(target.version)) };
  } catch {
    after?.discard();
    return undefined;
  }
}

/**
 * The after-state of a venv in which nothing changed on disk: the before-state (its header is this
 * operation's too, the time aside), with what an install named marked explicit.
 */
function unchangedAfter(entry: BeforeEntry, named: Set<string>): Omit<BeforeEntry, "id"> {
  const marks = (p: PackageRecord) => !p.requested && named.has(canonicalName(p.name));
  // The same list when nothing is marked anew: the saved state is then written again as it was.
  const packages = entry.packages.some(marks)
    ? entry.packages.map((p) => (marks(p) ? markedRequested(p) : p))
    : entry.packages;
  return { ...entry, timestamp: new Date().toISOString(), packages };
}

/**
 * Store what the operation installed and write its after-state. When that fails (a full disk),
 * an operation that changed the package set keeps its before-state and a marker of how it ended
 * (history.ts): the entry reads as ran-but-unrecorded, and `pyctl undo` takes the venv back to
 * it, rather than past it to the operation before. One that changed nothing, or an action that
 * threw without changing anything, leaves no entry at all.
 */
function recordAfter(target: Target, op: Operation, ran: Ran): AfterEntry {
  const { entry, state, outcome, failure } = ran;
  const named = outcome.exitCode === 0 ? ran.named : new Set<string>();
  let changed = true; // until the after-state is read: keep what undo would need
  try {
    let snapshot: Omit<BeforeEntry, "id">;
    let afterDists: Dist[] = [];
    let changes: Changes = { added: [], removed: [], modified: [] };
    const unchanged = state && !outcome.marksSettled && stillHolds(target, state) ? state : undefined;
    if (unchanged) {
      changed = false;
      if (failure !== undefined) throw failure;
      snapshot = unchangedAfter(entry, named);
    } else {
      afterDists = inventoryOf(target);
      // Explicit marks carry over to what is still installed, plus what a successful install named.
      const explicit = outcome.marksSettled ? new Set<string>() : recordedExplicit(entry);
      for (const key of named) explicit.add(key);
      changes = diffPackages(entry.packages, toRecords(afterDists));
      const unowned = unownedOf(target, afterDists);
      // Files no distribution owns count too: pip torn before any dist-info was whole leaves only those.
      const unownedBefore = new Set((entry.unowned ?? []).map(unitKey));
      changed =
        !isEmpty(changes) ||
        unowned.length !== unownedBefore.size ||
        unowned.some((u) => !unownedBefore.has(unitKey(u)));
      if (failure !== undefined && !changed) throw failure;
      // pip's uninstall stash (~name folders) that was not there before: pip was stopped mid-change.
      const stashed = stashes(unowned).filter((u) => !entry.unowned?.some((b) => b.path === u.path));
      if (stashed.length && !outcome.interrupted) Object.assign(outcome, { interrupted: true });
      // What was installed (another version, or another build of one), stored and served first from now on.
      const buildBefore = new Map(entry.packages.map((p) => [canonicalName(p.name), `${p.version}#${p.build}`]));
      storeAll(
        target.storeDir,
        afterDists.filter((d) => buildBefore.get(d.key) !== `${d.version}#${d.build}`),
        target.venv,
        true,
        outcome.staged,
      );
      snapshot = snapshotEntry(target, op, afterDists, explicit, unowned);
    }
    const after: AfterEntry = {
      id: entry.id,
      ...snapshot,
      changes,
      exit_code: outcome.exitCode,
      duration_ms: Math.round(performance.now() - ran.started),
      interrupted: outcome.interrupted,
      ...(outcome.missing?.length ? { missing: outcome.missing.map(missingPackage) } : {}),
    };
    writeAfter(target.historyDir, after, ran.files?.after);
    saveState(target, after, unchanged ? { held: unchanged } : { dists: afterDists }, ran.files?.state);
    return after;
  } catch (err) {
    if (err === failure || !changed) discardEntry(target.historyDir, entry.id);
    else markUnrecorded(target.historyDir, entry.id, { exit_code: outcome.exitCode, interrupted: outcome.interrupted });
    throw err === failure ? err : unrecorded(err, op.command, outcome.exitCode, changed);
  }
}

/**
 * Record `action` as one history entry: lock, before-state, action, after-state.
 * Every installed distribution is stored before the action runs (so what drifted in outside
 * pyctl is kept too), and whatever the action added after. Temp files of killed pyctl processes
 * are removed first. An action that throws is recorded as failed if it changed the package set,
 * and leaves no entry if it did not.
 */
export async function recordOperation(
  target: Target,
  config: Config,
  op: Operation,
  action: Action,
  events: RecorderEvents = {},
  onPrune?: Pruner,
): Promise<Outcome & { entry: AfterEntry }> {
  if (!RUN_WITHOUT_PYTHON.has(op.kind)) assertRunnable(target);
  const lock = await target.env.lock(op.command, (holder) => events.waiting?.(holder));
  const guard = new SignalGuard().start();
  let ran = false;
  let files: AfterFiles | undefined;
  let state: VenvState | undefined;
  let staged: StagedFiles | undefined;
  try {
    sweepTemps(target, lock, false);
    recoverTransaction(target);
    sweepDeadScratch(target.venv);
    finishAdoptions(target);
    action.start?.(); // the venv is settled: what starts now sees it as the action will
    // Every installed version is in the store already when the venv is as the last operation left it.
    state = currentState(target);
    const before = state ? undefined : inventoryOf(target);
    if (before) storeAll(target.storeDir, before, target.venv);
    const started = performance.now();
    const entry = claimEntry(
      target.historyDir,
      state
        ? stateEntry(target, op, state)
        : snapshotEntry(target, op, before!, carriedExplicit(target.historyDir), unownedOf(target, before)),
    );
    const named = namedByInstall(op.pipArgs);
    let failure: unknown;
    let acted: Outcome;
    let full = true;
    await testPause("claimed", guard, events, action);
    try {
      ran = true;
      const acting = action.run(guard, entry.id);
      files = prepareAfterFiles(target, entry.id);
      full = pastMaxEntries(target, config);
      acted = await acting;
      staged = acted.staged;
    } catch (err) {
      failure = err;
      acted = { exitCode: 1, interrupted: false };
    }
    await testPause("acted", guard, events, action);
    const outcome: Outcome = guard.interrupted ? { exitCode: 130, interrupted: true } : acted;
    const after = recordAfter(target, op, { entry, state, outcome, started, failure, named, files });
    if (failure !== undefined) throw failure;
    const removed = full ? prune(target, config, entry, after) : [];
    if (removed.length) await onPrune?.(target, removed);
    events.recorded?.(after);
    return { ...outcome, entry: after };
  } catch (err) {
    sweepTemps(target, lock, true);
    throw err;
  } finally {
    files?.after.discard();
    files?.state.discard();
    staged?.discard();
    state?.watch?.close();
    if (!ran) await action.drop?.();
    guard.stop();
    lock.release();
  }
}
