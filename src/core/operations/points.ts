/**
 * Points in a venv's history, named the same way by every command that takes one:
 *   #ID        the state right after operation ID (its after-state)
 *   @DATE      the state at the end of that local day: @2026-12-01
 *   @DATETIME  the state at that local moment: @2026-12-01T14:30 (or a space; seconds optional)
 *   now        the venv as it is
 *   NAME       a snapshot
 * A state is a package set (with explicit marks) and, for history states, the entry that holds
 * it, whose freeze lines and unowned files are the goal a restore or a bisect build reaches.
 */
import { PyctlError, UsageError } from "../base/errors.ts";
import type { Dist } from "../packages/inventory.ts";
import { ids, readItem, type BeforeEntry, type HistoryItem } from "../recording/history.ts";
import { toRecords, type PackageRecord } from "../recording/package-records.ts";
import { applyExplicitMarks, readSnapshot, validateSnapshotName, type Snapshot } from "../recording/snapshots.ts";
import type { Target } from "../recording/target.ts";
import { carriedExplicit } from "../recording/explicit.ts";
import { goalFromLines } from "../transaction/plan.ts";

export interface PointState {
  /** How the user named it, e.g. "#12", "@2026-12-01", "now", "ml-stack". */
  label: string;
  /** The operation whose after-state this is (#ID, and dates that land on an after-state). */
  id?: number;
  /** When the state was reached (ISO 8601), for history states. */
  timestamp?: string;
  packages: PackageRecord[];
  /** The history entry holding the state: what restore and bisect build from. */
  entry?: BeforeEntry;
  snapshot?: Snapshot;
}

const ID = /^#(\d+)$/;
const DATE = /^@(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Whether an argument names a history point rather than a snapshot, a file or a count. */
export function isHistoryPoint(arg: string): boolean {
  return ID.test(arg) || arg.startsWith("@") || arg === "now";
}

/** `@DATE[THH:MM[:SS]]` as a moment in local time; a date alone is the end of that day. */
export function parseMoment(arg: string): Date {
  const m = DATE.exec(arg);
  if (!m) throw new UsageError(`${arg} is not a date: use @YYYY-MM-DD or @YYYY-MM-DDTHH:MM[:SS] (local time)`);
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
  const endOfDay = h === undefined;
  const date = endOfDay ? new Date(y!, mo! - 1, d!, 23, 59, 59, 999) : new Date(y!, mo! - 1, d!, h!, mi!, s ?? 0);
  const valid =
    date.getFullYear() === y && date.getMonth() === mo! - 1 && date.getDate() === d && (h ?? 0) < 24 && (mi ?? 0) < 60;
  if (!valid || (s ?? 0) >= 60) throw new UsageError(`${arg} is not a valid date`);
  return date;
}

function readable(target: Target, id: number): HistoryItem {
  const item = readItem(target.historyDir, id);
  if (!item.before && !item.after && !item.corrupt.length)
    throw new PyctlError(`no operation #${id} in ${target.venv}'s history`, { hint: "`pyctl history` lists them" });
  if (item.corrupt.length) throw new PyctlError(`operation #${id} is unreadable: ${item.corrupt.join(", ")}`);
  return item;
}

/** The state right after operation `id`. */
export function stateAfter(target: Target, id: number, label = `#${id}`): PointState {
  const item = readable(target, id);
  if (!item.after)
    throw new PyctlError(`operation #${id} has no after-state: it crashed or is still running`, {
      hint: `#${id - 1} is the state before it`,
    });
  const { after } = item;
  return { label, id, timestamp: after.timestamp, packages: after.packages, entry: after };
}

/** Every recorded state in time order: each entry's before-state, then its after-state. */
function recordedStates(target: Target): { at: number; id: number; entry: BeforeEntry; after: boolean }[] {
  const states = [];
  for (const id of ids(target.historyDir)) {
    const item = readItem(target.historyDir, id);
    if (item.before) states.push({ at: Date.parse(item.before.timestamp), id, entry: item.before, after: false });
    if (item.after) states.push({ at: Date.parse(item.after.timestamp), id, entry: item.after, after: true });
  }
  return states;
}

/** The state at a moment: the last one recorded at or before it. */
export function stateAt(target: Target, label: string): PointState {
  const moment = parseMoment(label).getTime();
  const states = recordedStates(target);
  if (states.length === 0) throw new PyctlError(`no operations recorded in ${target.venv}'s history yet`);
  const found = states.filter((s) => s.at <= moment).at(-1);
  if (!found) {
    const first = states[0]!;
    throw new PyctlError(`${label} is before the first recorded operation (#${first.id}, ${first.entry.timestamp})`);
  }
  const { entry } = found;
  return {
    label,
    ...(found.after ? { id: found.id } : {}),
    timestamp: entry.timestamp,
    packages: entry.packages,
    entry,
  };
}

/** A point as the user named it; `installed` is the live venv, for `now`. */
export function resolvePoint(target: Target, snapshotsDir: string, arg: string, installed: () => Dist[]): PointState {
  const id = ID.exec(arg);
  if (id) return stateAfter(target, Number(id[1]), arg);
  if (arg.startsWith("@")) return stateAt(target, arg);
  // toRecords adds REQUESTED markers to what the newest entry recorded as explicit.
  if (arg === "now") return { label: "now", packages: toRecords(installed(), carriedExplicit(target.historyDir)) };
  const snapshot = readSnapshot(snapshotsDir, validateSnapshotName(arg));
  const { wanted } = goalFromLines(snapshot.lines);
  applyExplicitMarks(wanted, snapshot);
  const packages = wanted
    .filter((w) => w.key && w.version)
    .map((w) => ({ name: w.name, version: w.version!, ...(w.requested ? { requested: true } : {}) }));
  return { label: arg, packages, snapshot };
}
