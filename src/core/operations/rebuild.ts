/**
 * Rebuilding a venv for another base interpreter, as a transaction (transaction.ts): a fresh
 * venv of the new interpreter is built in staging, checked against an explicit goal, and only
 * then swapped in. A goal that cannot be reached swaps nothing, unless allowMissing.
 *
 * Same minor version (the interpreter was reinstalled or relinked, the venv broke): the goal is
 * the complete old set, every package with its REQUESTED mark, linked from the store offline.
 * New minor version (3.11 -> 3.12): the goal is the old set too. Pure-Python wheels come from
 * the old version's store offline (carry.ts), and pip installs the rest (compiled packages,
 * explicit or not), pinned to their old versions where the index has them, else the newest.
 */
import { existsSync, rmSync } from "node:fs";
import { saveConfig, configString, type Config } from "../base/config.ts";
import { PyctlError } from "../base/errors.ts";
import { readInventory, type Dist } from "../packages/inventory.ts";
import type { Layout } from "../base/paths.ts";
import { findInterpreter, isVersion, type Interpreter } from "../python/interpreter.ts";
import { latestId } from "../recording/history.ts";
import { storeAll } from "../recording/store.ts";
import { assertWritable, targetFor, type Target } from "../recording/target.ts";
import { goalKeeping, mismatches } from "../transaction/plan.ts";
import { runTransaction } from "../transaction/transaction.ts";
import { movingSpec } from "./rebuild-new-minor.ts";
import {
  planRebuild,
  type RebuildEvents,
  type RebuildOptions,
  type RebuildPlan,
  type RebuildResult,
} from "./rebuild-plan.ts";
import { stagedRuns } from "../transaction/venv-runs.ts";

export {
  planRebuild,
  type RebuildEvents,
  type RebuildOptions,
  type RebuildPlan,
  type RebuildResult,
  type Reinstall,
} from "./rebuild-plan.ts";
export { venvWorks } from "../transaction/venv-runs.ts";

/** Carry out a plan as one "rebuild" transaction recorded in the new venv's history. */
export async function rebuild(
  plan: RebuildPlan,
  config: Config,
  configFile: string,
  events: RebuildEvents = {},
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const { from, to, python, moving } = plan;
  assertWritable(to);
  if (moving && to.env.exists()) {
    throw new PyctlError(`Python ${to.version} already has a venv (${to.venv})`, {
      hint: `carry the packages over with \`pyctl export --python ${from.version} --output reqs.txt\` and \`pip${to.version} install -r reqs.txt\``,
    });
  }
  if (plan.skipped.length && !options.allowMissing) {
    throw new PyctlError(
      `cannot rebuild ${from.venv}: ${plan.skipped.map((s) => `${s.name} (${s.reason})`).join(", ")}; nothing changed`,
      {
        hint: "`pyctl rebuild --allow-missing` rebuilds without them",
      },
    );
  }
  const outcome: RebuildResult = {
    reinstalled: [],
    missing: [],
    switched: false,
    interrupted: false,
    oldRemoved: false,
    defaultMoved: false,
    entryId: 0,
  };
  const oldLock = moving ? await from.env.lock("pyctl rebuild", (h) => events.waiting?.(h)) : undefined;
  try {
    if (moving) storeAll(from.storeDir, readInventory(from.sitePackages), from.venv); // what the carry step links from
    const spec = moving ? movingSpec(plan, outcome, options, events) : inPlaceSpec(plan, options);
    events.progress?.(`building a venv with Python ${python.fullVersion} (${python.path}) in ${to.staging}`);
    const result = await runTransaction(
      to,
      config,
      { kind: "rebuild", command: `pyctl rebuild --python ${python.path}`, fresh: python, ...spec },
      events,
    );
    outcome.entryId = result.entry.id;
    outcome.interrupted = result.interrupted;
    outcome.switched = result.committed;
    outcome.missing = result.missing; // a moving rebuild's check names plan.skipped too
    if (result.error)
      throw new PyctlError(`${result.error.message}; ${from.venv} is unchanged (recorded as #${result.entry.id})`);
    if (outcome.switched) finish(plan, config, configFile, outcome);
    return outcome;
  } finally {
    oldLock?.release();
  }
}

/** Same version: the complete old set, from the store (pip only for what it lacks), and a venv that runs. */
function inPlaceSpec(plan: RebuildPlan, options: RebuildOptions) {
  // Decided again under the lock: a package installed since the plan was shown is kept too.
  let goal = plan.goal!;
  return {
    goal: (installed: Dist[]) => {
      if (installed.length) goal = goalKeeping(installed, plan.to.version);
      return goal;
    },
    allowMissing: options.allowMissing,
    check: (staged: Dist[]) => [...mismatches(staged, goal), ...stagedRuns(plan.to)],
  };
}

/** After the switch: the default follows the venv, and a dead old venv of another version goes. */
function finish(plan: RebuildPlan, config: Config, configFile: string, outcome: RebuildResult): void {
  const { from, to, python } = plan;
  if (configString(config, "python.default") === from.version) {
    outcome.defaultMoved = from.version !== to.version;
    config.set("python.default", to.version);
    config.set("python.interpreter", python.path);
    saveConfig(configFile, config);
  }
  if (from.version !== to.version && !plan.oldWorks && from.env.exists()) {
    rmSync(from.venv, { recursive: true, force: true });
    outcome.oldRemoved = true;
  }
}

/**
 * Which venv a rebuild acts on: `--python X.Y` with a venv of its own rebuilds that venv in
 * place; otherwise the default version's venv moves to the interpreter's version.
 */
function rebuildTargets(layout: Layout, defaultVersion: string, python: Interpreter): { from: Target; to: Target } {
  const to = targetFor(layout, python.version);
  return { from: existsSync(to.venv) ? to : targetFor(layout, defaultVersion), to };
}

function findSameOrGiven(spec: string): Interpreter {
  try {
    return findInterpreter(spec);
  } catch (error) {
    if (!(error instanceof PyctlError) || !isVersion(spec)) throw error;
    throw new PyctlError(error.message, {
      hint: `install python${spec} again, or move to another version: pyctl rebuild --python 3.X`,
    });
  }
}

/** The read-only half of `pyctl rebuild [--python VERSION|PATH]`: which venv, onto which interpreter, with what. */
export function planRebuildFor(layout: Layout, config: Config, spec: string | undefined): RebuildPlan {
  const current = configString(config, "python.default");
  if (!current && spec === undefined) throw new PyctlError("nothing to rebuild yet", { hint: "run `pyctl init`" });
  const python = findSameOrGiven(spec ?? current);
  const { from, to } = rebuildTargets(layout, current || python.version, python);
  if (!existsSync(from.venv) && latestId(from.historyDir) === 0) {
    throw new PyctlError(`no venv for Python ${from.version} to rebuild (${from.venv})`, {
      hint: `run \`pyctl init --python ${python.version}\``,
    });
  }
  return planRebuild(from, to, python);
}
