/** What the package store must keep: every version named by a history entry or a snapshot. */
import { canonicalName } from "../packages/pep440.ts";
import { listHistory } from "./history.ts";
import { listSnapshotNames, readSnapshot } from "./snapshots.ts";
import { pruneStore } from "./store.ts";
import type { Target } from "./target.ts";

function keep(map: Map<string, Set<string>>, name: string, version: string): void {
  const key = canonicalName(name);
  const versions = map.get(key) ?? new Set<string>();
  versions.add(version);
  map.set(key, versions);
}

export function neededVersions(target: Target): Map<string, Set<string>> {
  const needed = new Map<string, Set<string>>();
  for (const item of listHistory(target.historyDir)) {
    for (const entry of [item.before, item.after]) for (const p of entry?.packages ?? []) keep(needed, p.name, p.version);
  }
  for (const name of listSnapshotNames(target.layout.snapshotsDir)) {
    try {
      for (const line of readSnapshot(target.layout.snapshotsDir, name).lines) {
        const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*===?\s*(\S+)$/.exec(line);
        if (m) keep(needed, m[1]!, m[2]!);
      }
    } catch {
      // an unreadable snapshot protects nothing; doctor reports it
    }
  }
  return needed;
}

/** Drop store entries nothing refers to any more; returns how many. */
export function pruneUnneeded(target: Target): number {
  return pruneStore(target.storeDir, neededVersions(target));
}
