/**
 * `pyctl rebuild [--python VERSION|PATH] [--dry-run] [--allow-missing]`: after a Python upgrade or
 * the removal of a venv's base interpreter, build the venv anew for the given (or a same-version)
 * interpreter as one transaction. Either way the goal is every package of the old venv: the same
 * version gets them back offline from the store; a new version takes the pure-Python ones from the
 * store and the rest from the index. Nothing is swapped in that lacks one, unless --allow-missing,
 * which names each.
 */
import { planRebuildFor, rebuild, type RebuildPlan } from "../core/operations/rebuild.ts";
import { notice, out } from "../ui/output.ts";
import { interruptedNotice, transactionEvents } from "../ui/transaction.ts";
import type { Context } from "./context.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

function describePlan(plan: RebuildPlan): string[] {
  const old = plan.from.env.cfg();
  const state = !plan.from.env.exists()
    ? "missing"
    : plan.oldWorks
      ? `Python ${old?.version}, working`
      : `Python ${old?.version}, its python does not run`;
  const lines = [
    `rebuild ${plan.from.venv} (${state})`,
    `   into ${plan.to.venv} with Python ${plan.python.fullVersion} (${plan.python.path})`,
  ];
  if (!plan.moving) {
    const count = plan.goal?.wanted.length ?? 0;
    lines.push(`every package of the old venv, ${count} in all, from the local package store`);
    if (plan.notStored.length)
      lines.push(`not in the local package store, to download with pip: ${plan.notStored.join(", ")}`);
    return lines;
  }
  lines.push(
    `take ${plan.carried.length} pure-Python package(s) from the Python ${plan.from.version} store: ${plan.carried.map((c) => `${c.name}==${c.version}`).join(", ") || "none"}`,
  );
  const asked = plan.packages.filter((p) => p.explicit);
  const others = plan.packages.filter((p) => !p.explicit);
  lines.push(
    `install ${asked.length} package(s) you asked for: ${asked.map((p) => p.pinned.join(" ")).join(", ") || "none"}`,
  );
  if (others.length)
    lines.push(
      `install ${others.length} more package(s) of the old venv that cannot be carried: ${others.map((p) => p.pinned.join(" ")).join(", ")}`,
    );
  const carried = new Set(plan.carried.map((c) => c.key));
  const indexOnly = plan.packages.filter((p) => !carried.has(p.key));
  if (indexOnly.length) {
    lines.push(
      `from the index only, so missing if it has no version for Python ${plan.to.version}: ${indexOnly.map((p) => p.pinned.join(" ")).join(", ")} (then nothing changes, unless --allow-missing)`,
    );
  }
  for (const s of plan.skipped) lines.push(`cannot reinstall ${s.name}: ${s.reason}`);
  if (plan.ownedByVenv.length)
    lines.push(
      `not carried, the new venv has its own (as Python ${plan.to.version}'s venv makes it): ${plan.ownedByVenv.join(", ")}`,
    );
  return lines;
}

export async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const plan = planRebuildFor(ctx.layout, ctx.config, stringOption(args, "--python"));
  const { from, to, python } = plan;
  for (const line of describePlan(plan)) out(line);
  if (args.options.has("--dry-run")) return 0;

  const allowMissing = args.options.has("--allow-missing");
  const result = await rebuild(plan, ctx.config, ctx.layout.configFile, transactionEvents(to.venv), { allowMissing });
  for (const r of result.reinstalled)
    out(`reinstalled ${r.args.join(" ")}${r.pinned ? "" : " (its old version is not on the index any more)"}`);
  if (result.interrupted) {
    const words = {
      kind: "rebuild",
      venv: to.venv,
      unchanged: `${from.venv} is unchanged`,
      switched: `${to.venv} is rebuilt`,
    };
    interruptedNotice(result.switched, words, result.entryId);
    return 130;
  }
  out(`rebuilt ${to.venv} for Python ${python.fullVersion}; recorded as #${result.entryId}`);
  if (result.missing.length) notice(`--allow-missing: the rebuilt venv lacks ${result.missing.join(", ")}`);
  if (result.defaultMoved) out(`default Python is now ${to.version}`);
  if (result.oldRemoved) out(`removed the old venv ${from.venv} (its base interpreter is gone); its history stays`);
  return 0;
}
