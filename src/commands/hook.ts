/**
 * `pyctl hook bash|zsh|fish`: the shell functions that route pip and python, ready to eval. Also
 * (re)writes the rendered copy the rc block of `pyctl setup-shell` sources (shell/hook-cache.ts):
 * a shell start runs this only when that copy finds itself stale, and then this renders anew.
 */
import { UsageError } from "../core/base/errors.ts";
import { Layout } from "../core/base/paths.ts";
import { cachedFacts, writeCachedHook } from "../shell/hook-cache.ts";
import { renderHook, type HookFacts } from "../shell/hook.ts";
import { pyctlPath } from "../shell/self.ts";
import { isShell, SHELLS } from "../shell/shells.ts";
import type { ParsedArgs } from "./spec.ts";
import { writeAll } from "../ui/output.ts";

export async function run(args: ParsedArgs): Promise<number> {
  const shell = args.positionals[0];
  if (!isShell(shell)) throw new UsageError(`unknown shell "${shell}": pyctl hook takes ${SHELLS.join(", ")}`);
  const started = Date.now();
  const pyctl = pyctlPath();
  // Typed by hand in an rc file, this runs at every shell start: a fresh rendered copy saves
  // the search for Pythons (and loading the config).
  const cached = cachedFacts(shell);
  if (cached?.pyctl === pyctl) {
    writeAll(1, renderHook(shell, cached));
    return 0;
  }
  const layout = new Layout();
  const { shellFacts } = await import("../shell/facts.ts");
  const found = await shellFacts(layout);
  const facts: HookFacts = {
    pyctl,
    defaultVersion: found.defaultVersion,
    pythons: found.pythons,
    notice: found.notice,
  };
  writeAll(1, renderHook(shell, facts));
  writeCachedHook(shell, layout, facts, found.baseDirs, started);
  return 0;
}
