/**
 * Subsystem transaction: the one engine that changes a venv. It owns what a caller asks for
 * (spec.ts), the goal and the plan (plan.ts), the build that runs the steps below (build.ts,
 * build-steps.ts), the staging venv (staging.ts), where each wanted version comes from
 * (sources.ts, carry.ts) and the pip step (pip-step.ts); the swap is base/swap.ts. What a user
 * action asks of it (undo, restore, clean, autoremove, upgrade, adopt, rebuild, doctor's
 * repairs) is decided in core/operations/, one module each. Every transaction:
 *
 *   1. plans the minimal change from the installed set to the goal (plan.ts);
 *   2. builds the new venv in pyXY/venv.staging: a hardlink clone of the live venv (or a fresh
 *      venv, for clean and rebuild), minus the removed dists, plus the wanted versions linked
 *      from the store;
 *   3. installs what the store lacks with pip, in the staging venv only; then the spec's own
 *      changes (`prepare`: relink bin/python, ensurepip, carry dists from another version), then
 *      the pip step if it has one: `pip install ARGS` with pip's resolver (pip-step.ts);
 *   4. checks the staging venv holds exactly the goal (or passes the spec's own check); what
 *      it lacks is named, and accepted only with allowMissing;
 *   5. swaps it with the live venv in one renameat2 (swap.ts), then deletes the old tree (or,
 *      with no live venv, renames it into place).
 * A failure or a signal before step 5 deletes the staging venv and leaves the live one as it
 * was; SIGKILL leaves at most a staging folder, which the next recorded operation removes
 * (recordOperation calls recoverTransaction under the lock).
 *
 * PYCTL_TEST_PAUSE=<phase> (tests only) makes the transaction wait up to 60 s at that phase, so a
 * test can signal it there deterministically; phases: staged, applied (store step done), fetched
 * (pip, prepare and the pip step done), verified, exchanged.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../base/config.ts";
import { PyctlError } from "../base/errors.ts";
import { findInterpreter, type Interpreter } from "../python/interpreter.ts";
import { readPyvenvCfg } from "../python/venv.ts";
import { recordOperation } from "../recording/recorder.ts";
import { pruneUnneeded } from "../recording/retention.ts";
import { inventoryOf, interpreterFor, type Target } from "../recording/target.ts";
import { unownedOf } from "../recording/unowned.ts";
import { Build } from "./build.ts";
import { planChange, type Goal, type Plan, type Wanted } from "./plan.ts";
import { fileChanges, notStored, relaxBuilds, sourcesOf } from "./sources.ts";
import { Interrupted, type TransactionEvents, type TransactionResult, type TransactionSpec } from "./spec.ts";

export { MISSING, type Phase, type TransactionEvents, type TransactionResult, type TransactionSpec } from "./spec.ts";

/** The plan and what pip would have to download, without changing anything (--dry-run). */
export function previewTransaction(target: Target, goal: Goal): { plan: Plan; fetch: Wanted[] } {
  const installed = inventoryOf(target);
  const relaxed = relaxBuilds(target, goal, installed);
  const plan = planChange(installed, goal);
  if (relaxed.length) plan.otherBuild = relaxed;
  plan.files = fileChanges(target, unownedOf(target, installed), goal.unowned);
  return { plan, fetch: notStored(sourcesOf(target, plan)) };
}

/** The interpreter the venv was made from (pyvenv.cfg), else the configured one for its version. */
export function baseInterpreterOf(target: Target, config: Config): Interpreter {
  const cfg = readPyvenvCfg(target.venv);
  const candidates = [cfg?.executable, cfg?.home ? join(cfg.home, `python${target.version}`) : undefined];
  const path = candidates.find((p): p is string => !!p && existsSync(p));
  if (path) {
    try {
      const found = findInterpreter(path);
      if (found.version === target.version) return found;
    } catch {
      /* fall back to the configured interpreter */
    }
  }
  return interpreterFor(config, target.version);
}

/**
 * Run a transaction as one recorded operation. A failure is returned (and recorded with exit
 * code 1), not thrown, so the caller can say what happened and that the venv is unchanged.
 */
export async function runTransaction(
  target: Target,
  config: Config,
  spec: TransactionSpec,
  events: TransactionEvents = {},
): Promise<TransactionResult> {
  let error: PyctlError | undefined;
  let committed = false;
  let missing: string[] = [];
  const op = { kind: spec.kind, command: spec.command, pipArgs: [] };
  const result = await recordOperation(
    target,
    config,
    op,
    {
      run: async (guard, entryId) => {
        const build = new Build(target, guard, events);
        try {
          await build.run(spec);
          committed = build.committed;
          await spec.afterCommit?.(guard, entryId);
          missing = build.missing;
          return { exitCode: 0, interrupted: false, marksSettled: committed, missing };
        } catch (err) {
          committed = build.committed;
          if (!committed) {
            rmSync(build.staging.dir, { recursive: true, force: true });
            spec.abandon?.();
          }
          await Bun.sleep(0); // a Ctrl-C that killed a child (python -m venv) is noted on the next tick
          if (err instanceof Interrupted || guard.interrupted) return { exitCode: 130, interrupted: true };
          error = err instanceof PyctlError ? err : new PyctlError(err instanceof Error ? err.message : String(err));
          return { exitCode: 1, interrupted: false };
        }
      },
    },
    events,
    pruneUnneeded,
  );
  return { ...result, error, committed, missing };
}
