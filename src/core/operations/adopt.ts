/**
 * `pyctl adopt`: what `pip install --user` (or another venv, or `pip install --target`) left,
 * moved into a pyctl venv offline, as one recorded transaction, end to end, under the lock:
 *   1. the adopted distributions go in the store (adopt-store.ts) and what leaves the source is
 *      copied aside for undo (recording/adopted.ts), both before the commit, so a full disk fails
 *      the transaction and leaves the venv and the source as they were;
 *   2. the goal is the installed set plus them; staging links them in; the swap commits;
 *   3. still inside the operation, the copy is named by the history id and the source's files go
 *      (journaled: a kill is completed by the next recorded operation).
 * planAdoptions (adopt-plan.ts) is the read-only plan of the command, runAdopt its apply.
 */
import { lstatSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../base/config.ts";
import type { Dist } from "../packages/inventory.ts";
import { dropKept, keepForUndo, takeAwayKept, type Pause } from "../recording/adopted.ts";
import { goalFromDists, currentLine, parseWanted, type Goal } from "../transaction/plan.ts";
import { runTransaction, type TransactionEvents, type TransactionResult } from "../transaction/transaction.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import { leaving, type AdoptPlan } from "./adopt-plan.ts";
import { storeCandidate } from "./adopt-store.ts";

export { adoptableDists, leaving, planAdoptions, unmetNeeds, type AdoptPlan } from "./adopt-plan.ts";
export { rewriteScript } from "./adopt-store.ts";

/** The installed set plus the adopted distributions, their REQUESTED markers as they were. */
function adoptGoal(installed: Dist[], plan: AdoptPlan): Goal {
  const goal = goalFromDists(installed, plan.target.version);
  const asked = new Set(plan.same.filter((c) => c.dist.requested).map((c) => c.dist.key));
  for (const w of goal.wanted) if (asked.has(w.key)) w.requested = true;
  for (const c of plan.move) goal.wanted.push({ ...parseWanted(currentLine(c.dist)), requested: c.dist.requested });
  return goal;
}

/** The source files that leave: every file of what leaves, but none a staying distribution owns. */
function leavingFiles(plan: AdoptPlan): string[] {
  const staying = new Set(plan.stay.flatMap((c) => c.owned));
  return [...new Set(leaving(plan).flatMap((c) => c.owned))].filter(
    (f) => !staying.has(f) && lstatSync(f, { throwIfNoEntry: false }),
  );
}

/** Folders removal never takes away, even empty: the prefix's bin/, a venv's site-packages. */
function stops(plan: AdoptPlan): string[] {
  const { source } = plan;
  return [join(source.root, "bin"), ...(source.kind === "user-site" ? [] : [source.site])];
}

/** PYCTL_TEST_PAUSE inside the removal (or the undo's put-back): wait for a signal, up to 60 s. */
export function pauser(guard: SignalGuard, events: TransactionEvents): Pause {
  return async (phase) => {
    events.paused?.(phase);
    for (const end = Date.now() + 60_000; !guard.interrupted && Date.now() < end; ) await Bun.sleep(20);
  };
}

export interface AdoptResult extends TransactionResult {
  /** Files taken away from the source (0 with keep). */
  removed: number;
}

/** Move the plan's distributions into the venv and, unless `keep`, out of the source: one recorded transaction. */
export async function runAdopt(
  plan: AdoptPlan,
  config: Config,
  command: string,
  keep: boolean,
  events: TransactionEvents = {},
): Promise<AdoptResult> {
  const { target } = plan;
  let kept: string | undefined;
  let removed = 0;
  const result = await runTransaction(
    target,
    config,
    {
      kind: "adopt",
      command,
      beforeStaging: () => {
        for (const c of plan.move) storeCandidate(target, c);
        const files = keep ? [] : leavingFiles(plan);
        if (files.length) kept = keepForUndo(target, plan.source.root, files, stops(plan));
      },
      goal: (installed) => adoptGoal(installed, plan),
      afterCommit: async (guard, id) => {
        if (kept) removed = await takeAwayKept(target, kept, id, pauser(guard, events));
      },
      abandon: () => {
        if (kept) dropKept(kept);
      },
    },
    events,
  );
  return { ...result, removed };
}
