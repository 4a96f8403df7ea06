/**
 * `pyctl hook bash|zsh|fish`: the shell functions that route pip and python, ready to eval.
 * Runs at every shell start: it prints the cached rendering when nothing it depends on has
 * changed (shell/hook-cache.ts), and loads the templates and the search for Pythons otherwise.
 */
import { UsageError } from "../core/base/errors.ts";
import { Layout } from "../core/base/paths.ts";
import { isShell, SHELLS, type Shell } from "../shell/shells.ts";
import { cacheHook, hookCacheFile, readCachedHook } from "../shell/hook-cache.ts";
import type { ParsedArgs } from "./spec.ts";
import { writeAll } from "../ui/output.ts";

/** Loaded only on a cache miss: the templates and the search for Pythons. */
async function render(shell: Shell, layout: Layout): Promise<string> {
  const [{ defaultVersionFact, pythonFacts }, { renderHook }, { pyctlPath }] = await Promise.all([
    import("../shell/facts.ts"),
    import("../shell/hook.ts"),
    import("../shell/self.ts"),
  ]);
  return renderHook(shell, { pyctl: pyctlPath(), defaultVersion: await defaultVersionFact(layout), pythons: pythonFacts(layout) });
}

export async function run(args: ParsedArgs): Promise<number> {
  const shell = args.positionals[0];
  if (!isShell(shell)) throw new UsageError(`unknown shell "${shell}": pyctl hook takes ${SHELLS.join(", ")}`);
  const layout = new Layout();
  const cacheFile = hookCacheFile(shell, layout);
  let text = readCachedHook(cacheFile);
  if (text === undefined) {
    text = await render(shell, layout);
    cacheHook(cacheFile, shell, text);
  }
  writeAll(1, text);
  return 0;
}
