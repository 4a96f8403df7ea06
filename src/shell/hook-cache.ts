/**
 * The rendered hook the rc block sources (`~/.cache/pyctl/hook.SHELL`), so a shell start runs no
 * pyctl. The file checks itself with shell builtins (hooks/cached.sh): the environment that
 * names paths, and that no folder where a new Python, venv, config or pyctl would show up is
 * newer than the file. Its mtime is set to a second before rendering began, so a change made
 * while rendering is seen too. It keeps the facts for the last few PATHs it was rendered for
 * (a login shell and the shells started from it see different PATHs), and a line of JSON at its
 * end that says what it checks, so the next rendering can tell which of them still hold.
 *
 * fish's file names a folder `fish-functions/HASH` beside it, one file per function (see hook.ts),
 * and checks it like the other watched folders: a missing folder is a stale hook. HASH is of the
 * files' text, so a pyctl upgrade that changes them gets a new folder, and a shell started before
 * the upgrade keeps loading the functions it was started with; such folders go after 30 days unused.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../core/base/atomic.ts";
import {
  fishFunctionsDir,
  hookCacheDir,
  systemTierHome,
  userHome,
  userTierHome,
  type Layout,
} from "../core/base/paths.ts";
import { fishFunctionFiles, renderCachedHook, type CacheChecks, type HookFacts } from "./hook.ts";
import type { Shell } from "./shells.ts";

const MAX_PATHS = 4;
const STATE_PREFIX = "# pyctl-cache: ";
const UNUSED_MS = 30 * 24 * 3600 * 1000;

export const cacheDir = hookCacheDir;

export function cachedHookFile(shell: Shell): string {
  return join(cacheDir(), `hook.${shell}`);
}

/** The same string hooks/cached.sh builds from the shell's variables. */
function envKey(): string {
  const names = ["HOME", "PYCTL_HOME", "PYCTL_SYSTEM_HOME", "PYCTL_TIER", "PYENV_ROOT"];
  return [...names.map((name) => process.env[name] ?? ""), String(process.geteuid?.() ?? "")].join("|");
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function mtimeMs(path: string): number | undefined {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs;
}

/** Folders (and files) whose change can change the facts for these PATHs. */
function watched(layout: Layout, pyctl: string, paths: string[], extra: string[]): string[] {
  const ours = [userTierHome(), systemTierHome()].map((h) => `${resolve(h)}/`);
  // A venv's bin on PATH changes with every pip install, and never holds a base interpreter.
  const fromPath = paths
    .flatMap((p) => p.split(delimiter))
    .filter((d) => d && !ours.some((h) => `${resolve(d)}/`.startsWith(h)));
  const list = [
    pyctl,
    dirname(pyctl),
    process.execPath,
    layout.home,
    layout.configFile,
    join(process.env.PYENV_ROOT || join(userHome(), ".pyenv"), "versions"),
    ...(process.geteuid?.() === 0 ? [systemTierHome()] : []),
    ...fromPath,
    ...extra,
  ];
  return [...new Set(list)];
}

interface State {
  env: string;
  newer: string[];
  absent: string[];
  entries: CacheChecks["entries"];
}

/**
 * PATH as the hook leaves it (the venv's bin first, pyctl's folder once), as hooks/pyctl.sh's
 * _pyctl_set_path makes it: a shell that sources the hook again (`source ~/.bashrc`) then
 * finds its PATH in the table too.
 */
export function pathAfterHook(path: string, venvBin: string, pyctlDir: string): string {
  const dirs = [venvBin, ...path.split(":").filter((d) => d !== venvBin)];
  const first = dirs.indexOf(pyctlDir);
  return dirs.filter((d, i) => d !== pyctlDir || i === first).join(":");
}

/** The entries of the current file that still hold: same environment, nothing newer, nothing new. */
function stillValid(file: string): State["entries"] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const line = text.split("\n").find((l) => l.startsWith(STATE_PREFIX));
  const own = mtimeMs(file);
  if (!line || own === undefined) return [];
  try {
    const state = JSON.parse(line.slice(STATE_PREFIX.length)) as State;
    if (state.env !== envKey()) return [];
    if (state.newer.some((p) => (mtimeMs(p) ?? Infinity) > own) || state.absent.some((p) => existsSync(p))) return [];
    return state.entries;
  } catch {
    return [];
  }
}

/** The facts the cached hook holds for the current PATH, when it is fresh. */
export function cachedFacts(shell: Shell): HookFacts | undefined {
  const path = process.env.PATH ?? "";
  return stillValid(cachedHookFile(shell)).find((e) => e.path === path)?.facts;
}

/**
 * The folder fish autoloads the hook's functions from: written whole (a temp folder renamed into
 * place) when it is missing, a file put back when one was changed or removed; dated `stamp` like
 * the hook file; folders of other renderings left unused for 30 days removed.
 */
function writeFishFunctions(stamp: number): string {
  const files = fishFunctionFiles();
  const parent = fishFunctionsDir();
  const dir = join(parent, Bun.hash(files.map((f) => `${f.name}\0${f.text}`).join("\0")).toString(16));
  mkdirSync(parent, { recursive: true });
  if (!existsSync(dir)) {
    const temp = mkdtempSync(join(parent, ".new-"));
    for (const { name, text } of files) writeFileSync(join(temp, name), text);
    try {
      renameSync(temp, dir);
    } catch {
      // another shell put the same folder in place first
      rmSync(temp, { recursive: true, force: true });
    }
  }
  for (const { name, text } of files) if (readText(join(dir, name)) !== text) writeFileAtomic(join(dir, name), text);
  utimesSync(dir, stamp, stamp);
  for (const name of readdirSync(parent)) {
    const other = join(parent, name);
    if (other !== dir && (mtimeMs(other) ?? Infinity) < Date.now() - UNUSED_MS)
      rmSync(other, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Writes the cached hook for this shell with `facts` for the current PATH; `startedMs` is when
 * gathering the facts began. A cache that cannot be written only costs time: never throws.
 */
export function writeCachedHook(
  shell: Shell,
  layout: Layout,
  facts: HookFacts,
  baseDirs: string[],
  startedMs: number,
): void {
  const file = cachedHookFile(shell);
  try {
    const path = process.env.PATH ?? "";
    const kept = stillValid(file).filter((e) => e.path !== path);
    const hooked = facts.defaultVersion
      ? pathAfterHook(path, join(layout.venvDir(facts.defaultVersion), "bin"), dirname(facts.pyctl))
      : path;
    const entries = [{ path, hooked, facts }, ...kept].slice(0, MAX_PATHS);
    const stamp = Math.floor(startedMs / 1000) - 1;
    mkdirSync(cacheDir(), { recursive: true });
    const functionsDir = shell === "fish" ? writeFishFunctions(stamp) : undefined;
    const all = watched(
      layout,
      facts.pyctl,
      entries.map((e) => e.path),
      functionsDir ? [...baseDirs, functionsDir] : baseDirs,
    );
    const state: State = {
      env: envKey(),
      newer: all.filter((p) => existsSync(p)),
      absent: all.filter((p) => !existsSync(p)),
      entries,
    };
    const text = `${renderCachedHook(shell, { ...state, self: file, functionsDir })}${STATE_PREFIX}${JSON.stringify(state)}\n`;
    for (const name of readdirSync(cacheDir())) {
      // renderings of pyctl 0.1, keyed by a hash
      if (name.startsWith("hook-") && name.endsWith(`.${shell}`)) rmSync(join(cacheDir(), name), { force: true });
    }
    writeFileAtomic(file, text);
    utimesSync(file, stamp, stamp);
  } catch {
    // read-only or full cache folder: the rc block falls back to `pyctl hook`
  }
}
