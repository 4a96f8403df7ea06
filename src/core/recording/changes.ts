/** What an operation changed: the difference between two package sets. */
import { byKey, recordPin, type PackageRecord } from "./package-records.ts";

export interface Modification {
  name: string;
  from: string;
  to: string;
}

export interface Changes {
  added: string[];
  removed: string[];
  modified: Modification[];
}

/** The same version, another build (a local project or wheel rebuilt and installed again). */
function rebuilt(was: PackageRecord, now: PackageRecord): boolean {
  return was.build !== undefined && now.build !== undefined && was.build !== now.build;
}

export function diffPackages(before: PackageRecord[], after: PackageRecord[]): Changes {
  const old = byKey(before);
  const now = byKey(after);
  const changes: Changes = { added: [], removed: [], modified: [] };
  for (const [key, p] of now) {
    const was = old.get(key);
    if (!was) changes.added.push(recordPin(p));
    else if (was.version !== p.version || rebuilt(was, p))
      changes.modified.push({ name: p.name, from: was.version, to: p.version });
  }
  for (const [key, p] of old) if (!now.has(key)) changes.removed.push(recordPin(p));
  return changes;
}

export function isEmpty(changes: Changes): boolean {
  return changes.added.length + changes.removed.length + changes.modified.length === 0;
}

export function countChanges(changes: Changes): number {
  return changes.added.length + changes.removed.length + changes.modified.length;
}
