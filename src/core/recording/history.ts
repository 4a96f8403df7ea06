/**
 * The history of one venv: pyXY/history/NNN_before.json and NNN_after.json.
 *
 * NNN_before.json is written before the operation starts, NNN_after.json when it ends:
 *   id           number, claimed exclusively (never reused, never duplicated)
 *   timestamp    ISO 8601 UTC: when the operation started (before) / ended (after)
 *   user         login name
 *   kind         "pip" | "undo" | "restore" | "clean" | "autoremove" | "rebuild" | "doctor"
 *   command      what the user typed, e.g. "pip install requests"
 *   pip_args     pip's arguments (empty for pyctl's own operations)
 *   python       the venv's Python version, e.g. "3.11.2"
 *   venv         the venv's path
 *   freeze       the complete package set, in `pip freeze --all` format
 *   packages     the same set as [{ name, version, requested? }]
 * and, in NNN_after.json only:
 *   changes      { added: ["name==ver"], removed: ["name==ver"], modified: [{ name, from, to }] }
 *   exit_code    the operation's exit code (pip's own for pip operations; 130 after Ctrl-C)
 *   duration_ms  wall time of the operation
 *   interrupted  true when a signal stopped it
 * An id with a before and no after is an operation that crashed (or is still running).
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createFileExclusive, writeFileAtomic } from "../base/atomic.ts";
import { makeDataDir } from "../base/modes.ts";
import type { Changes } from "./changes.ts";
import type { PackageRecord } from "./package-records.ts";

export type OperationKind = "pip" | "undo" | "restore" | "clean" | "autoremove" | "rebuild" | "doctor";

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
}

export interface AfterEntry extends BeforeEntry {
  changes: Changes;
  exit_code: number;
  duration_ms: number;
  interrupted: boolean;
}

export interface HistoryItem {
  id: number;
  before?: BeforeEntry;
  after?: AfterEntry;
  /** Files that exist but cannot be read as entries (reported, never fatal). */
  corrupt: string[];
}

const FILE = /^(\d+)_(before|after)\.json$/;

export function entryFile(dir: string, id: number, phase: "before" | "after"): string {
  return join(dir, `${String(id).padStart(3, "0")}_${phase}.json`);
}

function ids(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found = new Set<number>();
  for (const name of names) {
    const m = FILE.exec(name);
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
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

export function writeAfter(dir: string, entry: AfterEntry): void {
  writeFileAtomic(entryFile(dir, entry.id, "after"), serialize(entry));
}

function readJson<T>(path: string): T | "missing" | "corrupt" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "missing";
  }
  try {
    const value = JSON.parse(text) as T & { freeze?: unknown };
    return typeof value === "object" && value !== null && typeof value.freeze === "string" ? value : "corrupt";
  } catch {
    return "corrupt";
  }
}

export function readItem(dir: string, id: number): HistoryItem {
  const item: HistoryItem = { id, corrupt: [] };
  for (const phase of ["before", "after"] as const) {
    const path = entryFile(dir, id, phase);
    const value = readJson<AfterEntry>(path);
    if (value === "corrupt") item.corrupt.push(path);
    else if (value !== "missing") item[phase] = value;
  }
  return item;
}

/** Newest first. */
export function listHistory(dir: string, limit = Infinity): HistoryItem[] {
  return ids(dir)
    .reverse()
    .slice(0, limit)
    .map((id) => readItem(dir, id));
}

/** Drop the oldest entries beyond `keep`; returns the ids removed. */
export function pruneHistory(dir: string, keep: number): number[] {
  const all = ids(dir);
  const doomed = all.slice(0, Math.max(0, all.length - keep));
  for (const id of doomed) {
    for (const phase of ["before", "after"] as const) rmSync(entryFile(dir, id, phase), { force: true });
  }
  return doomed;
}
