/** `pyctl list [--json] [--python X.Y]`: every package, whether the user asked for it, and when it came. */
import { statSync } from "node:fs";
import { explicitMarks } from "../core/recording/graph.ts";
import { localDate } from "../ui/dates.ts";
import { out, printJson, table } from "../ui/output.ts";
import type { VenvContext } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

function installedAt(metadataPath: string): string | null {
  try {
    return statSync(metadataPath).mtime.toISOString();
  } catch {
    return null;
  }
}

export async function run(args: ParsedArgs, { target }: VenvContext): Promise<number> {
  const rows = explicitMarks(target).map(({ dist, explicit }) => ({
    name: dist.name,
    version: dist.version,
    type: explicit ? ("explicit" as const) : ("dependency" as const),
    installed: installedAt(dist.metadataPath),
  }));
  if (args.options.has("--json")) {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    out(`no packages in ${target.venv}`);
    return 0;
  }
  const header = ["Package", "Version", "Type", "Installed"];
  const body = rows.map((r) => [r.name, r.version, r.type, localDate(r.installed)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  for (const line of table([header, widths.map((w) => "-".repeat(w)), ...body])) out(line);
  const explicit = rows.filter((r) => r.type === "explicit").length;
  out("");
  out(`${rows.length} package(s): ${explicit} explicit, ${rows.length - explicit} dependencies`);
  return 0;
}
