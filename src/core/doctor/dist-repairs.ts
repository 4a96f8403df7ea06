/**
 * Packages pip cannot manage any more: a .dist-info without RECORD (pip stopped before writing
 * it, or it was deleted) and a package whose recorded files are gone (`rm -rf site-packages/x`).
 * `doctor --fix` puts the stored build of that version in place as one transaction, its
 * REQUESTED mark kept; without one in the store the fix is a pip command that works on them.
 */
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Config } from "../base/config.ts";
import { PyctlError } from "../base/errors.ts";
import { readInventory, type Dist } from "../packages/inventory.ts";
import { parseRecordLine } from "../python/record.ts";
import type { StoreManifest } from "../recording/store.ts";
import { inventoryOf, type Target } from "../recording/target.ts";
import { goalKeeping, mismatches, parseWanted } from "../transaction/plan.ts";
import { storedFor } from "../transaction/sources.ts";
import { linkEntry, ownedFiles, removeDist, setRequested } from "../transaction/staging.ts";
import { runTransaction, type TransactionEvents } from "../transaction/transaction.ts";
import { pass, problem, type Check } from "./check.ts";

const pin = (d: Dist) => `${d.name}==${d.version}`;

export const hasNoRecord = (d: Dist) =>
  d.metadataPath.endsWith(".dist-info") && !existsSync(join(d.metadataPath, "RECORD"));

/**
 * The files `dist`'s RECORD lists that are gone, relative to the venv. Bytecode is left out
 * (Python writes it again), and so is the REQUESTED marker (a mark, not a file the package
 * needs), and anything RECORD places outside the venv. One lstat a file.
 */
export function missingFiles(dist: Dist, venv: string): string[] {
  let record: string;
  try {
    record = readFileSync(join(dist.metadataPath, "RECORD"), "utf8");
  } catch {
    return [];
  }
  const root = resolve(venv);
  const gone: string[] = [];
  for (const line of record.split(/\r?\n/)) {
    const path = parseRecordLine(line)?.path;
    if (!path || path.endsWith(".pyc") || path.endsWith(".dist-info/REQUESTED")) continue;
    const rel = relative(root, resolve(dirname(dist.metadataPath), path));
    if (rel.startsWith("..") || rel.startsWith("/")) continue;
    if (!lstatSync(join(root, rel), { throwIfNoEntry: false })) gone.push(rel);
  }
  return gone;
}

/** The store entry that can replace `dist`: its version, holding every file named in `needed`. */
function storedBuild(t: Target, dist: Dist, needed: string[] = []): StoreManifest | undefined {
  const manifest = storedFor(t, parseWanted(pin(dist)));
  return manifest && needed.every((rel) => manifest.files.includes(rel)) ? manifest : undefined;
}

/** Whether the store can put back each of `dists` (for missing files: a build that holds them). */
export function restorable(t: Target, dists: Dist[]): boolean {
  return dists.length > 0 && dists.every((d) => storedBuild(t, d, missingFiles(d, t.venv)));
}

/** The repair for broken dists when the store holds them all. */
export function restoreRepair(t: Target, dists: Dist[]) {
  return restorable(t, dists)
    ? { kind: "restore-dists" as const, version: t.version, pins: dists.map(pin) }
    : undefined;
}

export function missingFilesCheck(t: Target): Check {
  const id = `files:${t.version}`;
  const broken = inventoryOf(t)
    .map((dist) => ({ dist, gone: missingFiles(dist, t.venv) }))
    .filter((b) => b.gone.length > 0);
  if (broken.length === 0) return pass(id, "every file an installed package's RECORD lists is there");
  const found = broken.map(({ dist, gone }) => `${pin(dist)} lacks ${gone.length} of its files (${gone[0]}…)`);
  const dists = broken.map((b) => b.dist);
  const repair = restoreRepair(t, dists);
  const pip = `\`pip install --force-reinstall --no-deps ${dists.map(pin).join(" ")}\` installs them again`;
  const fix = repair ? `\`pyctl doctor --fix\` puts them back from pyctl's store (recorded); or ${pip}` : pip;
  return problem(id, found.join("; "), fix, repair);
}

/** Take a broken dist out of the staging venv and link its stored build in, REQUESTED kept. */
function replaceInStaging(t: Target, staging: string, site: string, key: string): void {
  const staged = readInventory(site);
  const dist = staged.find((d) => d.key === key);
  if (!dist) throw new PyctlError(`${key} is not in the staging venv`);
  const manifest = storedBuild(t, dist);
  if (!manifest) throw new PyctlError(`pyctl's store no longer holds ${pin(dist)}`);
  removeDist(
    staging,
    site,
    dist,
    ownedFiles(
      staging,
      staged.filter((d) => d !== dist),
    ),
  );
  linkEntry(t.storeDir, manifest, staging, t.venv);
  const metadata = manifest.files.find((f) => /\.dist-info\/METADATA$/.test(f));
  if (metadata) setRequested(join(staging, dirname(metadata)), dist.requested);
}

/** What is still wrong with the restored dists in the staged venv. */
function stillBroken(staged: Dist[], keys: Set<string>, staging: string): string[] {
  return staged
    .filter((d) => keys.has(d.key))
    .flatMap((d) =>
      hasNoRecord(d)
        ? [`${pin(d)} still has no RECORD`]
        : missingFiles(d, staging).map((rel) => `${rel} of ${pin(d)} is missing`),
    );
}

/** `doctor --fix`: put the stored builds of `pins` in place of the broken ones, as one transaction. */
export async function restoreDists(
  t: Target,
  config: Config,
  pins: string[],
  events: TransactionEvents = {},
): Promise<string> {
  const keys = new Set(pins.map((p) => parseWanted(p).key));
  const site = (staging: string) => join(staging, relative(t.venv, t.sitePackages));
  const result = await runTransaction(
    t,
    config,
    {
      kind: "doctor",
      command: `pyctl doctor --fix (restore ${pins.join(" ")})`,
      goal: (installed) => goalKeeping(installed, t.version),
      prepare: (staging) => {
        for (const key of keys) replaceInStaging(t, staging, site(staging), key);
        return undefined;
      },
      check: (staged, installed) => [
        ...mismatches(staged, goalKeeping(installed, t.version)),
        ...stillBroken(staged, keys, t.staging),
      ],
    },
    events,
  );
  if (result.error)
    throw new PyctlError(`${result.error.message}; ${t.venv} is unchanged (recorded as #${result.entry.id})`);
  if (result.interrupted && !result.committed)
    throw new PyctlError(`interrupted; ${t.venv} is unchanged (recorded as #${result.entry.id})`);
  return `put back ${pins.join(", ")} from pyctl's store in ${t.venv} (recorded as #${result.entry.id})`;
}
