/**
 * The venv an operation acts on: one Python version's venv under the current tier, with its
 * history and store. `prepareTarget` creates it on first use (with its baseline), under the
 * venv's lock, in a temp folder renamed into place: concurrent first uses make one venv, and a
 * failed creation leaves nothing that could later pass for a venv.
 */
import { makeDataDir } from "../base/modes.ts";
import { existsSync, readdirSync, renameSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sweepStaleTemps } from "../base/atomic.ts";
import type { LockHolder } from "../base/lock.ts";
import { PyctlError, UsageError } from "../base/errors.ts";
import { freeze, readInventory, type Dist } from "../packages/inventory.ts";
import { configFlag, configString, type Config } from "../base/config.ts";
import { type Layout, versionKey, type SwapPaths } from "../base/paths.ts";
import { findInterpreter, isVersion, rebuildAdvice, type Interpreter } from "../python/interpreter.ts";
import { storeAll } from "./store.ts";
import { Venv } from "../python/venv.ts";
import { unmarkSeeded } from "./seeded.ts";

export interface Target extends SwapPaths {
  layout: Layout;
  /** "3.11" */
  version: string;
  /** The venv's folder: `env.root`, kept as a string because most of pyctl wants only the path. */
  venv: string;
  /** The venv itself: its paths, its lock, its pip. */
  env: Venv;
  historyDir: string;
  storeDir: string;
  lockFile: string;
  sitePackages: string;
  /** Remembers the last inventory scan (inventory.ts). */
  inventoryCache: string;
}

export function targetFor(layout: Layout, version: string): Target {
  const swap = layout.swapPaths(version);
  const env = new Venv(swap.venv, version, layout.lockFile(version));
  return {
    ...swap,
    layout,
    version,
    env,
    historyDir: layout.historyDir(version),
    storeDir: layout.storeDir(version),
    lockFile: env.lockFile,
    sitePackages: env.sitePackages,
    inventoryCache: layout.inventoryCache(version),
  };
}

/** The version plain `pip` uses: config's python.default, else that of the first python3 on PATH. */
export function defaultVersion(config: Config): string {
  return configString(config, "python.default") || findInterpreter().version;
}

export function resolveVersion(config: Config, requested?: string): string {
  if (requested === undefined) return defaultVersion(config);
  if (!isVersion(requested)) throw new UsageError(`"${requested}" is not a Python version like 3.12`);
  return requested;
}

export function inventoryOf(target: Target): Dist[] {
  return readInventory(target.sitePackages, target.inventoryCache);
}

/** The full Python version of the target's venv, e.g. "3.11.2". */
export function pythonVersionOf(target: Target): string {
  return target.env.cfg()?.version || target.version;
}

export function freezeAll(target: Target, dists: Dist[] = inventoryOf(target)): string {
  return freeze(dists, { pythonVersion: target.version, all: true });
}

export function baselineName(target: Target, config: Config): string {
  return configString(config, "python.default") === target.version
    ? "baseline"
    : `baseline-${versionKey(target.version)}`;
}

export function assertWritable(target: Target): void {
  if (target.layout.tier === "system" && process.geteuid?.() !== 0) {
    throw new PyctlError("the system tier belongs to root; your packages go to your own venv", {
      hint: "unset PYCTL_TIER, or run as root",
    });
  }
}

/** Where a venv is built before it is renamed into place (a killed creation's is swept by the next). */
function creationTemp(target: Target): string {
  return target.layout.creationTemp(target.version);
}

/** After a failed first creation: the version folder goes too if nothing but its lock is in it. */
function removeIfOnlyLock(dir: string): void {
  try {
    if (readdirSync(dir).every((name) => name === "lock")) {
      rmSync(join(dir, "lock"), { force: true });
      rmdirSync(dir);
    }
  } catch {
    /* not empty after all, or already gone */
  }
}

/**
 * Create the venv (with pip) in a temp folder and rename it into place, store what it holds,
 * and take the baseline snapshot if configured and none exists yet: an existing snapshot is
 * never rewritten (only `pyctl snapshot NAME --force` does that). Call it under the venv's lock.
 */
async function createTarget(target: Target, python: Interpreter, config: Config): Promise<void> {
  assertWritable(target);
  // Loaded here, not at the top (snapshots.ts too): a recorded pip write imports this module, and creates no venv.
  const { createVenv } = await import("../python/create-venv.ts");
  const versionDir = target.layout.versionDir(target.version);
  makeDataDir(versionDir);
  const temp = creationTemp(target);
  try {
    createVenv(python, temp, target.layout.seedsDir, target.venv);
    unmarkSeeded(temp, python.version);
    renameSync(temp, target.venv);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    removeIfOnlyLock(versionDir);
    throw err;
  }
  const dists = inventoryOf(target);
  storeAll(target.storeDir, dists, target.venv);
  if (!configFlag(config, "snapshots.auto_baseline")) return;
  const { snapshotPath, snapshotText, writeSnapshot } = await import("./snapshots.ts");
  const baseline = baselineName(target, config);
  if (!existsSync(snapshotPath(target.layout.snapshotsDir, baseline))) {
    const explicit = new Set(dists.filter((d) => d.requested).map((d) => d.key));
    writeSnapshot(target.layout.snapshotsDir, baseline, python.fullVersion, snapshotText(dists, explicit));
  }
}

/** The remembered interpreter for the default version, else the first pythonX.Y found. */
export function interpreterFor(config: Config, version: string): Interpreter {
  const remembered = configString(config, "python.interpreter");
  if (remembered && configString(config, "python.default") === version && existsSync(remembered)) {
    return findInterpreter(remembered);
  }
  return findInterpreter(version);
}

/**
 * Create the target's venv under its lock unless it exists by the time the lock is ours.
 * Returns whether this call created it. `python` is found lazily, and only if it is needed.
 */
export async function createTargetLocked(
  target: Target,
  python: () => Interpreter,
  config: Config,
  waiting?: (holder: LockHolder | undefined) => void,
): Promise<boolean> {
  assertWritable(target);
  const interpreter = python(); // a missing Python fails before anything is created
  const lock = await target.env.lock(`create ${target.venv}`, waiting);
  try {
    if (target.env.exists()) return false;
    if (existsSync(target.venv))
      throw new PyctlError(`${target.venv} exists but is not a venv`, { hint: "`pyctl doctor --fix` can repair it" });
    sweepStaleTemps(target.layout.versionDir(target.version)); // a killed creation's venv.new.PID.tmp
    await createTarget(target, interpreter, config);
    return true;
  } finally {
    lock.release();
  }
}

/** The target for `version`, created first (under its lock) if it has no venv yet. */
export async function prepareTarget(
  layout: Layout,
  config: Config,
  version: string,
  waiting?: (holder: LockHolder | undefined) => void,
): Promise<{ target: Target; created: boolean }> {
  const target = targetFor(layout, version);
  if (target.env.exists()) return { target, created: false };
  if (existsSync(target.venv))
    throw new PyctlError(`${target.venv} exists but is not a venv`, { hint: "`pyctl doctor` can repair it" });
  const created = await createTargetLocked(target, () => interpreterFor(config, version), config, waiting);
  return { target, created };
}

/**
 * Throws the one line a user sees when the venv cannot run: its base interpreter is gone (the
 * cure is `pyctl rebuild`), or its bin/python is (the cure is `pyctl doctor --fix`).
 */
/** `defaultVersion`, when known, lets the advice move the default venv to another version. */
export function assertRunnable(target: Target, defaultVersion?: string): void {
  const health = target.env.health();
  if (health.ok) return;
  if ("missingBase" in health) {
    const canMoveTo = (to: string) =>
      defaultVersion === target.version && !existsSync(targetFor(target.layout, to).venv);
    throw new PyctlError(
      `the Python ${target.version} interpreter ${health.missingBase} is gone, so ${target.venv} cannot run; ${rebuildAdvice(target.version, health.missingBase, canMoveTo)}`,
    );
  }
  throw new PyctlError(
    `${health.brokenPython} is missing though its base interpreter is there; \`pyctl doctor --fix\` relinks it`,
  );
}
