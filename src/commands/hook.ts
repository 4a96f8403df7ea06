/**
 * `pyctl hook bash|zsh|fish`: the shell functions that route pip and python, ready to eval. Also
 * (re)writes the rendered copy the rc block of `pyctl setup-shell` sources (shell/hook-cache.ts):
 * a shell start runs this only when that copy finds itself stale.
 */
import { UsageError } from "../core/errors.ts";
import { Layout } from "../core/paths.ts";
import { shellFacts } from "../shell/facts.ts";
import { writeCachedHook } from "../shell/hook-cache.ts";
import { renderHook, type HookFacts } from "../shell/hook.ts";
import { pyctlPath } from "../shell/self.ts";
import { isShell, SHELLS } from "../shell/shells.ts";
import type { ParsedArgs } from "./spec.ts";
import { writeAll } from "../ui/output.ts";

export async function run(args: ParsedArgs): Promise<number> {
  const shell = args.positionals[0];
  if (!isShell(shell)) throw new UsageError(`unknown shell "${shell}": pyctl hook takes ${SHELLS.join(", ")}`);
  const started = Date.now();
  const layout = new Layout();
  const found = await shellFacts(layout);
  const facts: HookFacts = { pyctl: pyctlPath(), defaultVersion: found.defaultVersion, pythons: found.pythons, notice: found.notice };
  writeAll(1, renderHook(shell, facts));
  writeCachedHook(shell, layout, facts, found.baseDirs, started);
  return 0;
}
