/** `pyctl list-snapshots [--json]`: name, date, Python version and package count of each snapshot. */
import { localDateTime } from "../ui/dates.ts";
import { listSnapshotNames, readSnapshot, snapshotPath } from "../core/recording/snapshots.ts";
import { out, printJson, table } from "../ui/output.ts";
import type { Context } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";
import { counted } from "../ui/plural.ts";

interface Row {
  name: string;
  date: string | null;
  python: string | null;
  packages: number | null;
  path: string;
  error?: string;
}

export async function run(args: ParsedArgs, { layout }: Context): Promise<number> {
  const rows: Row[] = listSnapshotNames(layout.snapshotsDir).map((name) => {
    try {
      const s = readSnapshot(layout.snapshotsDir, name);
      return { name, date: s.date || null, python: s.python || null, packages: s.lines.length, path: s.path };
    } catch (error) {
      return {
        name,
        date: null,
        python: null,
        packages: null,
        path: snapshotPath(layout.snapshotsDir, name),
        error: (error as Error).message,
      };
    }
  });
  if (args.options.has("--json")) {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    out(`no snapshots yet in ${layout.snapshotsDir} (\`pyctl snapshot NAME\` takes one)`);
    return 0;
  }
  const cells = rows.map((r) =>
    r.error
      ? [r.name, "?", "?", `unreadable: ${r.error}`]
      : [r.name, localDateTime(r.date), r.python ? `Python ${r.python}` : "?", counted(r.packages ?? 0, "package")],
  );
  for (const line of table([["NAME", "DATE", "PYTHON", "PACKAGES"], ...cells])) out(line);
  return 0;
}
