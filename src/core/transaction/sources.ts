/**
 * Where a transaction gets the versions it puts in: the local package store (no network), else
 * pip, run inside the staging venv so the live venv never sees a half-finished install.
 */
import type { Venv } from "../python/venv.ts";
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { satisfies, type Goal, type OtherBuild, type Plan, type Wanted } from "./plan.ts";
import type { Dist } from "../packages/inventory.ts";
import { sitePackagesRel } from "./staging.ts";
import {
  directManifests,
  findUnowned,
  manifestDir,
  readManifest,
  storedDist,
  storedEntries,
  versionOfEntry,
  type StoreManifest,
} from "../recording/store.ts";
import { entryIsTrusted, seenAt } from "../recording/store-serve.ts";
import { compareUnowned, type UnownedFile } from "../packages/accounting.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import type { Target } from "../recording/target.ts";

/**
 * Store entries that may hold `w`, likeliest first: for a direct-URL or editable line the
 * VERSION@HASH entries, else the index ones; among builds of one version, the one most recently
 * seen installed. An editable line that does not name its project (`-e /src/proj`) is looked for
 * among every direct entry.
 */
function candidates(store: string, w: Wanted): StoreManifest[] {
  const byRecency = (list: StoreManifest[]) => list.sort((a, b) => seenAt(store, b) - seenAt(store, a));
  if (!w.key) return byRecency(directManifests(store));
  const entries = storedEntries(store, w.key).filter((e) => !w.version || versionOfEntry(e) === w.version);
  const manifests = byRecency(
    entries.map((e) => readManifest(store, w.key, e)).filter((m): m is StoreManifest => m !== undefined),
  );
  const isDirect = (m: StoreManifest) => (m.entry ?? m.version).includes("@");
  return manifests.sort((a, b) => Number(isDirect(b) === w.direct) - Number(isDirect(a) === w.direct));
}

/**
 * What storedFor found in this process: a transaction asks for the same wants several times (the
 * plan, the clone, the build), and a manifest of 12,000 files takes a while to read. Entries are
 * never changed in place, so one found is good while its manifest is there.
 */
const found = new Map<string, StoreManifest>();

/** The store entry holding a wanted version (and build, if it names one), or undefined when pip must fetch it. */
export function storedFor(target: Target, w: Wanted): StoreManifest | undefined {
  const key = [target.storeDir, w.key, w.line, w.version, w.exact, w.direct, w.build].join("\0");
  const known = found.get(key);
  if (known && existsSync(join(manifestDir(target.storeDir, known), "manifest.json"))) return known;
  const site = sitePackagesRel(target.venv, target.sitePackages);
  for (const manifest of candidates(target.storeDir, w)) {
    // An entry keyed by its build says which it is; one stored before builds were keyed is asked by its RECORD.
    if (w.build && manifest.build && manifest.build !== w.build) continue;
    const dist = storedDist(target.storeDir, manifest, site);
    // Checked last: a changed file costs a hash, and only a matching entry is worth it.
    if (dist && satisfies(dist, w, !manifest.build) && entryIsTrusted(target.storeDir, manifest)) {
      found.set(key, manifest);
      return manifest;
    }
  }
  return undefined;
}

/**
 * A wanted build the store no longer holds cannot be had: pip would build or fetch that version
 * anew. Such wants are relaxed to their version (the build is dropped from the goal), and returned
 * so the caller can say so rather than claim the old build is back.
 */
export function relaxBuilds(target: Target, goal: Goal, installed: Dist[]): OtherBuild[] {
  const byKey = new Map(installed.map((d) => [d.key, d]));
  const relaxed = goal.wanted.filter((w) => {
    if (!w.build || byKey.get(w.key)?.build === w.build) return false;
    return storedFor(target, w) === undefined;
  });
  for (const w of relaxed) delete w.build;
  return relaxed.map((w) => {
    const now = byKey.get(w.key);
    return { line: w.line, stays: now !== undefined && satisfies(now, w) };
  });
}

/** Where an editable install's source tree is, from its store entry or its `-e PATH` line. */
export function editableSource(w: Wanted, manifest: StoreManifest | undefined): string | undefined {
  const url = manifest?.direct_url;
  if (url?.dir_info?.editable && url.url.startsWith("file:")) return decodeURIComponent(new URL(url.url).pathname);
  const path = /^-e\s+(\S+)$/.exec(w.line)?.[1];
  if (path && isAbsolute(path)) return path;
  if (path?.startsWith("file:")) return decodeURIComponent(new URL(path).pathname);
  return undefined;
}

/**
 * Editables the plan would put in whose source folder is gone: neither the store nor pip can make
 * them work, so a transaction leaves them out, says so, and restores the rest.
 */
export function goneEditables(sources: Map<Wanted, StoreManifest | undefined>): { wanted: Wanted; source: string }[] {
  const gone: { wanted: Wanted; source: string }[] = [];
  for (const [wanted, manifest] of sources) {
    if (!wanted.line.startsWith("-e")) continue;
    const source = editableSource(wanted, manifest);
    if (source && !existsSync(source)) gone.push({ wanted, source });
  }
  return gone;
}

/** What the plan puts in, each with its store entry (undefined: pip must download it). */
export function sourcesOf(target: Target, plan: Plan): Map<Wanted, StoreManifest | undefined> {
  const incoming = [...plan.install, ...plan.replace.map((r) => r.to)];
  return new Map(incoming.map((w) => [w, storedFor(target, w)]));
}

export function notStored(sources: Map<Wanted, StoreManifest | undefined>): Wanted[] {
  return [...sources].filter(([, manifest]) => !manifest).map(([w]) => w);
}

/**
 * `pip install --no-deps` the given versions into `venv` (the staging one); returns
 * pip's exit code. No bytecode: it would name the staging path.
 */
export async function pipInstallInto(venv: Venv, wanted: Wanted[], guard: SignalGuard): Promise<number> {
  const requirements = wanted.flatMap((w) => (w.line.startsWith("-e ") ? ["-e", w.line.slice(3)] : [w.line]));
  const flags = ["--no-deps", "--no-compile", "--no-warn-script-location", "--disable-pip-version-check"];
  // pip's progress goes to stderr: stdout is the command's own (e.g. `doctor --fix --json`).
  const child = venv.startPip(["install", ...flags, ...requirements], {
    stdio: ["inherit", 2, "inherit"],
    as: "tool",
  });
  guard.watch(child);
  const code = await child.exited;
  guard.watch(undefined);
  return code;
}

/** The unowned-file part of a plan: extra files to take out, and missing ones the store can put back. */
export function fileChanges(
  target: Target,
  current: UnownedFile[],
  goal: UnownedFile[] | undefined,
): { remove: UnownedFile[]; restore: UnownedFile[] } {
  if (!goal) return { remove: [], restore: [] };
  const { remove, restore } = compareUnowned(current, goal);
  return { remove, restore: restore.filter((u) => findUnowned(target.storeDir, u)) };
}
