/**
 * The printed hook, cached: it runs at every shell start, and finding the machine's Pythons
 * (stat-ing every pythonX.Y on PATH and under pyenv) costs more than all the rest of pyctl's
 * start-up. The key covers everything the output depends on: the environment that names
 * paths, pyctl's own binary, and the modification times of the folders where a new Python, a
 * new venv or a changed config would appear. Any change makes a new key; nothing goes stale.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { writeFileAtomic } from "../core/base/atomic.ts";
import { userHome, type Layout } from "../core/base/paths.ts";

const ENV = ["PATH", "HOME", "PYCTL_HOME", "PYCTL_SYSTEM_HOME", "PYCTL_TIER", "PYENV_ROOT"];

function mtime(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(userHome(), ".cache"), "pyctl");
}

export function hookCacheFile(shell: string, layout: Layout): string {
  const dirs = [
    process.execPath,
    layout.home,
    layout.configFile,
    join(process.env.PYENV_ROOT || join(userHome(), ".pyenv"), "versions"),
    ...(process.env.PATH ?? "").split(delimiter).filter(Boolean),
  ];
  const key = [shell, layout.tier, process.argv0, process.geteuid?.(), ...ENV.map((name) => process.env[name] ?? ""), ...dirs.map(mtime)];
  const hash = Bun.hash(JSON.stringify(key)).toString(16);
  return join(cacheDir(), `hook-${hash}.${shell}`);
}

export function readCachedHook(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Keep only the newest rendering per shell; a cache that cannot be written only costs time. */
export function cacheHook(file: string, shell: string, text: string): void {
  try {
    mkdirSync(cacheDir(), { recursive: true });
    for (const name of readdirSync(cacheDir())) {
      if (name.startsWith("hook-") && name.endsWith(`.${shell}`)) rmSync(join(cacheDir(), name), { force: true });
    }
    writeFileAtomic(file, text);
  } catch {
    // read-only or full cache folder: render every time
  }
}
