/** `pyctl delete-snapshot NAME`: remove snapshots/NAME.txt (store versions only it kept go at the next prune). */
import { deleteSnapshot, validateSnapshotName } from "../core/recording/snapshots.ts";
import { announce, notice } from "../ui/output.ts";
import type { Context } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(args: ParsedArgs, { layout }: Context): Promise<number> {
  const name = validateSnapshotName(args.positionals[0]!);
  deleteSnapshot(layout.snapshotsDir, name);
  announce(`deleted snapshot ${name}`);
  if (/^baseline(-py\d+)?$/.test(name))
    notice(`\`pyctl clean --keep-baseline\` needs it: \`pyctl snapshot ${name}\` takes a new one`);
  return 0;
}
