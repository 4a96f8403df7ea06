/**
 * `pyctl autoremove [--dry-run] [--python X.Y]`: uninstall the dependencies nothing you asked
 * for needs any more (transitively, cycles included), as one transaction: removed in a staging
 * venv, checked, swapped in. A killed autoremove leaves the venv as it was or as it will be,
 * never half-removed. Recorded, so `pyctl undo` brings them back.
 */
import { orphans, type Node } from "../core/packages/dependencies.ts";
import type { Dist } from "../core/packages/inventory.ts";
import { graphOf } from "../core/recording/explicit.ts";
import { assertWritable, type Target } from "../core/recording/target.ts";
import { goalKeeping, type Goal } from "../core/transaction/plan.ts";
import { out } from "../ui/output.ts";
import { existingTarget, openContext } from "./common.ts";
import { transact } from "./run-transaction.ts";
import type { ParsedArgs } from "./spec.ts";

function describe(node: Node): string {
  const by = node.requiredBy.map((e) => e.from);
  return `  ${node.dist.name} ${node.dist.version}${by.length ? ` (needed only by ${by.join(", ")})` : ""}`;
}

/** Everything installed but the orphans, explicit marks as they are. Decided under the lock, on what is there then. */
function withoutOrphans(target: Target, installed: Dist[]): Goal {
  const gone = new Set(orphans(graphOf(target, installed)).map((n) => n.dist.key));
  return goalKeeping(
    installed.filter((d) => !gone.has(d.key)),
    target.version,
  );
}

export async function run(args: ParsedArgs): Promise<number> {
  const ctx = await openContext();
  const target = existingTarget(ctx, args);
  const planned = orphans(graphOf(target));
  if (planned.length === 0) {
    out("nothing to remove: every dependency is needed by a package you asked for");
    return 0;
  }
  const dryRun = args.options.has("--dry-run");
  out(`${dryRun ? "would remove" : "removing"} ${planned.length} package(s) nothing you asked for needs:`);
  for (const node of planned) out(describe(node));
  if (dryRun) return 0;

  assertWritable(target);
  return transact(target, ctx.config, `autoremove in ${target.venv}`, {
    kind: "autoremove",
    command: "pyctl autoremove",
    goal: (installed) => withoutOrphans(target, installed),
  });
}
