/** `pyctl history [--limit N] [--python X.Y] [--json]`: recorded operations, newest first. */
import { localDateTime } from "../ui/dates.ts";
import { redactUrls } from "../core/base/redact.ts";
import { listHistory, type HistoryItem, type MissingPackage } from "../core/recording/history.ts";
import { colors, out, printJson, stripAnsi, table } from "../ui/output.ts";
import { summarize } from "../ui/diff.ts";
import type { VenvContext } from "./context.ts";
import { positiveInteger, stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

export type ItemStatus = "ok" | "failed" | "interrupted" | "incomplete" | "unrecorded" | "corrupt";

/** incomplete: a before with no after (a crash, or still running); unrecorded: it ran, but its after-state could not be written. */
export function statusOf(item: HistoryItem): ItemStatus {
  if (item.corrupt.length) return "corrupt";
  if (!item.after) return item.unrecorded ? "unrecorded" : "incomplete";
  if (item.after.interrupted) return "interrupted";
  return item.after.exit_code === 0 ? "ok" : "failed";
}

/** What --allow-missing left out, as `name version` items ("" when nothing was). */
export function missingText(missing: MissingPackage[] | undefined): string {
  return (missing ?? []).map((m) => (m.version ? `${m.name} ${m.version}` : m.name)).join(", ");
}

function itemJson(item: HistoryItem) {
  const entry = item.after ?? item.before;
  return {
    id: item.id,
    timestamp: item.before?.timestamp ?? entry?.timestamp ?? null,
    kind: entry?.kind ?? null,
    command: entry ? redactUrls(entry.command) : null, // entries written before redaction existed
    status: statusOf(item),
    exit_code: item.after?.exit_code ?? item.unrecorded?.exit_code ?? null,
    changes: item.after?.changes ?? null,
    missing: item.after ? (item.after.missing ?? []) : null,
  };
}

export async function run(args: ParsedArgs, { target }: VenvContext): Promise<number> {
  const limitRaw = stringOption(args, "--limit");
  const limit = limitRaw === undefined ? Infinity : positiveInteger(limitRaw, "--limit");
  const items = listHistory(target.historyDir, limit);
  if (args.options.has("--json")) {
    printJson(items.map(itemJson));
    return 0;
  }
  if (items.length === 0) {
    out(`no operations recorded for ${target.venv} yet`);
    return 0;
  }
  const c = colors();
  const paint = {
    ok: c.green,
    failed: c.red,
    interrupted: c.yellow,
    incomplete: c.yellow,
    unrecorded: c.yellow,
    corrupt: c.red,
  };
  const rows = items.map((item) => {
    const json = itemJson(item);
    const when = localDateTime(json.timestamp);
    const ended = item.unrecorded
      ? `exit ${item.unrecorded.exit_code}${item.unrecorded.interrupted ? ", interrupted" : ""}`
      : "";
    const exit = item.after ? `exit ${item.after.exit_code}` : ended;
    const missing = item.after?.missing?.length ? `, ${item.after.missing.length} missing` : "";
    const changes = item.after ? summarize(item.after.changes) + missing : "";
    return [`#${item.id}`, when, json.command ?? "(unreadable)", changes, paint[json.status](json.status), exit];
  });
  for (const line of table(rows, (s) => stripAnsi(s).length)) out(line);
  return 0;
}
