/**
 * Creating and inspecting venvs. A fresh venv costs ~0.1 s instead of ~6 s: the first venv made
 * by an interpreter is made by `python -m venv` (ensurepip, offline) and its pip is kept as a
 * seed; later venvs of that interpreter are made `--without-pip` and get the seed hardlinked in.
 */
import { existsSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { spawnSync } from "../base/spawn-sync.ts";
import { basename, join } from "node:path";
import { sweepStaleTemps, writeFileAtomic } from "../base/atomic.ts";
import { withLockFds } from "../base/lock.ts";
import { PyctlError } from "../base/errors.ts";
import { usableCacheDir } from "../base/cache-dir.ts";
import { linkTree, relocateVenvText, walkFiles } from "../base/fstree.ts";
import type { Interpreter } from "./interpreter.ts";

export interface VenvConfig {
  home: string;
  /** "3.11.2" */
  version: string;
  executable?: string;
}

export function readPyvenvCfg(venv: string): VenvConfig | undefined {
  let text: string;
  try {
    text = readFileSync(join(venv, "pyvenv.cfg"), "utf8");
  } catch {
    return undefined;
  }
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return {
    home: values.get("home") ?? "",
    version: values.get("version") ?? values.get("version_info") ?? "",
    executable: values.get("executable"),
  };
}

export function isVenv(dir: string): boolean {
  return existsSync(join(dir, "pyvenv.cfg"));
}

export function venvPython(venv: string): string {
  return join(venv, "bin", "python");
}

function run(command: string[], what: string): void {
  const result = spawnSync(command[0]!, command.slice(1), {
    encoding: "utf8",
    stdio: withLockFds(["ignore", "pipe", "pipe"]),
    env: { ...process.env, PIP_REQUIRE_VIRTUALENV: "" },
  });
  if (result.status !== 0) {
    const detail = (result.stderr || result.stdout || "").trim().split("\n").at(-1) ?? "";
    throw new PyctlError(`${what} failed${detail ? `: ${detail}` : ""}`);
  }
}

function seedKey(python: Interpreter): string {
  const real = realpathSync(python.path);
  const stamp = `${real}\0${python.fullVersion}\0${statSync(real).mtimeMs}`;
  return `${python.version}-${new Bun.CryptoHasher("sha256").update(stamp).digest("hex").slice(0, 16)}`;
}

/** A seed holds what ensurepip put in a fresh venv (site-packages and bin/pip*), plus where that venv was. */
function captureSeed(venv: string, seed: string, version: string): void {
  const temp = `${seed}.${process.pid}.tmp`;
  rmSync(temp, { recursive: true, force: true });
  const site = join("lib", `python${version}`, "site-packages");
  const bin = walkFiles(join(venv, "bin"))
    .filter((f) => /^(pip|easy_install|wheel)/.test(f))
    .map((f) => `bin/${f}`);
  const files = [...walkFiles(join(venv, site)).map((f) => `${site}/${f}`), ...bin];
  linkTree(venv, join(temp, "root"), files);
  writeFileAtomic(join(temp, "origin"), venv);
  try {
    renameSync(temp, seed);
  } catch {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * Make a venv at `dest` with pip. `finalPath` is where it will live if `dest` is a staging
 * folder that is later swapped into place: scripts and activate files already name finalPath.
 * On failure nothing is left at `dest`.
 */
export function createVenv(python: Interpreter, dest: string, seedsDir: string, finalPath = dest): void {
  const seed = usableCacheDir(seedsDir) ? join(seedsDir, seedKey(python)) : undefined;
  rmSync(dest, { recursive: true, force: true });
  if (seed) sweepStaleTemps(seedsDir);
  const prompt = ["--prompt", basename(finalPath)];
  try {
    if (seed && existsSync(join(seed, "origin"))) {
      run([python.path, "-m", "venv", "--without-pip", ...prompt, dest], `creating a venv with ${python.path}`);
      linkTree(join(seed, "root"), dest);
      relocateVenvText(dest, readFileSync(join(seed, "origin"), "utf8"), dest);
    } else {
      run([python.path, "-m", "venv", ...prompt, dest], `creating a venv with ${python.path}`);
      if (seed) captureSeed(dest, seed, python.version);
    }
    relocateVenvText(dest, dest, finalPath);
  } catch (err) {
    rmSync(dest, { recursive: true, force: true });
    throw err;
  }
}

/** The base interpreter a venv was made from, as pyvenv.cfg names it (home/pythonX.Y, or executable). */
export function baseInterpreterPath(venv: string, version: string): string | undefined {
  const cfg = readPyvenvCfg(venv);
  if (!cfg) return undefined;
  if (cfg.executable) return cfg.executable;
  return cfg.home ? join(cfg.home, `python${version}`) : undefined;
}

export type VenvHealth = { ok: true } | { ok: false; missingBase: string } | { ok: false; brokenPython: string };

/**
 * Whether the venv's python can start as far as files go (nothing is run): its base interpreter
 * is there, and so is bin/python. A venv without pyvenv.cfg is not judged here.
 */
export function venvHealth(venv: string, version: string): VenvHealth {
  const python = venvPython(venv);
  if (existsSync(python)) return { ok: true };
  const base = baseInterpreterPath(venv, version);
  if (!base) return { ok: true };
  if (!existsSync(base)) return { ok: false, missingBase: base };
  return { ok: false, brokenPython: python };
}
