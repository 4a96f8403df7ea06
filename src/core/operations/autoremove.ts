/**
 * `pyctl autoremove`: uninstall the dependencies nothing you asked for needs any more
 * (transitively, cycles included), as one transaction: removed in a staging venv, checked,
 * swapped in. A killed autoremove leaves the venv as it was or as it will be, never half-removed.
 */
import type { Config } from "../base/config.ts";
import { orphans, type Node } from "../packages/dependencies.ts";
import type { Dist } from "../packages/inventory.ts";
import { graphOf } from "../recording/graph.ts";
import type { Target } from "../recording/target.ts";
import { goalKeeping, type Goal } from "../transaction/plan.ts";
import { runTransaction, type TransactionEvents, type TransactionResult } from "../transaction/transaction.ts";

/** What would go now: each orphan with what alone still requires it. */
export function planAutoremove(target: Target): Node[] {
  return orphans(graphOf(target));
}

/** Everything installed but the orphans, explicit marks as they are. Decided under the lock, on what is there then. */
function withoutOrphans(target: Target, installed: Dist[]): Goal {
  const gone = new Set(orphans(graphOf(target, installed)).map((n) => n.dist.key));
  return goalKeeping(
    installed.filter((d) => !gone.has(d.key)),
    target.version,
  );
}

export function applyAutoremove(target: Target, config: Config, events: TransactionEvents): Promise<TransactionResult> {
  const goal = (installed: Dist[]) => withoutOrphans(target, installed);
  return runTransaction(target, config, { kind: "autoremove", command: "pyctl autoremove", goal }, events);
}
