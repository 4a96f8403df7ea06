/**
 * `pyctl snapshot NAME`: the venv's package set as snapshots/NAME.txt. Taken under the venv's
 * lock, so a pip run in another shell is not caught half-way; the store gets every version the
 * snapshot names, so restoring it needs no network.
 */
import { existsSync } from "node:fs";
import { PyctlError } from "../base/errors.ts";
import type { LockHolder } from "../base/lock.ts";
import { explicitOf } from "../recording/explicit.ts";
import { snapshotPath, snapshotText, writeSnapshot } from "../recording/snapshots.ts";
import { storeAll } from "../recording/store.ts";
import { inventoryOf, pythonVersionOf, type Target } from "../recording/target.ts";

export interface Taken {
  path: string;
  packages: number;
  python: string;
}

/** Refuses an existing NAME unless `force`, before anything is locked. */
export function checkSnapshotName(target: Target, name: string, force: boolean): void {
  const path = snapshotPath(target.layout.snapshotsDir, name);
  if (existsSync(path) && !force)
    throw new PyctlError(`snapshot "${name}" exists (${path})`, { hint: "--force replaces it" });
}

export async function takeSnapshot(
  target: Target,
  name: string,
  waiting: (holder: LockHolder | undefined) => void,
): Promise<Taken> {
  const lock = await target.env.lock(`pyctl snapshot ${name}`, waiting);
  try {
    const dists = inventoryOf(target);
    storeAll(target.storeDir, dists, target.venv);
    const explicit = new Set(explicitOf(target, dists).keys());
    const python = pythonVersionOf(target);
    writeSnapshot(target.layout.snapshotsDir, name, python, snapshotText(dists, explicit));
    return { path: snapshotPath(target.layout.snapshotsDir, name), packages: dists.length, python };
  } finally {
    lock.release();
  }
}
