/**
 * What pruning needs from each history entry, without reading it: whether the operation changed
 * something (history.ts: changedSomething), and the package versions and unowned files its two
 * states name (retention.ts keeps those in the store). Kept in pyXY/history-index.json, a cache
 * (safe to delete): each id's summary is valid while its after-state keeps its stat stamp, so a
 * write with a full history costs a stat per entry instead of reading and checking every one.
 *
 *   { "pins": [[canonical name, version], …], "sets": [[indices into pins], …],
 *     "ids": { "12": { "stamp": "…", "changed": true, "set": index into sets, "unowned": ["path\0size"] } } }
 * Consecutive entries mostly name the same packages: each distinct set is written once.
 */
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { defaultFileMode } from "../base/modes.ts";
import { canonicalName } from "../packages/pep440.ts";
import {
  changedSomething,
  entryFile,
  pruneHistory,
  readItem,
  type AfterEntry,
  type BeforeEntry,
  type HistoryItem,
} from "./history.ts";
import type { Target } from "./target.ts";
import { tempFileFor } from "../base/atomic.ts";

export interface EntrySummary {
  changed: boolean;
  /** [canonical name, version] of every package either state names. */
  pins: [string, string][];
  /** `path\0size` of every unowned unit either state names. */
  unowned: string[];
}

interface Stored {
  stamp: string;
  changed: boolean;
  /** Indices into the pin table. */
  pins: number[];
  unowned: string[];
}

interface IndexFile {
  pins: [string, string][];
  sets: number[][];
  ids: Record<string, Omit<Stored, "pins"> & { set: number }>;
}

/** The index as read: every id's pins resolved to indices into `pins`. */
function readIndex(file: string): { pins: [string, string][]; ids: Record<string, Stored> } {
  const read = JSON.parse(readFileSync(file, "utf8")) as IndexFile;
  if (!read.sets.every((set) => Array.isArray(set) && set.every((i) => Array.isArray(read.pins[i]))))
    throw new Error("not an index");
  const ids: Record<string, Stored> = {};
  for (const [id, { set, ...rest }] of Object.entries(read.ids)) {
    const pins = read.sets[set];
    if (!pins || !Array.isArray(rest.unowned)) throw new Error("not an index");
    ids[id] = { ...rest, pins };
  }
  return { pins: read.pins, ids };
}

function stampOf(path: string): string {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.mtimeMs}:${st.size}` : "-";
}

function summarize(item: HistoryItem): EntrySummary {
  const pins = new Map<string, [string, string]>();
  const unowned = new Set<string>();
  for (const entry of [item.before, item.after]) {
    for (const p of entry?.packages ?? []) {
      const key = canonicalName(p.name);
      pins.set(`${key}\0${p.version}`, [key, p.version]);
    }
    for (const u of entry?.unowned ?? []) unowned.add(`${u.path}\0${u.size}`);
  }
  return { changed: changedSomething(item), pins: [...pins.values()], unowned: [...unowned] };
}

/** The summaries of one history folder, read from and saved to `file` (when given). */
export class HistoryIndex {
  /** Read from `file` on first use, then added to: the pin table only grows until save() writes it. */
  private loaded?: { pins: [string, string][]; ids: Record<string, Stored> };
  private readonly seen: Record<string, Stored> = {};
  private pinIds: Map<string, number> | undefined;
  private misses = 0;

  constructor(
    readonly dir: string,
    readonly file?: string,
  ) {}

  private get index(): { pins: [string, string][]; ids: Record<string, Stored> } {
    if (this.loaded) return this.loaded;
    this.loaded = { pins: [], ids: {} };
    try {
      if (this.file) this.loaded = readIndex(this.file);
    } catch {
      // no index yet, or a torn one: rebuilt from the entries
    }
    return this.loaded;
  }

  summary(id: number): EntrySummary {
    // pyctl writes each file once, and the after-state last: its stamp stands for both (a
    // discarded id's files go together). Without one, the before-state's stands for the entry.
    const after = stampOf(entryFile(this.dir, id, "after"));
    const stamp = after === "-" ? `-|${stampOf(entryFile(this.dir, id, "before"))}` : after;
    let stored = this.index.ids[id];
    if (stored?.stamp !== stamp) {
      this.misses++;
      const fresh = summarize(readItem(this.dir, id));
      stored = { stamp, changed: fresh.changed, pins: fresh.pins.map((p) => this.pinId(p)), unowned: fresh.unowned };
    }
    if (stamp !== "-|-") this.seen[id] = stored;
    const { pins } = this.index;
    const indices = stored.pins;
    return {
      changed: stored.changed,
      get pins() {
        return indices.map((i) => pins[i]!);
      },
      unowned: stored.unowned,
    };
  }

  /** An entry this process has just written, summarized without reading it back. */
  learn(entry: AfterEntry, before: HistoryItem["before"]): void {
    const stamp = stampOf(entryFile(this.dir, entry.id, "after"));
    if (stamp === "-") return;
    const fresh = summarize({ id: entry.id, before, after: entry, corrupt: [] });
    this.index.ids[entry.id] = {
      stamp,
      changed: fresh.changed,
      pins: fresh.pins.map((p) => this.pinId(p)),
      unowned: fresh.unowned,
    };
    this.misses++;
  }

  private pinId(pin: [string, string]): number {
    this.pinIds ??= new Map(this.index.pins.map((p, i) => [`${p[0]}\0${p[1]}`, i]));
    const key = `${pin[0]}\0${pin[1]}`;
    let id = this.pinIds.get(key);
    if (id === undefined) {
      id = this.index.pins.push(pin) - 1;
      this.pinIds.set(key, id);
    }
    return id;
  }

  /** The summaries asked for, each distinct pin set once, and only the pins they use. */
  private toFile(): IndexFile {
    const renumber = new Map<number, number>();
    const pins: [string, string][] = [];
    const sets: number[][] = [];
    // Summaries read from the index share their set's array: most are found by reference.
    const byArray = new Map<number[], number>();
    const setIds = new Map<string, number>();
    const ids: IndexFile["ids"] = {};
    for (const [id, { pins: indices, ...rest }] of Object.entries(this.seen)) {
      let set = byArray.get(indices);
      const key = set === undefined ? indices.join(",") : "";
      set ??= setIds.get(key);
      if (set === undefined) {
        const newPin = (i: number) => {
          renumber.set(i, pins.push(this.index.pins[i]!) - 1);
          return pins.length - 1;
        };
        set = sets.push(indices.map((i) => renumber.get(i) ?? newPin(i))) - 1;
        setIds.set(key, set);
      }
      byArray.set(indices, set);
      ids[id] = { ...rest, set };
    }
    return { pins, sets, ids };
  }

  /** Keep the summaries asked for since the index was read (what pruning keeps). A cache: failing to write it only costs speed. */
  save(): void {
    // Written when an entry was read afresh or learnt (reading one back costs more than this
    // write); entries gone from history are dropped then.
    if (!this.file || this.misses === 0) return;
    // No fsync: a torn or lost index is read as none and rebuilt.
    const temp = tempFileFor(this.file);
    try {
      writeFileSync(temp, JSON.stringify(this.toFile()), { mode: defaultFileMode() });
      renameSync(temp, this.file);
    } catch {
      try {
        unlinkSync(temp);
      } catch {
        /* not written */
      }
    }
  }
}

/** Where a target's history summaries are kept (history-index.ts). */
export function historyIndexOf(target: Target): string {
  return target.layout.historyIndex(target.version);
}

/** Keep history within history.max_entries, reading only the entries the index does not know. Returns the ids removed. */
export function pruneTargetHistory(
  target: Target,
  keep: number,
  written?: { before: BeforeEntry; after: AfterEntry },
): number[] {
  const index = new HistoryIndex(target.historyDir, historyIndexOf(target));
  let asked = false;
  const removed = pruneHistory(target.historyDir, keep, (id) => {
    if (!asked && written) index.learn(written.after, written.before);
    asked = true;
    return index.summary(id).changed;
  });
  if (asked) index.save(); // only a history past max_entries needs the index
  return removed;
}
