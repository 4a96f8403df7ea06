/**
 * `pyctl explain-missing [--python X.Y]` (hidden): for the shell functions, when a venv's python
 * does not start. Prints the one `pyctl:` line naming the missing base interpreter and the
 * `pyctl rebuild --python …` that helps, and exits 1; exits 0 silently when the venv can run.
 */
import { assertRunnable, resolveVersion, targetFor } from "../core/recording/target.ts";
import type { Context } from "./context.ts";
import { configString } from "../core/base/config.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const version = resolveVersion(ctx.config, stringOption(args, "--python"));
  assertRunnable(targetFor(ctx.layout, version), configString(ctx.config, "python.default"));
  return 0;
}
