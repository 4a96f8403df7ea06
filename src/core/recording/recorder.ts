/**
 * Subsystem recording: one operation on a venv, recorded. It owns the target venv and its
 * folders (target.ts), the history entry format (history.ts, package-records.ts, changes.ts),
 * the offline package store (store.ts) and its pruning (retention.ts), snapshots
 * (snapshots.ts), the explicit marks read from history (explicit.ts), the signal guard
 * (signal-guard.ts) and running pip (pip-runner.ts).
 *
 * The recording pip runner: runs a venv's pip with the user's arguments unchanged and, for
 * writes, records the package set before and after (history.ts) and stores what was installed
 * (store.ts), all under the venv's lock. Costs two directory scans, not two `pip freeze`s.
 */
import { userInfo } from "node:os";
import { configNumber, type Config } from "../base/config.ts";
import { SignalGuard } from "./signal-guard.ts";
import { diffPackages, type Changes } from "./changes.ts";
import { claimEntry, pruneHistory, writeAfter, type AfterEntry, type BeforeEntry, type OperationKind } from "./history.ts";
import { acquireLock, type LockHolder } from "../base/lock.ts";
import { redactArgs, redactUrls } from "../base/redact.ts";
import { toRecords } from "./package-records.ts";
import { storeAll } from "./store.ts";
import { recoverTransaction } from "../base/swap.ts";
import { freezeAll, inventoryOf, pythonVersionOf, type Target } from "./target.ts";
import type { Dist } from "../packages/inventory.ts";

export interface RecorderEvents {
  waiting?(holder: LockHolder | undefined): void;
  recorded?(entry: AfterEntry): void;
  /** PYCTL_TEST_PAUSE reached `phase` (tests only). */
  paused?(phase: string): void;
}

/**
 * PYCTL_TEST_PAUSE=claimed|acted (tests only): wait up to 60 s, or until a signal, once the
 * before-state is written (pip not started yet) or once the action ended (after-state not yet
 * written), so a test can interrupt a recorded operation there deterministically.
 */
async function testPause(phase: "claimed" | "acted", guard: SignalGuard, events: RecorderEvents): Promise<void> {
  if (process.env.PYCTL_TEST_PAUSE !== phase) return;
  events.paused?.(phase);
  for (const end = Date.now() + 60_000; !guard.interrupted && Date.now() < end; ) await Bun.sleep(20);
}

export interface Operation {
  kind: OperationKind;
  command: string;
  pipArgs: string[];
}

export interface Outcome {
  exitCode: number;
  interrupted: boolean;
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

export function snapshotEntry(target: Target, op: Operation, dists: Dist[]): Omit<BeforeEntry, "id"> {
  return {
    timestamp: new Date().toISOString(),
    user: userName(),
    kind: op.kind,
    command: redactUrls(op.command),
    pip_args: redactArgs(op.pipArgs),
    python: pythonVersionOf(target),
    venv: target.venv,
    freeze: freezeAll(target, dists),
    packages: toRecords(dists),
  };
}

/** Keep history within max_entries. Returns ids removed (the store is pruned by its owner). */
function prune(target: Target, config: Config): number[] {
  return pruneHistory(target.historyDir, configNumber(config, "history.max_entries"));
}

export type Pruner = (target: Target, removedIds: number[]) => void;

/**
 * Record `action` as one history entry: lock, before-state, action, after-state.
 * Every installed distribution is stored before the action runs (so what drifted in outside
 * pyctl is kept too), and whatever the action added after.
 */
export async function recordOperation(
  target: Target,
  config: Config,
  op: Operation,
  action: (guard: SignalGuard) => Promise<Outcome>,
  events: RecorderEvents = {},
  onPrune?: Pruner,
): Promise<Outcome & { entry: AfterEntry }> {
  const lock = await acquireLock(target.lockFile, op.command, (holder) => events.waiting?.(holder));
  const guard = new SignalGuard().start();
  try {
    recoverTransaction(target);
    const before = inventoryOf(target);
    storeAll(target.storeDir, before, target.venv);
    const started = performance.now();
    const entry = claimEntry(target.historyDir, snapshotEntry(target, op, before));
    await testPause("claimed", guard, events);
    const acted = await action(guard);
    await testPause("acted", guard, events);
    const outcome: Outcome = guard.interrupted ? { exitCode: 130, interrupted: true } : acted;
    const afterDists = inventoryOf(target);
    const changes: Changes = diffPackages(entry.packages, toRecords(afterDists));
    const versionBefore = new Map(before.map((d) => [d.key, d.version]));
    storeAll(
      target.storeDir,
      afterDists.filter((d) => versionBefore.get(d.key) !== d.version),
      target.venv,
    );
    const after: AfterEntry = {
      id: entry.id,
      ...snapshotEntry(target, op, afterDists),
      changes,
      exit_code: outcome.exitCode,
      duration_ms: Math.round(performance.now() - started),
      interrupted: outcome.interrupted,
    };
    writeAfter(target.historyDir, after);
    const removed = prune(target, config);
    if (removed.length) onPrune?.(target, removed);
    events.recorded?.(after);
    return { ...outcome, entry: after };
  } finally {
    guard.stop();
    lock.release();
  }
}
