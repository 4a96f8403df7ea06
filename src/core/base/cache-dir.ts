/**
 * pyctl's cache folder (~/.cache/pyctl) holds only what can be made again (venv seeds, rendered
 * hooks, crash reports). One that is not the user's (a `sudo` left ~/.cache root's) must not stop
 * anything: pyctl then runs without it, and the command line says so once (cacheSkipped).
 */
import { accessSync, constants, mkdirSync } from "node:fs";

let skipped: string | undefined;

/** Whether `dir` (inside the cache) can be written: made if missing; the first that cannot is remembered. */
export function usableCacheDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    skipped ??= dir;
    return false;
  }
}

/** The cache folder this process could not write, if any. */
export function cacheSkipped(): string | undefined {
  return skipped;
}
