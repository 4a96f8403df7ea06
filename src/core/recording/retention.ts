/**
 * What the package store must keep: every version named by a history entry or a snapshot. A
 * snapshot's `name @ url` line keeps every direct-URL entry of that project, and its `-e PATH`
 * line the editable entries installed from PATH, so that snapshot still restores offline.
 * Bundles of unowned files (store/~unowned) stay while a history entry lists one of their files.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { canonicalName } from "../packages/pep440.ts";
import { parseFreezeLine } from "../packages/freeze-line.ts";
import { entryFile, ids } from "./history.ts";
import { HistoryIndex, historyIndexOf } from "./history-index.ts";
import { listSnapshotNames, readSnapshot } from "./snapshots.ts";
import { ANY_DIRECT, directManifests, pruneStore, readManifest, storedEntries, UNOWNED } from "./store.ts";
import type { Target } from "./target.ts";
import { listDir } from "../base/list-dir.ts";

function keep(map: Map<string, Set<string>>, name: string, version: string): void {
  const key = canonicalName(name);
  const versions = map.get(key) ?? new Set<string>();
  versions.add(version);
  map.set(key, versions);
}

export function neededVersions(target: Target): Map<string, Set<string>> {
  const needed = new Map<string, Set<string>>();
  const editables = new Set<string>();
  const unowned = new Set<string>();
  const index = new HistoryIndex(target.historyDir, historyIndexOf(target));
  for (const id of ids(target.historyDir)) {
    const summary = index.summary(id);
    for (const [name, version] of summary.pins) keep(needed, name, version);
    for (const u of summary.unowned) unowned.add(u);
  }
  index.save();
  // A ~unowned bundle stays while a history entry names one of its files.
  for (const id of storedEntries(target.storeDir, UNOWNED)) {
    if (readManifest(target.storeDir, UNOWNED, id)?.units?.some((u) => unowned.has(`${u.path}\0${u.size}`)))
      keep(needed, UNOWNED, id);
  }
  for (const name of listSnapshotNames(target.layout.snapshotsDir)) {
    try {
      for (const line of readSnapshot(target.layout.snapshotsDir, name).lines) {
        const parsed = parseFreezeLine(line);
        if (parsed?.version !== undefined) keep(needed, parsed.name, parsed.version);
        else if (parsed?.name && parsed.url !== undefined) keep(needed, parsed.name, ANY_DIRECT);
        else if (parsed?.editable) editables.add(parsed.url!);
      }
    } catch {
      // an unreadable snapshot protects nothing; doctor reports it
    }
  }
  if (editables.size) {
    const urls = new Set([...editables].map((path) => pathToFileURL(path).href));
    for (const m of directManifests(target.storeDir))
      if (m.direct_url && urls.has(m.direct_url.url)) keep(needed, m.name, m.entry ?? m.version);
  }
  return needed;
}

/** Drop store entries nothing refers to any more, and what adopt kept for pruned entries; returns how many store entries. */
export function pruneUnneeded(target: Target): number {
  sweepAdopted(target);
  return pruneStore(target.storeDir, neededVersions(target));
}

/**
 * What `pyctl adopt` #ID kept to put back on its undo (pyXY/adopted/ID) goes once entry #ID is
 * pruned from history: that adopt can no longer be undone.
 */
export function sweepAdopted(target: Target): void {
  const dir = target.layout.adoptedDir(target.version);
  for (const name of listDir(dir)) {
    if (/^\d+$/.test(name) && !existsSync(entryFile(target.historyDir, Number(name), "before")))
      rmSync(join(dir, name), { recursive: true, force: true });
  }
}
