/** `pyctl diff A B`: how the package set of point B differs from point A's. */
import { canonicalName, compareVersions } from "../packages/pep440.ts";
import { byKey, recordPin, type PackageRecord } from "../recording/package-records.ts";

export interface VersionChange {
  name: string;
  from: string;
  to: string;
}

export interface Comparison {
  added: string[];
  removed: string[];
  upgraded: VersionChange[];
  downgraded: VersionChange[];
  /** Present in both: the user asked for it in B but not in A (`explicit`), or the reverse. */
  marks: { name: string; explicit: boolean }[];
}

/** Versions that do not compare (not PEP 440) count as an upgrade when they differ. */
function newer(from: string, to: string): boolean {
  try {
    return compareVersions(to, from) > 0;
  } catch {
    return true;
  }
}

export function comparePackages(a: PackageRecord[], b: PackageRecord[]): Comparison {
  const was = byKey(a);
  const now = byKey(b);
  const result: Comparison = { added: [], removed: [], upgraded: [], downgraded: [], marks: [] };
  for (const [key, p] of now) {
    const old = was.get(key);
    if (!old) {
      result.added.push(recordPin(p));
      continue;
    }
    if (old.version !== p.version) {
      const change = { name: p.name, from: old.version, to: p.version };
      (newer(old.version, p.version) ? result.upgraded : result.downgraded).push(change);
    }
    if ((old.requested === true) !== (p.requested === true))
      result.marks.push({ name: p.name, explicit: p.requested === true });
  }
  for (const [key, p] of was) if (!now.has(key)) result.removed.push(recordPin(p));
  const byName = (x: { name: string }, y: { name: string }) =>
    canonicalName(x.name).localeCompare(canonicalName(y.name));
  result.added.sort();
  result.removed.sort();
  for (const list of [result.upgraded, result.downgraded, result.marks]) list.sort(byName);
  return result;
}

export function isSame(c: Comparison): boolean {
  return c.added.length + c.removed.length + c.upgraded.length + c.downgraded.length + c.marks.length === 0;
}
