/**
 * `pyctl apply FILE [--prune] [--check] [--diff] [--json] [--detailed-exitcodes] [--python X.Y]`:
 * make the venv hold what a requirements file or a PEP 751 lock names (core/operations/apply*.ts).
 * This file reads the options and says what happened: lines, a before/after diff, or the JSON
 * envelope; exit 0/1 (0/2/1 with --detailed-exitcodes: nothing to change / changed / error).
 */
import { PyctlError } from "../core/base/errors.ts";
import { ApplyError, classify } from "../core/operations/apply-errors.ts";
import { applyFile } from "../core/operations/apply-file.ts";
import { envelope, printOutcome } from "../ui/apply.ts";
import { notice, printJson } from "../ui/output.ts";
import { pausedNotice, waitingNotice } from "../ui/waiting.ts";
import type { Context } from "./context.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const json = args.options.has("--json");
  const check = args.options.has("--check");
  const diff = args.options.has("--diff");
  const detailed = args.options.has("--detailed-exitcodes");
  const path = args.positionals[0]!;
  try {
    const request = { path, prune: args.options.has("--prune"), check, python: stringOption(args, "--python") };
    const outcome = await applyFile(ctx.layout, ctx.config, request, {
      waiting: waitingNotice("the venv"),
      created: (venv) => notice(`created ${venv}`),
      fetching: (lines) => notice(`not in the local package store, so pip downloads: ${lines.join(", ")}`),
      pipping: (pipArgs) => notice(`pip install ${pipArgs.join(" ")}`),
      paused: pausedNotice,
    });
    if (json) printJson(envelope(check, diff, outcome));
    else printOutcome(path, outcome, check, diff);
    return detailed && outcome.changed ? 2 : 0;
  } catch (err) {
    const error = classify(err);
    if (json) {
      printJson(envelope(check, diff, undefined, error));
      return err instanceof PyctlError && err.exitCode === 130 ? 130 : 1;
    }
    // --detailed-exitcodes keeps 2 for "changed": a usage error exits 1 like every other failure.
    if (detailed && err instanceof PyctlError && err.exitCode === 2) throw new ApplyError("usage", err.message);
    if (err instanceof PyctlError)
      throw new PyctlError(`${err.message} [${error.code}]`, { exitCode: err.exitCode, hint: err.hint });
    throw err;
  }
}
