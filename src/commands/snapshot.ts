/** `pyctl snapshot NAME [--force] [--python X.Y]`: save the current package set as snapshots/NAME.txt. */
import { existsSync } from "node:fs";
import { PyctlError } from "../core/base/errors.ts";
import { acquireLock } from "../core/base/lock.ts";
import { snapshotPath, snapshotText, writeSnapshot } from "../core/recording/snapshots.ts";
import { explicitOf } from "../core/recording/explicit.ts";
import { storeAll } from "../core/recording/store.ts";
import { inventoryOf, pythonVersionOf } from "../core/recording/target.ts";
import { notice, out } from "../ui/output.ts";
import { existingTarget, openContext } from "./common.ts";
import type { ParsedArgs } from "./spec.ts";
import { counted } from "../ui/plural.ts";

export async function run(args: ParsedArgs): Promise<number> {
  const ctx = await openContext();
  const name = args.positionals[0]!;
  const path = snapshotPath(ctx.layout.snapshotsDir, name);
  if (existsSync(path) && !args.options.has("--force")) {
    throw new PyctlError(`snapshot "${name}" exists (${path})`, { hint: "--force replaces it" });
  }
  const target = existingTarget(ctx, args);
  // Under the lock, so a pip run in another shell is not caught half-way; the store gets every
  // version the snapshot names, so restoring it needs no network.
  const lock = await acquireLock(target.lockFile, `pyctl snapshot ${name}`, () =>
    notice(`waiting for another pyctl to finish with ${target.venv}`),
  );
  try {
    const dists = inventoryOf(target);
    storeAll(target.storeDir, dists, target.venv);
    const explicit = new Set(explicitOf(target, dists).keys());
    writeSnapshot(ctx.layout.snapshotsDir, name, pythonVersionOf(target), snapshotText(dists, explicit));
    out(
      `pyctl: saved snapshot ${name}: ${counted(dists.length, "package")}, Python ${pythonVersionOf(target)} (${path})`,
    );
  } finally {
    lock.release();
  }
  return 0;
}
