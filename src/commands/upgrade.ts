/**
 * `pyctl upgrade [PKG...] [--dry-run] [--python X.Y]`: newer versions of the named packages
 * (default: every package you asked for), chosen by pip's resolver, installed as one transaction
 * that one `pyctl undo` reverts offline.
 */
import { applyUpgrade, planUpgrade, type UpgradePlan, type VersionChange } from "../core/operations/upgrade.ts";
import { canonicalName, compareVersions } from "../core/packages/pep440.ts";
import { assertWritable } from "../core/recording/target.ts";
import { changeLines } from "../ui/diff.ts";
import { err, out } from "../ui/output.ts";
import { reportEnding, transactionEvents } from "../ui/transaction.ts";
import type { VenvContext } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

function changeLine(c: VersionChange): string {
  return c.from === undefined
    ? `+ ${c.name} ${c.to}`
    : `${compareVersions(c.to, c.from) >= 0 ? "↑" : "↓"} ${c.name} ${c.from} → ${c.to}`;
}

/** Named packages that pip's choice leaves below the index's latest, and why. */
function heldBack(plan: UpgradePlan): string[] {
  const chosen = new Map(plan.changes.map((c) => [canonicalName(c.name), c.to]));
  return plan.outdated
    .filter((t) => chosen.get(t.key) !== t.latest)
    .map((t) => {
      const why = t.blockedBy.map((b) => `${b.from} ${b.version} requires ${b.requirement}`).join("; ");
      return `${t.name} stays below ${t.latest}${why ? `: ${why}` : ""}`;
    });
}

export async function run(args: ParsedArgs, { target, config }: VenvContext): Promise<number> {
  const dryRun = args.options.has("--dry-run");
  if (!dryRun) assertWritable(target);
  const plan = await planUpgrade(target, [...new Set(args.positionals.map(canonicalName))]);
  if (plan.outdated.length === 0) {
    const upToDate = `all ${plan.checked} packages you asked for are up to date`;
    out(plan.names.length ? `${plan.names.join(", ")}: already the latest version` : upToDate);
    return 0;
  }
  if (plan.changes.length === 0) {
    out("nothing to upgrade: pip's resolver keeps every version as it is");
    for (const line of heldBack(plan)) out(`  ${line}`);
    return 0;
  }
  out(`${dryRun ? "would upgrade" : "upgrading"} ${target.venv}:`);
  for (const c of plan.changes) out(`  ${changeLine(c)}`);
  for (const line of heldBack(plan)) out(`  (${line})`);
  if (dryRun) {
    out("dry run: nothing changed");
    return 0;
  }
  const command = ["pyctl upgrade", ...args.positionals].join(" ");
  const events = transactionEvents(target.venv, { showPip: false });
  const result = await applyUpgrade(target, config, plan, command, events);
  if (!result.error && !result.interrupted) for (const line of changeLines(result.entry.changes)) err(line);
  return reportEnding(result, { kind: "upgrade", venv: target.venv });
}
