/**
 * The recording pip runner: runs a venv's pip with the user's arguments unchanged and, for
 * writes, records the package set before and after (history.ts) and stores what was installed
 * (store.ts), all under the venv's lock. Costs two directory scans, not two `pip freeze`s.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { userInfo } from "node:os";
import { configFlag, configNumber, type Config } from "./config.ts";
import { diffPackages, type Changes } from "./changes.ts";
import { claimEntry, pruneHistory, writeAfter, type AfterEntry, type BeforeEntry, type OperationKind } from "./history.ts";
import { acquireLock, type LockHolder } from "./lock.ts";
import { toRecords } from "./packages.ts";
import { storeAll } from "./store.ts";
import { recoverTransaction } from "./swap.ts";
import { freezeAll, inventoryOf, pythonVersionOf, type Target } from "./target.ts";
import type { Dist } from "./inventory.ts";

export interface RecorderEvents {
  waiting?(holder: LockHolder | undefined): void;
  recorded?(entry: AfterEntry): void;
}

export interface Operation {
  kind: OperationKind;
  command: string;
  pipArgs: string[];
}

export interface Outcome { exitCode: number; interrupted: boolean }

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
    command: op.command,
    pip_args: op.pipArgs,
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
    const acted = await action(guard);
    const outcome: Outcome = guard.interrupted ? { exitCode: 130, interrupted: true } : acted;
    const afterDists = inventoryOf(target);
    const changes: Changes = diffPackages(entry.packages, toRecords(afterDists));
    const versionBefore = new Map(before.map((d) => [d.key, d.version]));
    storeAll(target.storeDir, afterDists.filter((d) => versionBefore.get(d.key) !== d.version), target.venv);
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

export function pipCommand(target: Target): string[] {
  const script = join(target.venv, "bin", "pip");
  return existsSync(script) ? [script] : [join(target.venv, "bin", "python"), "-m", "pip"];
}

const GUARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

/**
 * While an operation is recorded, signals do not kill pyctl: they are noted and passed to the
 * running child, so the after-state is always written. Ctrl-C already reaches the child (same
 * process group), so it is passed on only if the child has not stopped after a grace period.
 */
export class SignalGuard {
  interrupted = false;
  private child: { kill(signal: NodeJS.Signals): void } | undefined;
  private readonly handlers = GUARDED.map((signal) => [signal, () => this.onSignal(signal)] as const);

  start(): this {
    for (const [signal, handler] of this.handlers) process.on(signal, handler);
    return this;
  }

  stop(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
  }

  watch(child: { kill(signal: NodeJS.Signals): void } | undefined): void {
    this.child = child;
  }

  private onSignal(signal: NodeJS.Signals): void {
    this.interrupted = true;
    const child = this.child;
    if (signal === "SIGINT") setTimeout(() => child?.kill(signal), 2000).unref();
    else child?.kill(signal);
  }
}

/** Run pip in the foreground; its exit code, or 130 if a signal stopped the operation. */
export async function runPip(target: Target, args: string[], env: Record<string, string | undefined>, guard: SignalGuard): Promise<Outcome> {
  if (guard.interrupted) return { exitCode: 130, interrupted: true };
  const child = Bun.spawn([...pipCommand(target), ...args], { stdio: ["inherit", "inherit", "inherit"], env });
  guard.watch(child);
  const exitCode = await child.exited;
  guard.watch(undefined);
  return { exitCode: guard.interrupted ? 130 : exitCode, interrupted: guard.interrupted };
}

/** Whether pip writes should be recorded at all (`history.auto_snapshot`). */
export function recordingEnabled(config: Config): boolean {
  return configFlag(config, "history.auto_snapshot");
}
