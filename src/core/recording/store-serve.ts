/**
 * Which store entries may be served: every file there and as its RECORD says (store-trust.ts
 * checks), a changed file replaced from another entry holding the same bytes; and of several
 * builds of one version, the one most recently seen installed first.
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileDigest } from "../python/record.ts";
import { manifestDir, readManifest, storedEntries, versionOfEntry, type StoreManifest } from "./store.ts";
import { changedFiles, expectedHashes, replaceStoredFile, saveStamps, stampOf, stampsOf } from "./store-trust.ts";

/**
 * The files of an entry that cannot be served as that build: missing, or not what RECORD says
 * (edited in place through a hardlink). A changed or missing file is first taken from another
 * entry of the project that holds the same bytes; what is left is returned. An entry found good
 * by hash gets fresh stamps, so the next check is a stat.
 */
export function untrustedFiles(store: string, manifest: StoreManifest, options = { repair: true }): string[] {
  const dir = manifestDir(store, manifest);
  const filesDir = join(dir, "files");
  // One stat per file: a missing file has no stamp, a changed stamp is checked by hash.
  const now = stampsOf(filesDir, manifest.files);
  const bad = manifest.files.filter((rel) => !now[rel]);
  bad.push(...changedFiles(filesDir, manifest, now));
  const left = bad.length && options.repair ? bad.filter((rel) => !repairFromCopies(store, manifest, rel)) : bad;
  const stamps = bad.length ? stampsOf(filesDir, manifest.files) : now;
  const stale = manifest.files.some((rel) => `${stamps[rel]}` !== `${manifest.stamps?.[rel]}`);
  if (left.length === 0 && stale) saveStamps(join(dir, "manifest.json"), manifest, stamps);
  return left;
}

/** Take `rel` from another entry of the project whose RECORD names the same hash and whose copy has it. */
function repairFromCopies(store: string, manifest: StoreManifest, rel: string): boolean {
  const want = expectedHashes(join(manifestDir(store, manifest), "files"), manifest.files).get(rel);
  if (!want) return false;
  for (const entry of storedEntries(store, manifest.name)) {
    const other = readManifest(store, manifest.name, entry);
    if (!other?.files.includes(rel) || entry === (manifest.entry ?? manifest.version)) continue;
    const otherFiles = join(manifestDir(store, other), "files");
    const good = join(otherFiles, rel);
    if (expectedHashes(otherFiles, other.files).get(rel) !== want || !existsSync(good) || fileDigest(good) !== want)
      continue;
    const path = join(manifestDir(store, manifest), "files", rel);
    mkdirSync(dirname(path), { recursive: true });
    replaceStoredFile(good, path);
    return true;
  }
  return false;
}

/** Entries found servable by this process: the store is written under the venv's lock, which it holds. */
const trusted = new Set<string>();

/** Whether an entry can be served: every file there and as RECORD says. Checked once per process. */
export function entryIsTrusted(store: string, manifest: StoreManifest): boolean {
  const dir = manifestDir(store, manifest);
  if (trusted.has(dir)) return true;
  const ok = untrustedFiles(store, manifest).length === 0;
  if (ok) trusted.add(dir);
  return ok;
}

/** An entry's manifest modification time: when its build was last seen installed. */
export function seenAt(store: string, manifest: StoreManifest): number {
  return stampOf(join(manifestDir(store, manifest), "manifest.json"))?.[1] ?? 0;
}

/** The newest servable entry of `name==version` installed from an index (not a direct URL). */
export function indexEntry(store: string, name: string, version: string): StoreManifest | undefined {
  return storedEntries(store, name)
    .filter((e) => versionOfEntry(e) === version && !e.includes("@"))
    .map((e) => readManifest(store, name, e))
    .filter((m): m is StoreManifest => m !== undefined)
    .sort((a, b) => seenAt(store, b) - seenAt(store, a))
    .find((m) => entryIsTrusted(store, m));
}
