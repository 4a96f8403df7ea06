/**
 * Making a venv (the Venv in venv.ts is what one is once made). A fresh venv costs ~0.1 s instead
 * of ~6 s: the first venv made by an interpreter is made by `python -m venv` (ensurepip, offline)
 * and its pip is kept as a seed; later venvs of that interpreter are made `--without-pip` and get
 * the seed hardlinked in.
 */
import { existsSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { runChild } from "./child.ts";
import { toolPipEnv } from "./pip.ts";
import { readPyvenvCfg } from "./venv.ts";
import { sweepStaleTemps, tempSibling, writeFileAtomic } from "../base/atomic.ts";
import { PyctlError } from "../base/errors.ts";
import { usableCacheDir } from "../base/cache-dir.ts";
import { linkTree, relocateVenvText, walkFiles } from "../base/fstree.ts";
import type { Interpreter } from "./interpreter.ts";
import { rehashVenvScripts } from "./record.ts";

function run(command: string[], what: string): void {
  const result = runChild(command, { env: toolPipEnv() });
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
  const temp = tempSibling(seed);
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
 * The name the venv at `venv` was made with for this same interpreter (/usr/bin/python3 for
 * /usr/bin/python3.11): a venv made there again links bin/python* and writes pyvenv.cfg the same
 * way (clean + undo is byte for byte). Else the interpreter's own path.
 */
function pathUsedBefore(python: Interpreter, venv: string): string {
  const cfg = readPyvenvCfg(venv);
  const command = cfg && /^command = (\S+) -m venv /m.exec(readFileSync(join(venv, "pyvenv.cfg"), "utf8"))?.[1];
  let link: string | undefined;
  try {
    link = readlinkSync(join(venv, "bin", "python3"));
  } catch {
    /* no venv there yet */
  }
  for (const used of [command, link]) {
    try {
      if (used?.startsWith("/") && realpathSync(used) === realpathSync(python.path)) return used;
    } catch {
      /* that interpreter name is gone */
    }
  }
  return python.path;
}

/** A seeded venv has pip: its pyvenv.cfg's `command` says what a venv made with pip says (clean + undo is byte for byte). */
function saySeededWithPip(venv: string): void {
  const cfg = join(venv, "pyvenv.cfg");
  const text = readFileSync(cfg, "utf8");
  const withPip = text.replace(/^(command = .* -m venv) --without-pip /m, "$1 ");
  if (withPip !== text) writeFileAtomic(cfg, withPip, statSync(cfg).mode & 0o7777);
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
  const exe = pathUsedBefore(python, finalPath);
  try {
    if (seed && existsSync(join(seed, "origin"))) {
      run([exe, "-m", "venv", "--without-pip", ...prompt, dest], `creating a venv with ${exe}`);
      linkTree(join(seed, "root"), dest);
      saySeededWithPip(dest);
      relocateVenvText(dest, readFileSync(join(seed, "origin"), "utf8"), dest);
    } else {
      run([exe, "-m", "venv", ...prompt, dest], `creating a venv with ${exe}`);
      if (seed) captureSeed(dest, seed, python.version);
    }
    relocateVenvText(dest, dest, finalPath);
    // pip's RECORD must name the scripts as they now are (their shebang changed).
    rehashVenvScripts(dest, join(dest, "lib", `python${python.version}`, "site-packages"));
  } catch (err) {
    rmSync(dest, { recursive: true, force: true });
    throw err;
  }
}
