/**
 * The venv an operation acts on: one Python version's venv under the current tier, with its
 * history and store. `prepareTarget` creates it on first use (with its baseline).
 */
import { existsSync, mkdirSync } from "node:fs";
import { PyctlError } from "../base/errors.ts";
import { freeze, readInventory, sitePackagesOf, type Dist } from "../packages/inventory.ts";
import { configFlag, configString, type Config } from "../base/config.ts";
import { type Layout, versionKey, type SwapPaths } from "../base/paths.ts";
import { findInterpreter, isVersion, type Interpreter } from "../python/interpreter.ts";
import { storeAll } from "./store.ts";
import { writeSnapshot } from "./snapshots.ts";
import { createVenv, isVenv, readPyvenvCfg } from "../python/venv.ts";

export interface Target extends SwapPaths {
  layout: Layout;
  /** "3.11" */
  version: string;
  venv: string;
  historyDir: string;
  storeDir: string;
  lockFile: string;
  sitePackages: string;
  /** Remembers the last inventory scan (inventory.ts). */
  inventoryCache: string;
}

export function targetFor(layout: Layout, version: string): Target {
  const swap = layout.swapPaths(version);
  return {
    ...swap,
    layout,
    version,
    historyDir: layout.historyDir(version),
    storeDir: layout.storeDir(version),
    lockFile: layout.lockFile(version),
    sitePackages: sitePackagesOf(swap.venv, version),
    inventoryCache: layout.inventoryCache(version),
  };
}

/** The version plain `pip` uses: config's python.default, else that of the first python3 on PATH. */
export function defaultVersion(config: Config): string {
  return configString(config, "python.default") || findInterpreter().version;
}

export function resolveVersion(config: Config, requested?: string): string {
  if (requested === undefined) return defaultVersion(config);
  if (!isVersion(requested)) throw new PyctlError(`"${requested}" is not a Python version like 3.12`, { exitCode: 2 });
  return requested;
}

export function inventoryOf(target: Target): Dist[] {
  return readInventory(target.sitePackages, target.inventoryCache);
}

/** The full Python version of the target's venv, e.g. "3.11.2". */
export function pythonVersionOf(target: Target): string {
  return readPyvenvCfg(target.venv)?.version || target.version;
}

export function freezeAll(target: Target, dists: Dist[] = inventoryOf(target)): string {
  return freeze(dists, { pythonVersion: target.version, all: true });
}

export function baselineName(target: Target, config: Config): string {
  return configString(config, "python.default") === target.version ? "baseline" : `baseline-${versionKey(target.version)}`;
}

export function assertWritable(target: Target): void {
  if (target.layout.tier === "system" && process.geteuid?.() !== 0) {
    throw new PyctlError("the system tier belongs to root; your packages go to your own venv", {
      hint: "unset PYCTL_TIER, or run as root",
    });
  }
}

/** Create the venv (with pip), store what it holds, and take the baseline snapshot if configured. */
export function createTarget(target: Target, python: Interpreter, config: Config): void {
  assertWritable(target);
  mkdirSync(target.layout.versionDir(target.version), { recursive: true });
  createVenv(python, target.venv, target.layout.seedsDir);
  const dists = inventoryOf(target);
  storeAll(target.storeDir, dists, target.venv);
  if (configFlag(config, "snapshots.auto_baseline")) {
    writeSnapshot(target.layout.snapshotsDir, baselineName(target, config), python.fullVersion, freezeAll(target, dists));
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

/** The target for `version`, created first if it has no venv yet. Returns whether it was created. */
export function prepareTarget(layout: Layout, config: Config, version: string): { target: Target; created: boolean } {
  const target = targetFor(layout, version);
  if (isVenv(target.venv)) return { target, created: false };
  if (existsSync(target.venv)) throw new PyctlError(`${target.venv} exists but is not a venv`, { hint: "`pyctl doctor` can repair it" });
  createTarget(target, interpreterFor(config, version), config);
  return { target, created: true };
}
