/**
 * The history of one venv: pyXY/history/NNN_before.json and NNN_after.json.
 *
 * NNN_before.json is written before the operation starts, NNN_after.json when it ends:
 *   id           number, claimed exclusively (never reused, never duplicated)
 *   timestamp    ISO 8601 UTC: when the operation started (before) / ended (after)
 *   user         login name
 *   kind         "pip" | "undo" | "restore" | "clean" | "autoremove" | "rebuild" | "doctor" | "upgrade" | "adopt"
 *   command      what the user typed, e.g. "pip install requests"
 *   pip_args     pip's arguments (empty for pyctl's own operations)
 *   python       the venv's Python version, e.g. "3.11.2"
 *   venv         the venv's path
 *   freeze       the complete package set, in `pip freeze --all` format
 *   packages     the same set as [{ name, version, requested? }]; requested: explicit (REQUESTED or history)
 *   unowned      files and folders in site-packages and bin/ that no distribution's RECORD owns,
 *                as [{ path, size, files? }] (paths relative to the venv, a folder ends in "/" and
 *                counts its files): what an interrupted pip left, pip's ~stash folders, files
 *                put there by hand. Absent in entries written before pyctl recorded it.
 * and, in NNN_after.json only:
 *   changes      { added: ["name==ver"], removed: ["name==ver"], modified: [{ name, from, to }] }
 *   exit_code    the operation's exit code (pip's own for pip operations; 130 after Ctrl-C)
 *   duration_ms  wall time of the operation
 *   interrupted  true when a signal stopped it
 *   missing      [{ name, version? }]: what the goal named and --allow-missing (restore, rebuild)
 *                left out (no version for a URL or editable line); absent when nothing was left out
 * An id with a before and no after is an operation that crashed (or is still running), unless
 * it also has NNN_unrecorded_exitE (or NNN_unrecorded_exitE_interrupted): the operation ran and
 * ended with exit code E (interrupted by a signal) but its after-state could not be written (a
 * full disk). That marker is an empty file, named rather than filled, so it needs no data block
 * where the after-state did not fit; `pyctl doctor --fix` writes the after-state and removes it.
 * Entries are validated when read: one that is not JSON, or whose fields have the wrong types,
 * is reported as corrupt and never breaks a command.
 *
 * An operation that changed nothing (a typo'd package, an install of what is there, a failed
 * undo) stays in the history but does not count toward history.max_entries: pruning keeps the
 * newest max_entries operations that changed something, plus the no-change ones among them.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFileExclusive, type PreparedFile, writeFileAtomic } from "../base/atomic.ts";
import { makeDataDir } from "../base/modes.ts";
import { canonicalName } from "../packages/pep440.ts";
import { parseFreezeLine } from "../packages/freeze-line.ts";
import { isEmpty, type Changes } from "./changes.ts";
import type { PackageRecord } from "./package-records.ts";
import type { UnownedFile } from "../packages/accounting.ts";
import { listDir } from "../base/list-dir.ts";

export type OperationKind =
  | "pip"
  | "undo"
  | "restore"
  | "clean"
  | "autoremove"
  | "rebuild"
  | "doctor"
  | "upgrade"
  | "adopt";

export interface BeforeEntry {
  id: number;
  timestamp: string;
  user: string;
  kind: OperationKind;
  command: string;
  pip_args: string[];
  python: string;
  venv: string;
  freeze: string;
  packages: PackageRecord[];
  unowned?: UnownedFile[];
}

export interface AfterEntry extends BeforeEntry {
  changes: Changes;
  exit_code: number;
  duration_ms: number;
  interrupted: boolean;
  missing?: MissingPackage[];
}

export interface HistoryItem {
  id: number;
  before?: BeforeEntry;
  after?: AfterEntry;
  /** Files that exist but cannot be read as entries (reported, never fatal). */
  corrupt: string[];
  /** No after-state, but the operation ran and ended so: its after-state could not be written. */
  unrecorded?: Ending;
}

export interface Ending {
  exit_code: number;
  interrupted: boolean;
}

const FILE = /^(\d+)_(before|after)\.json$/;
const UNRECORDED = /^(\d+)_unrecorded_exit(\d+)(_interrupted)?$/;

const unrecordedName = (id: number, ending: Ending) =>
  `${String(id).padStart(3, "0")}_unrecorded_exit${ending.exit_code}${ending.interrupted ? "_interrupted" : ""}`;

/** Mark entry `id` as ran-but-unrecorded (an empty file: see the header). False when even that fails. */
export function markUnrecorded(dir: string, id: number, ending: Ending): boolean {
  try {
    writeFileSync(join(dir, unrecordedName(id, ending)), "", { flag: "wx", mode: 0o600 });
    return true;
  } catch {
    return false;
  }
}

/** How entry `id` ended, when its after-state could not be written and a marker says so. */
function unrecordedEnding(dir: string, id: number): Ending | undefined {
  for (const name of listDir(dir)) {
    const m = UNRECORDED.exec(name);
    if (m && Number(m[1]) === id) return { exit_code: Number(m[2]), interrupted: m[3] !== undefined };
  }
  return undefined;
}

/** Take away entry `id`'s unrecorded marker (its after-state is written now, or the entry goes). */
export function clearUnrecorded(dir: string, id: number): void {
  const ending = unrecordedEnding(dir, id);
  if (ending) rmSync(join(dir, unrecordedName(id, ending)), { force: true });
}

export function entryFile(dir: string, id: number, phase: "before" | "after"): string {
  return join(dir, `${String(id).padStart(3, "0")}_${phase}.json`);
}

/** The last listing of a history folder, kept while the folder's stamp says it is the same. */
let listed: { dir: string; stamp: string; ids: number[] } | undefined;

export function ids(dir: string): number[] {
  const st = statSync(dir, { throwIfNoEntry: false });
  const stamp = st ? `${st.ino}:${st.mtimeMs}:${st.ctimeMs}` : "";
  if (listed?.dir === dir && listed.stamp === stamp && stamp) return [...listed.ids];
  const found = new Set<number>();
  for (const name of listDir(dir)) {
    const m = FILE.exec(name);
    if (m) found.add(Number(m[1]));
  }
  const sorted = [...found].sort((a, b) => a - b);
  listed = { dir, stamp, ids: sorted };
  return [...sorted];
}

export function latestId(dir: string): number {
  return ids(dir).at(-1) ?? 0;
}

function serialize(entry: object): string {
  return `${JSON.stringify(entry, null, 2)}\n`;
}

/** Write NNN_before.json under the next free id; concurrent claimers each get their own id. */
export function claimEntry(dir: string, entry: Omit<BeforeEntry, "id">): BeforeEntry {
  makeDataDir(dir);
  for (let id = latestId(dir) + 1; ; id++) {
    const claimed = { id, ...entry };
    if (createFileExclusive(entryFile(dir, id, "before"), serialize(claimed))) return claimed;
  }
}

/** `file`: the entry's file prepared ahead (`prepareFile`), or made now. */
export function writeAfter(dir: string, entry: AfterEntry, file?: PreparedFile): void {
  if (file) file.commit(serialize(entry));
  else writeFileAtomic(entryFile(dir, entry.id, "after"), serialize(entry));
}

const isString = (v: unknown): v is string => typeof v === "string";
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every(isString);

function isPackageRecord(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const p = v as Record<string, unknown>;
  return (
    isString(p.name) &&
    isString(p.version) &&
    (p.requested === undefined || typeof p.requested === "boolean") &&
    (p.build === undefined || isString(p.build))
  );
}

function isUnownedFile(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const u = v as Record<string, unknown>;
  return isString(u.path) && typeof u.size === "number";
}

function isChanges(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  const modified = (m: unknown) =>
    typeof m === "object" &&
    m !== null &&
    ["name", "from", "to"].every((k) => isString((m as Record<string, unknown>)[k]));
  return isStrings(c.added) && isStrings(c.removed) && Array.isArray(c.modified) && c.modified.every(modified);
}

/** Whether a parsed file has the fields, with the types, that every reader of history relies on. */
export function isValidEntry(v: unknown, phase: "before" | "after"): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  const base =
    Number.isInteger(e.id) &&
    (e.timestamp === undefined || isString(e.timestamp)) &&
    (e.kind === undefined || isString(e.kind)) &&
    isString(e.command) &&
    isString(e.freeze) &&
    Array.isArray(e.packages) &&
    e.packages.every(isPackageRecord) &&
    (e.pip_args === undefined || isStrings(e.pip_args)) &&
    (e.unowned === undefined || (Array.isArray(e.unowned) && e.unowned.every(isUnownedFile)));
  if (!base || phase === "before") return base;
  if (e.missing !== undefined && !(Array.isArray(e.missing) && e.missing.every(isMissingPackage))) return false;
  return (
    isChanges(e.changes) &&
    typeof e.exit_code === "number" &&
    (e.interrupted === undefined || typeof e.interrupted === "boolean")
  );
}

function readEntry(path: string, phase: "before" | "after"): AfterEntry | "missing" | "corrupt" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    // Only an absent file is missing: one that cannot be read (a folder, no permission) is corrupt.
    return (err as { code?: string }).code === "ENOENT" ? "missing" : "corrupt";
  }
  try {
    const value: unknown = JSON.parse(text);
    return isValidEntry(value, phase) ? (value as AfterEntry) : "corrupt";
  } catch {
    return "corrupt";
  }
}

export function readItem(dir: string, id: number): HistoryItem {
  const item: HistoryItem = { id, corrupt: [] };
  for (const phase of ["before", "after"] as const) {
    const path = entryFile(dir, id, phase);
    const value = readEntry(path, phase);
    if (value === "corrupt") item.corrupt.push(path);
    else if (value !== "missing") item[phase] = value;
  }
  // Only an entry without an after-state (rare) costs a listing.
  const ending = item.before && !item.after && !item.corrupt.length ? unrecordedEnding(dir, id) : undefined;
  if (ending) item.unrecorded = ending;
  return item;
}

/** The newest entry's last state (its after-state, else its before-state), reading no more than that. */
export function newestState(dir: string): BeforeEntry | undefined {
  const id = latestId(dir);
  if (id === 0) return undefined;
  const after = readEntry(entryFile(dir, id, "after"), "after");
  if (typeof after !== "string") return after;
  const before = readEntry(entryFile(dir, id, "before"), "before");
  return typeof before === "string" ? undefined : before;
}

/** Newest first. */
export function listHistory(dir: string, limit = Infinity): HistoryItem[] {
  return ids(dir)
    .reverse()
    .slice(0, limit)
    .map((id) => readItem(dir, id));
}

/** Take back an entry (both files): the operation it began was not carried out, or cannot be recorded. */
export function discardEntry(dir: string, id: number): void {
  clearUnrecorded(dir, id);
  for (const phase of ["after", "before"] as const) rmSync(entryFile(dir, id, phase), { force: true });
}

/**
 * Whether an operation changed something, so it counts for max_entries and for `undo N`.
 * Unknown (no after-state, unreadable) counts; so does an interrupted pip, which may have left
 * files behind even when the package set did not change.
 */
function unownedPaths(units: UnownedFile[]): string {
  return units
    .map((u) => u.path)
    .sort()
    .join("\n");
}

export function changedSomething(item: HistoryItem): boolean {
  const { before, after } = item;
  if (!before || !after || item.corrupt.length) return true;
  if (after.interrupted && after.kind === "pip") return true;
  if (!isEmpty(after.changes)) return true;
  if (before.unowned && after.unowned && unownedPaths(before.unowned) !== unownedPaths(after.unowned)) return true; // files no package owns
  const asked = new Map(before.packages.map((p) => [canonicalName(p.name), p.requested === true]));
  return after.packages.some((p) => asked.get(canonicalName(p.name)) !== (p.requested === true)); // only REQUESTED changed
}

/** changedSomething, reading the before-state only when the after-state alone cannot tell (pruning runs on every write). */
function changedAt(dir: string, id: number): boolean {
  const after = readEntry(entryFile(dir, id, "after"), "after");
  if (typeof after === "string") return true;
  if (!isEmpty(after.changes) || (after.interrupted && after.kind === "pip")) return true;
  return changedSomething(readItem(dir, id));
}

/**
 * Keep the newest `keep` operations that changed something, and the no-change ones newer than
 * the oldest of those (at most `keep` of them); drop the rest. Returns the ids removed.
 * `changed` tells an id's operation apart without reading it, when it can (history-index.ts).
 */
export function pruneHistory(
  dir: string,
  keep: number,
  changed: (id: number) => boolean = (id) => changedAt(dir, id),
): number[] {
  const all = ids(dir);
  if (all.length <= keep) return [];
  let counted = 0;
  let idle = 0;
  const doomed: number[] = [];
  for (const id of all.reverse()) {
    // once `keep` changes are kept, everything older goes: no need to read it
    const counts = counted < keep && changed(id);
    if (counted < keep && (counts || idle < keep)) {
      if (counts) counted++;
      else idle++;
    } else {
      doomed.push(id);
    }
  }
  for (const id of doomed) discardEntry(dir, id);
  return doomed.sort((a, b) => a - b);
}

/** One entry of an after-state's `missing`. */
export interface MissingPackage {
  name: string;
  version?: string;
}

/** A goal line (`name==1.0`, `name @ url`, `-e path#egg=name`) as a `missing` record. */
export function missingPackage(line: string): MissingPackage {
  const parsed = parseFreezeLine(line);
  if (!parsed?.name) return { name: line };
  return parsed.version === undefined ? { name: parsed.name } : { name: parsed.name, version: parsed.version };
}

function isMissingPackage(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const m = v as Record<string, unknown>;
  return isString(m.name) && (m.version === undefined || isString(m.version));
}
