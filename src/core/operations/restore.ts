/**
 * `pyctl restore NAME|FILE` for a snapshot or a freeze file: the venv becomes exactly that package
 * set, touching only what differs, offline from the store where it can. A requirements file that
 * is more than a freeze goes through restore-requirements.ts.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { Config } from "../base/config.ts";
import type { Layout } from "../base/paths.ts";
import { PyctlError } from "../base/errors.ts";
import { applicableLines } from "../packages/requirements-check.ts";
import { markerEnvironment } from "../packages/requirements.ts";
import {
  applyExplicitMarks,
  readSnapshot,
  readSnapshotFile,
  validateSnapshotName,
  type Snapshot,
} from "../recording/snapshots.ts";
import { inventoryOf, pythonVersionOf, targetFor, type Target } from "../recording/target.ts";
import type { Dist } from "../packages/inventory.ts";
import { goalFromEntry, goalFromLines, mismatches, type Goal } from "../transaction/plan.ts";
import { resolvePoint } from "./points.ts";
import { newlyBrokenBy } from "./requirements-goal.ts";
import { runTransaction, type TransactionEvents, type TransactionResult } from "../transaction/transaction.ts";
import { previewOf, type Preview } from "./preview.ts";

/** A path if it looks like one (a "/" or a .txt file that exists), else a snapshot name. */
export function loadSnapshot(layout: Layout, arg: string): Snapshot {
  const snapshot =
    arg.includes("/") || (arg.endsWith(".txt") && existsSync(arg))
      ? readSnapshotFile(arg)
      : readSnapshot(layout.snapshotsDir, validateSnapshotName(arg));
  if (snapshot.lines.length === 0) throw new PyctlError(`${snapshot.path} names no packages`);
  return snapshot;
}

/** Without --python, a snapshot goes back to the venv of the Python it was taken with, if there is one. */
export function snapshotVersion(layout: Layout, snapshot: Snapshot): string | undefined {
  const minor = /^(3\.\d+)/.exec(snapshot.python)?.[1];
  return minor && targetFor(layout, minor).env.exists() ? minor : undefined;
}

export interface RestorePlan extends Preview {
  goal: Goal;
  /** Lines whose environment marker is false for the venv's Python. */
  leftOut: string[];
  /** The venv's full Python version; differs from the snapshot's when `otherPython`. */
  python: string;
  otherPython: boolean;
  /** A FILE, not a named snapshot: it must not land a broken venv (a snapshot comes back as recorded). */
  fromFile: boolean;
}

export function planRestore(target: Target, snapshot: Snapshot): RestorePlan {
  const python = pythonVersionOf(target);
  const leftOut: string[] = [];
  const lines = applicableLines(snapshot.path, snapshot.lines, markerEnvironment(python), (l) => leftOut.push(l));
  const goal = goalFromLines(lines);
  applyExplicitMarks(goal.wanted, snapshot, lines);
  const otherPython = !!snapshot.python && !`${snapshot.python}.`.startsWith(`${target.version}.`);
  const fromFile = dirname(snapshot.path) !== target.layout.snapshotsDir;
  return { goal, leftOut, python, otherPython, fromFile, ...previewOf(target, goal) };
}

export function applyRestore(
  target: Target,
  config: Config,
  plan: RestorePlan,
  command: string,
  allowMissing: boolean,
  events: TransactionEvents,
): Promise<TransactionResult> {
  const { goal } = plan;
  // What `pip check` would newly report fails a FILE's restore.
  const check = (staged: Dist[], installed: Dist[]) => [
    ...mismatches(staged, goal),
    ...newlyBrokenBy(target, installed, staged),
  ];
  const spec = {
    kind: "restore" as const,
    command,
    goal: () => goal,
    allowMissing,
    ...(plan.fromFile ? { check } : {}),
  };
  return runTransaction(target, config, spec, events);
}

/** `restore #ID|@DATE`: the state at that point of the venv's history (points.ts), as a restore plan. */
export function planRestorePoint(
  target: Target,
  snapshotsDir: string,
  arg: string,
): RestorePlan & { timestamp?: string } {
  const state = resolvePoint(target, snapshotsDir, arg, () => inventoryOf(target));
  const goal = goalFromEntry(state.entry!);
  const python = pythonVersionOf(target);
  const preview = previewOf(target, goal);
  return { goal, leftOut: [], python, otherPython: false, fromFile: false, timestamp: state.timestamp, ...preview };
}
