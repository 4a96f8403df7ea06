/** A package set as history and snapshots keep it: name, version, and whether the user asked for it. */
import { canonicalName } from "../packages/pep440.ts";
import type { Dist } from "../packages/inventory.ts";

export interface PackageRecord {
  name: string;
  version: string;
  /** Explicit: pip's REQUESTED marker, or the history says the user asked for it (explicit.ts). */
  requested?: boolean;
  /** Present (false) only for versions that are not PEP 440. */
  pep440?: false;
  /** Which build was installed (inventory.ts Dist.build); absent in entries older than builds. */
  build?: string;
}

/** `explicit` (canonical names) adds to what REQUESTED markers say. */
export function toRecords(dists: Dist[], explicit?: Set<string>): PackageRecord[] {
  return dists.map((d) => ({
    name: d.name,
    version: d.version,
    ...(d.requested || explicit?.has(d.key) ? { requested: true } : {}),
    ...(d.pep440 ? {} : { pep440: false as const }),
    ...(d.build ? { build: d.build } : {}),
  }));
}

/** `p` marked explicit, its fields in toRecords' order. */
export function markedRequested(p: PackageRecord): PackageRecord {
  const { name, version, pep440, build } = p;
  return { name, version, requested: true, ...(pep440 === false ? { pep440 } : {}), ...(build ? { build } : {}) };
}

export function recordPin(p: PackageRecord): string {
  return `${p.name}${p.pep440 === false ? "===" : "=="}${p.version}`;
}

export function byKey(records: PackageRecord[]): Map<string, PackageRecord> {
  return new Map(records.map((p) => [canonicalName(p.name), p]));
}
