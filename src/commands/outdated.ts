/**
 * `pyctl outdated [--all] [--json] [--python X.Y]`: the packages you asked for (every package
 * with --all) that have a newer version on the index pip is configured to use, and whether that
 * version fits what the other installed packages require.
 */
import { findOutdated } from "../core/operations/upgrade.ts";
import type { OutdatedPackage } from "../core/operations/outdated.ts";
import { colors, out, printJson, stripAnsi, table } from "../ui/output.ts";
import type { VenvContext } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

function fits(p: OutdatedPackage): string {
  if (p.blockedBy.length === 0) return "yes";
  return `no: ${p.blockedBy.map((b) => `${b.from} ${b.version} requires ${b.requirement}`).join("; ")}`;
}

export async function run(args: ParsedArgs, { target }: VenvContext): Promise<number> {
  const all = args.options.has("--all");
  const report = await findOutdated(target, { all });
  if (args.options.has("--json")) {
    printJson(
      report.packages.map((p) => ({
        name: p.name,
        installed: p.installed,
        latest: p.latest,
        type: p.explicit ? "explicit" : "dependency",
        fits: p.blockedBy.length === 0,
        blocked_by: p.blockedBy,
      })),
    );
    return 0;
  }
  const what = all ? "packages" : "packages you asked for";
  if (report.packages.length === 0) {
    out(`all ${report.checked} ${what} are up to date`);
    return 0;
  }
  const c = colors();
  const rows = report.packages.map((p) => [
    p.name,
    p.installed,
    "→",
    c.green(p.latest),
    ...(all ? [p.explicit ? "explicit" : "dependency"] : []),
    fits(p),
  ]);
  const header = ["Package", "Installed", "", "Latest", ...(all ? ["Type"] : []), "Fits the other packages"];
  for (const line of table([header, ...rows], (s) => stripAnsi(s).length)) out(line);
  out("");
  const blocked = report.packages.filter((p) => p.blockedBy.length).length;
  out(
    `${report.packages.length} of ${report.checked} ${what} have newer versions${blocked ? ` (${blocked} held back by other packages' requirements)` : ""}; \`pyctl upgrade\` takes them`,
  );
  return 0;
}
