/**
 * `pyctl bisect [--good POINT] [--bad POINT] [--timeout S] [--json] -- COMMAND…`: the first
 * operation after which COMMAND fails, found in scratch venvs; the live venv and history stay as they are.
 */
import { UsageError } from "../core/base/errors.ts";
import { redactUrls } from "../core/base/redact.ts";
import { bisect, type BisectResult } from "../core/operations/bisect.ts";
import { comparisonLines } from "../ui/diff.ts";
import { out, printJson } from "../ui/output.ts";
import { waitingNotice } from "../ui/waiting.ts";
import type { VenvContext } from "./context.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

function timeoutOf(args: ParsedArgs): number | undefined {
  const raw = stringOption(args, "--timeout");
  if (raw === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0)
    throw new UsageError(`bisect: --timeout takes a number of seconds > 0, not "${raw}"`);
  return Number(raw);
}

function report(result: BisectResult): void {
  if (result.inconclusive) {
    out(`no operation to blame: ${result.inconclusive}`);
    return;
  }
  const c = result.culprit!;
  out(`first bad: #${c.id} (${c.timestamp.slice(0, 19).replace("T", " ")}): ${redactUrls(c.command)}`);
  for (const line of comparisonLines(c.changes)) out(`  ${line}`);
}

export async function run(args: ParsedArgs, ctx: VenvContext): Promise<number> {
  const { target } = ctx;
  const json = args.options.has("--json");
  const result = await bisect(
    target,
    {
      good: stringOption(args, "--good"),
      bad: stringOption(args, "--bad"),
      timeout: timeoutOf(args),
      command: args.positionals,
      snapshotsDir: ctx.layout.snapshotsDir,
    },
    {
      waiting: waitingNotice(target.venv),
      step: (s) => {
        if (!json) out(`${s.label.padEnd(12)} ${s.passed ? "good" : "bad "}  ${s.detail}  (${s.seconds.toFixed(1)} s)`);
      },
    },
  );
  if (json) printJson({ ...result, culprit: result.culprit ?? null, inconclusive: result.inconclusive ?? null });
  else report(result);
  return result.culprit ? 0 : 1;
}
