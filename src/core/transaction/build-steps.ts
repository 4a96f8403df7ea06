/**
 * The steps of a transaction that change the staging venv's packages: link what the store holds,
 * install what it lacks with pip, and run the spec's own pip step. build.ts runs them in order.
 */
import { dirname, join } from "node:path";
import { PyctlError } from "../base/errors.ts";
import { relocateVenvText } from "../base/fstree.ts";
import { readInventory, type Dist } from "../packages/inventory.ts";
import { rehashVenvScripts } from "../python/record.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import type { StoreManifest } from "../recording/store.ts";
import type { Target } from "../recording/target.ts";
import { installInStaging } from "./pip-step.ts";
import type { Plan, Wanted } from "./plan.ts";
import { Interrupted, type TransactionEvents } from "./spec.ts";
import { pipInstallInto } from "./sources.ts";
import { linkEntry, ownedFiles, removeDist, setRequested } from "./staging.ts";

/** The staging venv being built for a target, and the signal guard that may stop it. */
export interface Staging {
  target: Target;
  dir: string;
  site: string;
  guard: SignalGuard;
  events: TransactionEvents;
}

const stagedDists = (s: Staging): Dist[] => readInventory(s.site);

/** Unlink what goes (except what pip will replace itself), link in what the store has. */
export function applyFromStore(
  s: Staging,
  staged: Dist[],
  plan: Plan,
  sources: Map<Wanted, StoreManifest | undefined>,
): void {
  const leaving = [...plan.remove, ...plan.replace.filter((r) => sources.get(r.to)).map((r) => r.from)];
  if (leaving.length) {
    const gone = new Set(leaving);
    const shared = ownedFiles(
      s.dir,
      staged.filter((d) => !gone.has(d)),
    );
    for (const dist of leaving) removeDist(s.dir, s.site, dist, shared);
  }
  for (const [w, manifest] of sources) {
    if (!manifest) continue;
    linkEntry(s.target.storeDir, manifest, s.dir, s.target.venv);
    const distInfo = manifest.files.find((f) => /\.dist-info\/METADATA$/.test(f));
    if (distInfo && w.requested !== undefined) setRequested(join(s.dir, dirname(distInfo)), w.requested);
  }
  for (const { dist, requested } of plan.mark) setRequested(dist.metadataPath, requested);
}

/**
 * Install what the store lacks with the staging venv's own pip, then point its scripts at the
 * final path. With `tolerant` (allowMissing), what pip cannot get is tried one by one and left
 * for the check to name.
 */
export async function fetchMissing(s: Staging, missing: Wanted[], tolerant: boolean): Promise<void> {
  if (missing.length === 0) return;
  s.events.fetching?.(missing.map((w) => w.line));
  const venv = s.target.env.at(s.dir);
  let code = await pipInstallInto(venv, missing, s.guard);
  if (s.guard.interrupted) throw new Interrupted();
  if (code !== 0 && tolerant && missing.length > 1) {
    for (const w of missing) {
      code = await pipInstallInto(venv, [w], s.guard);
      if (s.guard.interrupted) throw new Interrupted();
    }
  } else if (code !== 0 && !tolerant) {
    throw new PyctlError(`pip could not install ${missing.map((w) => w.line).join(", ")} (exit ${code})`);
  }
  relocateVenvText(s.dir, s.dir, s.target.venv);
  rehashVenvScripts(s.dir, s.site);
  const byKey = new Map(stagedDists(s).map((d) => [d.key, d]));
  for (const w of missing) {
    const dist = byKey.get(w.key);
    if (dist && w.requested !== undefined) setRequested(dist.metadataPath, w.requested);
  }
}

/** `pip install ARGS` in the staging venv; explicit marks of the packages that stay are kept. */
export async function pipStep(s: Staging, args: string[]): Promise<void> {
  const explicit = new Set(
    stagedDists(s)
      .filter((d) => d.requested)
      .map((d) => d.key),
  );
  s.events.pipping?.(args);
  if (!(await installInStaging(s.target.env.at(s.dir), s.target.venv, args, s.guard))) throw new Interrupted();
  rehashVenvScripts(s.dir, s.site);
  for (const dist of stagedDists(s))
    if (explicit.has(dist.key) && !dist.requested) setRequested(dist.metadataPath, true);
}
