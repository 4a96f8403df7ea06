/**
 * `pyctl doctor [--fix] [--json]`: check the venvs, their interpreters, history, locks, store,
 * snapshots, config and the shell set-up; with --fix, repair what can be repaired safely
 * (recorded where the venv changes) and say what could not be.
 */
import { configString } from "../core/base/config.ts";
import type { Check, Repair } from "../core/doctor/check.ts";
import { runChecks } from "../core/doctor/doctor.ts";
import { applyRepair, assertMayRepair, repairAll, type RepairOutcome } from "../core/operations/doctor-repair.ts";
import { repairRcBlock, shellChecks, type ShellRepair } from "../shell/doctor-checks.ts";
import { colors, out, printJson } from "../ui/output.ts";
import { transactionEvents } from "../ui/transaction.ts";
import type { Context } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

type AnyCheck = Check<Repair | ShellRepair>;

function allChecks(ctx: Context): AnyCheck[] {
  const more = shellChecks(ctx.layout, configString(ctx.config, "python.default"));
  return runChecks({ layout: ctx.layout, configError: ctx.configError, more });
}

function repair(ctx: Context): (repair: Repair | ShellRepair) => Promise<string> | string {
  // Repairs act on several venvs, so a wait names the tier they are in.
  const events = transactionEvents(ctx.layout.home, { showPip: false });
  return (r) => (r.kind === "rc-block" ? repairRcBlock(r) : applyRepair(r, { ...ctx, events }));
}

function printCheck(check: AnyCheck, fixing: boolean): void {
  const c = colors();
  out(`${check.ok ? c.green("ok     ") : c.red("problem")}  ${check.id}: ${check.message}`);
  if (!check.ok && check.fix)
    out(`         fix: ${check.fix}${check.repair && !fixing ? " (`pyctl doctor --fix` does this)" : ""}`);
}

export async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const { layout } = ctx;
  const fixing = args.options.has("--fix");
  if (fixing) assertMayRepair(layout);
  let checks = allChecks(ctx);
  let fixed: RepairOutcome[] = [];
  let failed: RepairOutcome[] = [];
  if (fixing) {
    ({ fixed, failed } = await repairAll(checks, repair(ctx)));
    // What is shown and what the exit code says come from a fresh check, never from the repairs' own word.
    if (fixed.length || failed.length) checks = allChecks(ctx);
  }
  const problems = checks.filter((c) => !c.ok);
  const healthy = problems.length === 0 && failed.length === 0;
  if (args.options.has("--json")) {
    const shown = checks.map(({ repair, ...rest }) => ({ ...rest, fixable: repair !== undefined }));
    printJson({
      tier: layout.tier,
      home: layout.home,
      ok: healthy,
      checks: shown,
      ...(fixing ? { fixed, not_fixed: failed } : {}),
    });
    return healthy ? 0 : 1;
  }
  out(`pyctl doctor: ${layout.tier} tier at ${layout.home}`);
  for (const f of fixed) out(`fixed    ${f.id}: ${f.message}`);
  for (const f of failed) out(`not fixed ${f.id}: ${f.message}`);
  for (const check of checks) printCheck(check, fixing);
  const fixable = problems.filter((p) => p.repair).length;
  if (healthy) out("no problems found");
  else if (problems.length === 0) out(`${failed.length} repair(s) failed (see not fixed: above)`);
  else
    out(
      `${problems.length} problem(s)${!fixing && fixable ? `; \`pyctl doctor --fix\` can repair ${fixable}` : fixing ? " left: they need you (see fix: above)" : ""}`,
    );
  return healthy ? 0 : 1;
}
