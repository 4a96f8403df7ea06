/** `pyctl diff [N] [--python X.Y] [--json]`: what operation N (default: the last) changed. */
import { latestId, readItem } from "../core/recording/history.ts";
import { PyctlError } from "../core/base/errors.ts";
import { redactUrls } from "../core/base/redact.ts";
import { changeLines } from "../ui/diff.ts";
import { out, printJson } from "../ui/output.ts";
import type { VenvContext } from "./context.ts";
import { missingText, statusOf } from "./history.ts";
import { positiveInteger } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(args: ParsedArgs, { target }: VenvContext): Promise<number> {
  const raw = args.positionals[0];
  const id =
    raw === undefined ? latestId(target.historyDir) : positiveInteger(raw.replace(/^#/, ""), "the operation number");
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
    out("no after-state was recorded: the operation crashed or is still running");
    return 0;
  }
  const lines = changeLines(item.after.changes);
  for (const line of lines.length ? lines : ["no change"]) out(line);
  if (item.after.missing?.length) out(`missing (left out with --allow-missing): ${missingText(item.after.missing)}`);
  return 0;
}
