/**
 * Subsystem base: what every other part of core stands on. It owns every derived path (this
 * file), typed errors (errors.ts), atomic file writes (atomic.ts), the atomic venv swap
 * (swap.ts), the per-venv flock (lock.ts), hardlink trees (fstree.ts) and config.toml
 * (config.ts). It imports nothing else of pyctl.
 *
 * Every path pyctl touches, resolved in one place so that tests (and users) can relocate all of it.
 *
 *   PYCTL_HOME         the user tier's root (default ~/.local/python-packages); absolute or ~/…
 *   PYCTL_SYSTEM_HOME  the system tier's root (default /opt/system-python); absolute
 *   PYCTL_TIER         user | system: which tier this process acts on (default: system for root
 *                      once the system tier is set up, user otherwise)
 *   XDG_CACHE_HOME     where fresh-venv seeds are cached (default ~/.cache)
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { tempSibling } from "./atomic.ts";
import { UsageError } from "./errors.ts";

export type Tier = "user" | "system";

export const DEFAULT_SYSTEM_HOME = "/opt/system-python";
/** The user tier's default root, relative to HOME (the hooks get both defaults rendered in). */
export const DEFAULT_USER_HOME = ".local/python-packages";

export function userHome(): string {
  return process.env.HOME || homedir();
}

/**
 * A home folder from the environment: `~/…` is expanded; anything else relative is refused,
 * since it would name a different home in every folder the user runs pip from.
 */
function homeFromEnv(variable: "PYCTL_HOME" | "PYCTL_SYSTEM_HOME"): string | undefined {
  const value = process.env[variable];
  if (!value) return undefined;
  if (value === "~" || value.startsWith("~/")) return join(userHome(), value.slice(1));
  if (!isAbsolute(value)) {
    throw new UsageError(`${variable} must be an absolute path (or ~/…), not "${value}"`);
  }
  return value;
}

/** ~/.cache/pyctl (XDG_CACHE_HOME/pyctl): seeds and crash reports. A relative XDG_CACHE_HOME is ignored, as XDG says. */
export function userCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(userHome(), ".cache"), "pyctl");
}

/**
 * Where the rendered hooks live: `${XDG_CACHE_HOME:-$HOME/.cache}/pyctl`, spelled as the rc
 * block's shell code spells it (so a relative XDG_CACHE_HOME is taken as given, like the shell).
 */
export function hookCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(userHome(), ".cache"), "pyctl");
}

/** Where fish's hook functions are kept, one folder per rendering (shell/hook-cache.ts). */
export function fishFunctionsDir(): string {
  return join(hookCacheDir(), "fish-functions");
}

/** The last answer kept beside a scan cache (`files-cache.json` -> `files-cache.result.json`). */
export function resultCacheOf(cacheFile: string): string {
  return cacheFile.replace(/(\.json)?$/, ".result.json");
}

export function userTierHome(): string {
  return homeFromEnv("PYCTL_HOME") || join(userHome(), DEFAULT_USER_HOME);
}

export function systemTierHome(): string {
  return homeFromEnv("PYCTL_SYSTEM_HOME") || DEFAULT_SYSTEM_HOME;
}

export function isRoot(): boolean {
  return process.geteuid?.() === 0;
}

/** The system tier counts as set up once its config file exists (written by `pyctl init` as root). */
export function systemTierIsSetUp(): boolean {
  return existsSync(join(systemTierHome(), "config.toml"));
}

export function currentTier(): Tier {
  const forced = process.env.PYCTL_TIER;
  if (forced) {
    if (forced === "user" || forced === "system") return forced;
    throw new UsageError(`PYCTL_TIER must be "user" or "system", not "${forced}"`);
  }
  return isRoot() && systemTierIsSetUp() ? "system" : "user";
}

/** "3.11" -> "py311": the folder name of one Python version's venv, history and store. */
export function versionKey(version: string): string {
  return `py${version.replace(".", "")}`;
}

/** A venv and the folders that stand beside it while it is swapped. */
export interface SwapPaths {
  venv: string;
  /** Where the new venv is built. */
  staging: string;
  /** Witness of the two-rename fallback: the old venv, between the renames. */
  retired: string;
  /** Replaced venvs are renamed to this plus a pid, then deleted in the background. */
  trashPrefix: string;
}

export class Layout {
  readonly tier: Tier;
  readonly home: string;

  constructor(tier: Tier = currentTier(), home?: string) {
    this.tier = tier;
    this.home = home ?? (tier === "system" ? systemTierHome() : userTierHome());
  }

  get configFile(): string {
    return join(this.home, "config.toml");
  }
  get snapshotsDir(): string {
    return join(this.home, "snapshots");
  }
  versionDir(version: string): string {
    return join(this.home, versionKey(version));
  }
  venvDir(version: string): string {
    return join(this.versionDir(version), "venv");
  }
  historyDir(version: string): string {
    return join(this.versionDir(version), "history");
  }
  storeDir(version: string): string {
    return join(this.versionDir(version), "store");
  }
  lockFile(version: string): string {
    return join(this.versionDir(version), "lock");
  }
  /** Where a transaction (undo, restore, clean) builds the venv it will swap in. */
  stagingDir(version: string): string {
    return join(this.versionDir(version), "venv.staging");
  }
  /** What `pyctl adopt` took away from its source, kept (hardlinks) per history id for undo. */
  adoptedDir(version: string): string {
    return join(this.versionDir(version), "adopted");
  }
  /** The last scan of the venv's files for unowned ones (a cache: safe to delete); its result beside it (resultCacheOf). */
  filesCache(version: string): string {
    return join(this.versionDir(version), "files-cache.json");
  }
  /** The last inventory scan (a cache: safe to delete). */
  inventoryCache(version: string): string {
    return join(this.versionDir(version), "inventory-cache.json");
  }
  /** The venv's state as the last recorded operation left it, with the stamps it rests on (a cache: safe to delete). */
  stateCache(version: string): string {
    return join(this.versionDir(version), "state-cache.json");
  }
  /** What pruning needs from each history entry (a cache: safe to delete). */
  historyIndex(version: string): string {
    return join(this.versionDir(version), "history-index.json");
  }

  /** The venv's supported wheel tags, per interpreter (packages/wheel-tags.ts; a cache). */
  wheelTagsCache(version: string): string {
    return join(this.versionDir(version), "wheel-tags.json");
  }
  /** When the daily "newer versions" notice last got its answer (operations/update-stamp.ts). */
  updatesStamp(version: string): string {
    return join(this.versionDir(version), "updates-checked");
  }
  /** Where a first venv is created before it is renamed into place (this process's, by tempSibling). */
  creationTemp(version: string): string {
    return tempSibling(`${this.venvDir(version)}.new`);
  }

  /** The folders a venv swap (base/swap.ts) moves between. */
  swapPaths(version: string): SwapPaths {
    const venv = this.venvDir(version);
    const staging = this.stagingDir(version);
    return { venv, staging, retired: `${staging}.old`, trashPrefix: `${venv}.trash.` };
  }

  /** Fresh-venv seeds: shared by every venv of the same interpreter, so kept outside the tier. */
  get seedsDir(): string {
    if (this.tier === "system") return join(this.home, ".seeds");
    return join(userCacheDir(), "seeds");
  }
}

/** Versions that have a venv folder under this tier, e.g. ["3.11", "3.12"], oldest first. */
export function versionsIn(entries: string[]): string[] {
  return entries
    .map((name) => /^py(\d)(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}.${m[2]}`)
    .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
}
