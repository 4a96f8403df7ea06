/**
 * `pyctl hook bash|zsh|fish`: the shell functions that route pip and python, ready to eval.
 * Runs at every shell start, so it loads only paths, config (Bun's TOML) and the templates.
 */
import { UsageError } from "../core/errors.ts";
import { Layout } from "../core/paths.ts";
import { defaultVersionFact, pythonFacts } from "../shell/facts.ts";
import { isShell, renderHook, SHELLS } from "../shell/hook.ts";
import { pyctlPath } from "../shell/self.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(args: ParsedArgs): Promise<number> {
  const shell = args.positionals[0];
  if (!isShell(shell)) throw new UsageError(`unknown shell "${shell}": pyctl hook takes ${SHELLS.join(", ")}`);
  const layout = new Layout();
  const facts = { pyctl: pyctlPath(), defaultVersion: await defaultVersionFact(layout), pythons: pythonFacts(layout) };
  process.stdout.write(renderHook(shell, facts));
  return 0;
}
