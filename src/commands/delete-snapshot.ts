/** `pyctl delete-snapshot NAME`: remove snapshots/NAME.txt (store versions only it kept go at the next prune). */
import { deleteSnapshot, validateSnapshotName } from "../core/recording/snapshots.ts";
import { notice, out } from "../ui/output.ts";
import { openContext } from "./common.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(args: ParsedArgs): Promise<number> {
  const { layout } = await openContext();
  const name = validateSnapshotName(args.positionals[0]!);
  deleteSnapshot(layout.snapshotsDir, name);
  out(`pyctl: deleted snapshot ${name}`);
  if (/^baseline(-py\d+)?$/.test(name))
    notice(`\`pyctl clean --keep-baseline\` needs it: \`pyctl snapshot ${name}\` takes a new one`);
  return 0;
}
