/**
 * `pyctl upgrade [PKG...] [--dry-run] [--python X.Y]`: newer versions of the named packages
 * (default: every package you asked for), chosen by pip's resolver, installed as one transaction
 * (built in staging, checked, swapped in, recorded) that one `pyctl undo` reverts offline.
 */
import { PyctlError } from "../core/base/errors.ts";
import { canonicalName, compareVersions } from "../core/packages/pep440.ts";
import { describeConflict } from "../core/packages/pip-report.ts";
import type { OutdatedPackage } from "../core/operations/outdated.ts";
import { assertWritable, inventoryOf, type Target } from "../core/recording/target.ts";
import { runTransaction } from "../core/transaction/transaction.ts";
import {
  changesOf,
  findOutdated,
  newlyBroken,
  resolveWithPip,
  upgradeArguments,
  type VersionChange,
} from "../core/operations/upgrade.ts";
import type { Config } from "../core/base/config.ts";
import { changeLines } from "../ui/diff.ts";
import { err, notice, out } from "../ui/output.ts";
import { existingTarget, openContext } from "./common.ts";
import type { ParsedArgs } from "./spec.ts";

function changeLine(c: VersionChange): string {
  return c.from === undefined
    ? `+ ${c.name} ${c.to}`
    : `${compareVersions(c.to, c.from) >= 0 ? "↑" : "↓"} ${c.name} ${c.from} → ${c.to}`;
}

/** Named packages that pip's choice leaves below the index's latest, and why. */
function heldBack(targets: OutdatedPackage[], changes: VersionChange[]): string[] {
  const chosen = new Map(changes.map((c) => [canonicalName(c.name), c.to]));
  return targets
    .filter((t) => chosen.get(t.key) !== t.latest)
    .map((t) => {
      const why = t.blockedBy.map((b) => `${b.from} ${b.version} requires ${b.requirement}`).join("; ");
      return `${t.name} stays below ${t.latest}${why ? `: ${why}` : ""}`;
    });
}

async function commit(target: Target, config: Config, command: string, pipArgs: string[]): Promise<number> {
  const result = await runTransaction(
    target,
    config,
    {
      kind: "upgrade",
      command,
      goal: () => undefined,
      pip: ["--quiet", ...pipArgs],
      check: (staged, installed) => newlyBroken(target, installed, staged),
    },
    {
      waiting: (holder) =>
        notice(
          `waiting for ${holder ? `pid ${holder.pid} (${holder.command})` : "another pyctl"} to finish with ${target.venv}`,
        ),
      paused: (phase) => notice(`test pause at ${phase} (PYCTL_TEST_PAUSE)`),
    },
  );
  const id = result.entry.id;
  if (result.error)
    throw new PyctlError(`upgrade failed, ${target.venv} is unchanged: ${result.error.message}`, {
      hint: `recorded as #${id} in \`pyctl history\``,
    });
  if (result.interrupted) {
    notice(
      result.committed
        ? `interrupted after the switch (recorded as #${id})`
        : `interrupted: ${target.venv} is unchanged (recorded as #${id})`,
    );
    return result.exitCode;
  }
  for (const line of changeLines(result.entry.changes)) err(line);
  notice(`done; recorded as #${id} (\`pyctl undo\` reverts it)`);
  return 0;
}

export async function run(args: ParsedArgs): Promise<number> {
  const ctx = await openContext();
  const target = existingTarget(ctx, args);
  const dryRun = args.options.has("--dry-run");
  if (!dryRun) assertWritable(target);
  const named = [...new Set(args.positionals.map(canonicalName))];
  const installed = inventoryOf(target);
  const missing = named.filter((key) => !installed.some((d) => d.key === key));
  if (missing.length)
    throw new PyctlError(`not installed: ${missing.join(", ")}`, {
      hint: "`pyctl upgrade` takes installed packages; `pip install` adds new ones",
    });

  const report = await findOutdated(target, named.length ? { only: named } : {});
  if (report.packages.length === 0) {
    const names = named.map((key) => installed.find((d) => d.key === key)!.name);
    out(
      named.length
        ? `${names.join(", ")}: already the latest version`
        : `all ${report.checked} packages you asked for are up to date`,
    );
    return 0;
  }
  const pipArgs = upgradeArguments(report.graph, report.packages, named.length > 0);
  const resolution = await resolveWithPip(target, pipArgs);
  if (!resolution.ok) {
    const why = resolution.conflict ? describeConflict(resolution.conflict).join("; ") : resolution.error;
    throw new PyctlError(`cannot upgrade, nothing changed: ${why}`);
  }
  const changes = changesOf(installed, resolution.items);
  if (changes.length === 0) {
    out("nothing to upgrade: pip's resolver keeps every version as it is");
    for (const line of heldBack(report.packages, changes)) out(`  ${line}`);
    return 0;
  }
  out(`${dryRun ? "would upgrade" : "upgrading"} ${target.venv}:`);
  for (const c of changes) out(`  ${changeLine(c)}`);
  for (const line of heldBack(report.packages, changes)) out(`  (${line})`);
  if (dryRun) {
    out("dry run: nothing changed");
    return 0;
  }
  const command = ["pyctl upgrade", ...args.positionals].join(" ");
  return commit(target, ctx.config, command, pipArgs);
}
