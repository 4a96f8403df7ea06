/** `pyctl snapshot NAME [--force] [--python X.Y]`: save the current package set as snapshots/NAME.txt. */
import { checkSnapshotName, takeSnapshot } from "../core/operations/snapshot.ts";
import { announce } from "../ui/output.ts";
import { waitingNotice } from "../ui/waiting.ts";
import type { VenvContext } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";
import { counted } from "../ui/plural.ts";

export async function run(args: ParsedArgs, { target }: VenvContext): Promise<number> {
  const name = args.positionals[0]!;
  checkSnapshotName(target, name, args.options.has("--force"));
  const taken = await takeSnapshot(target, name, waitingNotice(target.venv));
  announce(`saved snapshot ${name}: ${counted(taken.packages, "package")}, Python ${taken.python} (${taken.path})`);
  return 0;
}
