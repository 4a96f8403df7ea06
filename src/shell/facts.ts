/**
 * What the hook needs to know about this machine, found without running any Python (this is
 * on every shell's start-up path): the default version and each version's base interpreter.
 */
import { existsSync, realpathSync } from "node:fs";
import { basename, delimiter, join } from "node:path";
import { configString, loadConfig } from "../core/base/config.ts";
import { type Layout, userHome, versionsIn } from "../core/base/paths.ts";
import { locateInterpreter, probeInterpreter, rebuildAdvice } from "../core/python/interpreter.ts";
import { readPyvenvCfg } from "../core/python/venv.ts";
import type { PythonFact } from "./hook.ts";
import { moveAdvice } from "./move-advice.ts";
import { listDir } from "../core/base/list-dir.ts";

const VERSIONED = /^python(3\.\d+)$/;

/** The version of the first python3 on PATH, from the name it links to (probing only if that fails). */
export function python3Version(): string {
  const path = locateInterpreter("python3");
  if (!path) return "";
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return "";
  }
  const named = VERSIONED.exec(basename(real));
  if (named) return named[1]!;
  try {
    return probeInterpreter(path).version;
  } catch {
    return "";
  }
}

/** The minor versions looked for: asking for each name is much cheaper than listing /usr/bin. */
const CANDIDATES = Array.from({ length: 21 }, (_, i) => `3.${i + 5}`);

/** Versions that have a pythonX.Y somewhere on PATH or under pyenv (maybe shims or venvs). */
function versionsNamed(): Set<string> {
  const dirs = [...new Set((process.env.PATH ?? "").split(delimiter).filter(Boolean))];
  const found = new Set(CANDIDATES.filter((v) => dirs.some((dir) => existsSync(join(dir, `python${v}`)))));
  for (const name of listDir(join(process.env.PYENV_ROOT || join(userHome(), ".pyenv"), "versions"))) {
    const m = /^(3\.\d+)\.\d+$/.exec(name);
    if (m) found.add(m[1]!);
  }
  return found;
}

/**
 * Each version with a base interpreter (found as pyctl finds them: never its own venvs or
 * pyenv's shims) or a venv in this tier; oldest first.
 */
export function pythonFacts(layout: Layout): PythonFact[] {
  const withVenv = new Set(versionsIn(listDir(layout.home)));
  const versions = [...new Set([...versionsNamed(), ...withVenv])].sort(
    (a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]),
  );
  return versions
    .map((version) => ({ version, path: locateInterpreter(`python${version}`) ?? "" }))
    .filter((fact) => fact.path !== "" || withVenv.has(fact.version));
}

/** config's python.default, or ""; a broken config.toml counts as absent. */
async function configuredVersion(layout: Layout): Promise<string> {
  try {
    return configString(await loadConfig(layout.configFile), "python.default");
  } catch {
    // `pyctl status` and every other command report a broken config; the hook stays quiet.
    return "";
  }
}

/** config's python.default, else the version of python3. */
export async function defaultVersionFact(layout: Layout): Promise<string> {
  return (await configuredVersion(layout)) || python3Version();
}

const minor = (version: string) => Number(version.split(".")[1] ?? 0);

/** Each venv of the tier with the base interpreter its pyvenv.cfg names. */
function venvBases(layout: Layout): { version: string; base: string }[] {
  return versionsIn(listDir(layout.home)).flatMap((version) => {
    const cfg = readPyvenvCfg(layout.venvDir(version));
    if (!cfg?.home) return [];
    return [{ version, base: cfg.executable || join(cfg.home, `python${version}`) }];
  });
}

export interface ShellFacts {
  defaultVersion: string;
  pythons: PythonFact[];
  /** The line the hook shows at shell start (at most once a day), or "". */
  notice: string;
  /** Folders whose change can change these facts, beyond PATH and the tier's home. */
  baseDirs: string[];
}

/**
 * What the hook needs, and the one-line notice of a Python upgrade: python3 moved to a newer
 * minor version than the venv pyctl uses, or a venv's base interpreter is gone.
 */
export async function shellFacts(layout: Layout): Promise<ShellFacts> {
  const configured = await configuredVersion(layout);
  const python3 = python3Version();
  const bases = venvBases(layout);
  const baseDirs = [...new Set(bases.map((b) => b.base.slice(0, b.base.lastIndexOf("/")) || "/"))];
  let notice = "";
  if (configured && python3 && minor(python3) > minor(configured)) {
    notice = `pyctl: python3 is now Python ${python3}, but your packages are in pyctl's Python ${configured} venv: ${await moveAdvice(layout, configured, python3)}`;
  } else {
    const gone = bases.find((b) => !existsSync(b.base));
    if (gone) {
      // Only the default venv moves to another version, and only to one with no venv yet.
      const canMoveTo = (to: string) =>
        gone.version === configured && !existsSync(join(layout.versionDir(to), "venv", "pyvenv.cfg"));
      notice = `pyctl: Python ${gone.version} (${gone.base}), the base of your pyctl ${gone.version} venv, is gone: ${rebuildAdvice(gone.version, gone.base, canMoveTo)}`;
    }
  }
  return { defaultVersion: configured || python3, pythons: pythonFacts(layout), notice, baseDirs };
}
