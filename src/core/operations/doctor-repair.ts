/**
 * What `pyctl doctor --fix` does for a check's `repair`. Each repair is safe by construction:
 * venv changes are transactions that keep every package (venv-repairs.ts, rebuild.ts), history
 * is only completed, never rewritten, and nothing the user made is deleted (only pyctl's leftovers).
 */
import { chmodSync, chownSync, lstatSync, rmSync } from "node:fs";
import { diffPackages } from "../recording/changes.ts";
import type { Config } from "../base/config.ts";
import { PyctlError } from "../base/errors.ts";
import type { Check, Repair } from "../doctor/check.ts";
import { clearUnrecorded, readItem, writeAfter, type AfterEntry } from "../recording/history.ts";
import { toRecords } from "../recording/package-records.ts";
import { isRoot, type Layout } from "../base/paths.ts";
import { findInterpreter } from "../python/interpreter.ts";
import { planRebuild, rebuild, type RebuildEvents } from "./rebuild.ts";
import { recoverTransaction } from "../base/swap.ts";
import { freezeAll, inventoryOf, targetFor, type Target } from "../recording/target.ts";
import { ensurepipVenv, relinkVenv } from "../doctor/venv-repairs.ts";
import { pruneUnowned } from "../doctor/unowned-check.ts";
import { restoreDists } from "../doctor/dist-repairs.ts";

export interface RepairContext {
  layout: Layout;
  config: Config;
  events?: RebuildEvents;
}

/** Run `work` holding the venv's lock, or refuse if another pyctl is using the venv. */
function underLock<T>(t: Target, work: () => T): T {
  const lock = t.env.tryLock("pyctl doctor --fix");
  if (!lock) throw new PyctlError(`${t.venv} is in use by another pyctl; try again when it is done`);
  try {
    return work();
  } finally {
    lock.release();
  }
}

/**
 * A crashed or unrecorded operation gets its after-state: the state the next operation started
 * from, or the current one; interrupted, or as its unrecorded marker says it ended.
 */
function finishEntries(t: Target, ids: number[]): string {
  return underLock(t, () => {
    for (const id of ids) {
      const { before, unrecorded } = readItem(t.historyDir, id);
      if (!before) continue;
      const next = readItem(t.historyDir, id + 1).before;
      const dists = next ? undefined : inventoryOf(t);
      const packages = next?.packages ?? toRecords(dists!);
      const ended = next ? Date.parse(next.timestamp) : Date.now();
      const after: AfterEntry = {
        ...before,
        timestamp: new Date(ended).toISOString(),
        freeze: next?.freeze ?? freezeAll(t, dists),
        packages,
        changes: diffPackages(before.packages, packages),
        // how it really ended, when a marker says so (it ran, but the disk was full)
        exit_code: unrecorded?.exit_code ?? 1,
        duration_ms: Math.max(0, ended - Date.parse(before.timestamp)),
        interrupted: unrecorded?.interrupted ?? true,
      };
      writeAfter(t.historyDir, after);
      clearUnrecorded(t.historyDir, id);
    }
    return `recorded the after-state of ${ids.map((i) => `#${i}`).join(", ")}`;
  });
}

async function rebuildInPlace(ctx: RepairContext, version: string): Promise<string> {
  const t = targetFor(ctx.layout, version);
  const plan = planRebuild(t, t, findInterpreter(version));
  const result = await rebuild(plan, ctx.config, ctx.layout.configFile, ctx.events);
  if (!result.switched) throw new PyctlError(`interrupted; ${t.venv} is unchanged (recorded as #${result.entryId})`);
  return `rebuilt ${t.venv} with ${plan.python.path}, every package kept (recorded as #${result.entryId})`;
}

function fixModes(paths: string[]): string {
  for (const path of paths) {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) continue; // gone (an earlier repair took it out): nothing to lock
    if (st.uid !== 0) chownSync(path, 0, 0);
    chmodSync(path, st.mode & 0o7755);
  }
  return `made ${paths.length} path(s) root-owned and not writable by others`;
}

export async function applyRepair(repair: Repair, ctx: RepairContext): Promise<string> {
  switch (repair.kind) {
    case "rebuild":
      return rebuildInPlace(ctx, repair.version);
    case "relink":
      return relinkVenv(targetFor(ctx.layout, repair.version), ctx.config, ctx.events);
    case "ensurepip":
      return ensurepipVenv(targetFor(ctx.layout, repair.version), ctx.config, ctx.events);
    case "finish-entries":
      return finishEntries(targetFor(ctx.layout, repair.version), repair.ids);
    case "recover-staging": {
      const t = targetFor(ctx.layout, repair.version);
      underLock(t, () => recoverTransaction(t));
      return `removed the leftovers of an interrupted transaction next to ${t.venv}`;
    }
    case "remove":
      for (const path of repair.paths) rmSync(path, { recursive: true, force: true });
      return `removed ${repair.paths.length} leftover(s)`;
    case "permissions":
      return fixModes(repair.paths);
    case "prune-unowned":
      return pruneUnowned(targetFor(ctx.layout, repair.version), ctx.config, repair.paths);
    case "restore-dists":
      return restoreDists(targetFor(ctx.layout, repair.version), ctx.config, repair.pins, ctx.events);
  }
}

/** doctor --fix changes the system tier, which only root may. */
export function assertMayRepair(layout: Layout): void {
  if (layout.tier === "system" && !isRoot()) {
    throw new PyctlError(`doctor --fix would change the system tier at ${layout.home}, which belongs to root`, {
      hint: "run it as root; `pyctl doctor` (without --fix) shows the problems",
    });
  }
}

export interface RepairOutcome {
  id: string;
  message: string;
}

/**
 * Every failed check's repair, each once (a missing venv and its interpreter: one rebuild), by
 * `apply` (which knows the repairs of layers above core, e.g. rc blocks). One failing repair
 * does not stop the others.
 */
export async function repairAll<R extends { kind: string }>(
  checks: Check<R>[],
  apply: (repair: R) => Promise<string> | string,
): Promise<{ fixed: RepairOutcome[]; failed: RepairOutcome[] }> {
  const fixed: RepairOutcome[] = [];
  const failed: RepairOutcome[] = [];
  const done = new Set<string>();
  // Taking unowned files out comes last: the other repairs (permissions) first fix what they name.
  const last = (c: Check<R>) => c.repair?.kind === "prune-unowned";
  for (const check of [...checks.filter((c) => !last(c)), ...checks.filter(last)]) {
    if (check.ok || !check.repair) continue;
    const key = JSON.stringify(check.repair);
    if (done.has(key)) continue;
    done.add(key);
    try {
      fixed.push({ id: check.id, message: await apply(check.repair) });
    } catch (error) {
      failed.push({ id: check.id, message: (error as Error).message });
    }
  }
  return { fixed, failed };
}
