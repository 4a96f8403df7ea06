/**
 * `pyctl apply` from a FILE to an outcome: the venv (created on first use, except for --check),
 * the plan, and the transaction when something changes. Every failure is an ApplyError with its
 * stable code (apply-errors.ts); the venv is then as it was.
 */
import type { Config } from "../base/config.ts";
import type { LockHolder } from "../base/lock.ts";
import type { Layout } from "../base/paths.ts";
import { markerEnvironment, type MarkerEnvironment } from "../packages/requirements.ts";
import { assertWritable, prepareTarget, resolveVersion, targetFor, type Target } from "../recording/target.ts";
import type { TransactionEvents, TransactionResult } from "../transaction/transaction.ts";
import { ApplyError, classify } from "./apply-errors.ts";
import type { ApplyChanges } from "./apply-set.ts";
import { readApplySource, type ApplySource } from "./apply-source.ts";
import { isNoChange, planApply, runApply } from "./apply.ts";
import { environmentOf } from "./requirements-goal.ts";

export interface ApplyRequest {
  path: string;
  prune: boolean;
  check: boolean;
  python?: string;
}

export interface ApplyOutcome {
  venv: string;
  /** The venv was made by this apply (its first use). */
  created: boolean;
  changes: ApplyChanges;
  changed: boolean;
  /** The history entry of the transaction, when one ran. */
  recorded?: number;
}

function rethrow(err: unknown, fallback: ApplyError["code"] = "failed"): never {
  if (err instanceof ApplyError) throw err;
  const { code, message } = classify(err);
  const hint = err instanceof Error && "hint" in err ? (err.hint as string | undefined) : undefined;
  throw new ApplyError(code === "failed" ? fallback : code, message, { hint });
}

async function targetOf(
  layout: Layout,
  config: Config,
  request: ApplyRequest,
  waiting: (holder: LockHolder | undefined) => void,
): Promise<{ target: Target; created: boolean }> {
  const version = resolveVersion(config, request.python);
  const target = targetFor(layout, version);
  if (!request.check && !target.env.exists()) {
    // A file apply would refuse is refused before the venv is made (its markers read for X.Y.0).
    (await readSource(request.path, markerEnvironment(`${version}.0`))).dispose();
  }
  if (!request.check) return prepareTarget(layout, config, version, waiting);
  if (!target.env.exists())
    throw new ApplyError("no-venv", `no venv for Python ${version} yet (${target.venv}); apply would create it`);
  return { target, created: false };
}

async function readSource(path: string, env: MarkerEnvironment): Promise<ApplySource> {
  try {
    return await readApplySource(path, env);
  } catch (err) {
    rethrow(err, "file-invalid");
  }
}

export async function applyFile(
  layout: Layout,
  config: Config,
  request: ApplyRequest,
  events: TransactionEvents & { created?(venv: string): void },
): Promise<ApplyOutcome> {
  let source: ApplySource | undefined;
  try {
    const waiting = (holder: LockHolder | undefined) => events.waiting?.(holder);
    const { target, created } = await targetOf(layout, config, request, waiting);
    if (created) events.created?.(target.venv);
    if (!request.check) assertWritable(target);
    source = await readSource(request.path, environmentOf(target));
    // Planned outside the lock: if another pyctl changed the venv meanwhile, plan again on what it left.
    for (let attempt = 1; ; attempt++) {
      const plan = await planApply(target, source, request.prune);
      const outcome = { venv: target.venv, created, changes: plan.changes, changed: !isNoChange(plan) || created };
      if (request.check || isNoChange(plan)) return outcome;
      const result = await runApply(plan, config, events);
      const stale = result.error instanceof ApplyError && result.error.code === "venv-changed";
      if (stale && attempt < REPLANS) continue;
      return finish(target, outcome, result);
    }
  } catch (err) {
    return rethrow(err);
  } finally {
    source?.dispose();
  }
}

/** How many times apply plans again when the venv changed between its plan and its lock. */
const REPLANS = 3;

function finish(target: Target, outcome: ApplyOutcome, result: TransactionResult): ApplyOutcome {
  if (result.error) {
    const { code } = classify(result.error);
    throw new ApplyError(code, `apply failed, ${target.venv} is unchanged: ${result.error.message}`, {
      hint: `recorded as #${result.entry.id} in \`pyctl history\``,
    });
  }
  if (result.interrupted)
    throw new ApplyError(
      "interrupted",
      `interrupted: ${target.venv} is ${result.committed ? "in its new state" : "unchanged"}`,
      {
        exitCode: result.exitCode,
      },
    );
  return { ...outcome, recorded: result.entry.id };
}
