/**
 * `pyctl autoremove [--dry-run] [--python X.Y]`: uninstall the dependencies nothing you asked
 * for needs any more (transitively, cycles included). Recorded, so `pyctl undo` brings them back.
 */
import { orphans, type Node } from "../core/packages/dependencies.ts";
import { graphOf } from "../core/recording/explicit.ts";
import { recordOperation } from "../core/recording/recorder.ts";
import { runPip } from "../core/recording/pip-runner.ts";
import { pruneUnneeded } from "../core/recording/retention.ts";
import { assertWritable } from "../core/recording/target.ts";
import { changeLines } from "../ui/diff.ts";
import { err, notice, out } from "../ui/output.ts";
import { existingTarget, openContext } from "./common.ts";
import type { ParsedArgs } from "./spec.ts";

function describe(node: Node): string {
  const by = node.requiredBy.map((e) => e.from);
  return `  ${node.dist.name} ${node.dist.version}${by.length ? ` (needed only by ${by.join(", ")})` : ""}`;
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
  const names = planned.map((n) => n.dist.name);
  const op = { kind: "autoremove" as const, command: "pyctl autoremove", pipArgs: ["uninstall", "-y", ...names] };
  const result = await recordOperation(
    target,
    ctx.config,
    op,
    (guard) => {
      // Decided again under the lock: another shell may have changed the venv since the plan.
      const still = orphans(graphOf(target)).map((n) => n.dist.name);
      if (still.length === 0) return Promise.resolve({ exitCode: 0, interrupted: false });
      return runPip(target, ["uninstall", "-q", "-y", ...still], process.env, guard);
    },
    { waiting: (holder) => notice(`waiting for ${holder ? `pid ${holder.pid} (${holder.command})` : "another pyctl"} to finish with ${target.venv}`) },
    pruneUnneeded,
  );
  for (const line of changeLines(result.entry.changes)) err(line);
  if (result.exitCode !== 0) {
    notice(`pip uninstall failed (exit ${result.exitCode}); recorded as #${result.entry.id}`);
    return result.exitCode;
  }
  out(`recorded as #${result.entry.id}; \`pyctl undo\` brings them back`);
  return 0;
}
