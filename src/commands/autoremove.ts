/** `pyctl autoremove [--dry-run] [--python X.Y]`: uninstall what nothing you asked for needs (undoable). */
import { applyAutoremove, planAutoremove } from "../core/operations/autoremove.ts";
import { assertWritable } from "../core/recording/target.ts";
import { out } from "../ui/output.ts";
import { reportEnding, transactionEvents } from "../ui/transaction.ts";
import type { VenvContext } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(args: ParsedArgs, { target, config }: VenvContext): Promise<number> {
  const planned = planAutoremove(target);
  if (planned.length === 0) {
    out("nothing to remove: every dependency is needed by a package you asked for");
    return 0;
  }
  const dryRun = args.options.has("--dry-run");
  out(`${dryRun ? "would remove" : "removing"} ${planned.length} package(s) nothing you asked for needs:`);
  for (const { dist, requiredBy } of planned) {
    const by = requiredBy.map((e) => e.from);
    out(`  ${dist.name} ${dist.version}${by.length ? ` (needed only by ${by.join(", ")})` : ""}`);
  }
  if (dryRun) return 0;
  assertWritable(target);
  const title = `autoremove in ${target.venv}`;
  const result = await applyAutoremove(target, config, transactionEvents(target.venv, { planTitle: () => title }));
  return reportEnding(result, { kind: "autoremove", venv: target.venv });
}
