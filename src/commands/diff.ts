/**
 * `pyctl diff [N] [--python X.Y] [--json]`: what operation N (default: the last) changed.
 * `pyctl diff A B` (or `A` alone when it is a point, not a number): how point B (default: now)
 * differs from point A; points are #ID, @DATE, now or a snapshot name (core/operations/points.ts).
 */
import { PyctlError } from "../core/base/errors.ts";
import { redactUrls } from "../core/base/redact.ts";
import { comparePackages } from "../core/operations/compare.ts";
import { resolvePoint } from "../core/operations/points.ts";
import { latestId, readItem } from "../core/recording/history.ts";
import { inventoryOf } from "../core/recording/target.ts";
import { changeLines, comparisonLines } from "../ui/diff.ts";
import { out, printJson } from "../ui/output.ts";
import type { VenvContext } from "./context.ts";
import { missingText, statusOf } from "./history.ts";
import { positiveInteger } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

/** A bare number names an operation (`pyctl diff 3 7`): bash and fish read `#3` as a comment. */
const asPoint = (arg: string) => (/^\d+$/.test(arg) ? `#${arg}` : arg);

async function comparePoints(ctx: VenvContext, args: ParsedArgs, a: string, b: string): Promise<number> {
  const { target } = ctx;
  const installed = () => inventoryOf(target);
  const from = resolvePoint(target, ctx.layout.snapshotsDir, asPoint(a), installed);
  const to = resolvePoint(target, ctx.layout.snapshotsDir, asPoint(b), installed);
  const c = comparePackages(from.packages, to.packages);
  if (args.options.has("--json")) {
    const marks = c.marks.map((m) => ({ name: m.name, explicit: m.explicit }));
    printJson({ from: from.label, to: to.label, ...c, marks });
    return 0;
  }
  out(`${from.label} → ${to.label}`);
  const lines = comparisonLines(c);
  for (const line of lines.length ? lines : ["no change"]) out(line);
  return 0;
}

export async function run(args: ParsedArgs, ctx: VenvContext): Promise<number> {
  const [first, second] = args.positionals;
  if (second !== undefined || (first !== undefined && !/^\d+$/.test(first)))
    return comparePoints(ctx, args, first!, second ?? "now");
  const { target } = ctx;
  const id = first === undefined ? latestId(target.historyDir) : positiveInteger(first, "the operation number");
  if (id === 0) throw new PyctlError("no operations recorded yet");
  const item = readItem(target.historyDir, id);
  if (!item.before && !item.after) throw new PyctlError(`no operation #${id}`, { hint: "`pyctl history` lists them" });
  if (item.corrupt.length) throw new PyctlError(`operation #${id} is unreadable: ${item.corrupt.join(", ")}`);
  const status = statusOf(item);
  const command = redactUrls((item.after ?? item.before)!.command);
  if (args.options.has("--json")) {
    const missing = item.after ? (item.after.missing ?? []) : null;
    printJson({
      id,
      command,
      status,
      exit_code: item.after?.exit_code ?? null,
      changes: item.after?.changes ?? null,
      missing,
    });
    return 0;
  }
  out(`#${id}  ${command}  (${status}${item.after ? `, exit ${item.after.exit_code}` : ""})`);
  if (!item.after) {
    const ended = item.unrecorded;
    out(
      ended
        ? `it ran (exit ${ended.exit_code}${ended.interrupted ? ", interrupted" : ""}) but its after-state could not be written (a full disk?): \`pyctl doctor --fix\` records it`
        : "no after-state was recorded: the operation crashed or is still running",
    );
    return 0;
  }
  const lines = changeLines(item.after.changes);
  for (const line of lines.length ? lines : ["no change"]) out(line);
  if (item.after.missing?.length) out(`missing (left out with --allow-missing): ${missingText(item.after.missing)}`);
  return 0;
}
