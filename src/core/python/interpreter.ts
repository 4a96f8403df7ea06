/**
 * Subsystem python: the base interpreters pyctl finds (this file) and the venvs it makes from
 * them (venv.ts). It knows nothing of packages or history.
 *
 * Finding base Python interpreters: on PATH (never pyctl's own venvs or pyenv's shims) or under pyenv.
 */
import { accessSync, constants, existsSync, realpathSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { runChild } from "./child.ts";
import { PyctlError, UsageError } from "../base/errors.ts";
import { systemTierHome, userHome, userTierHome } from "../base/paths.ts";
import { listDir } from "../base/list-dir.ts";

export interface Interpreter {
  path: string;
  /** "3.11" */
  version: string;
  /** "3.11.2" */
  fullVersion: string;
}

const VERSION = /^3\.\d+$/;

export function isVersion(spec: string): boolean {
  return VERSION.test(spec);
}

function isExecutable(path: string): boolean {
  // existsSync first: a failed accessSync throws, and building that error costs ~20 µs.
  if (!existsSync(path)) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function insidePyctl(dir: string): boolean {
  const roots = [userTierHome(), systemTierHome()].map((r) => `${resolve(r)}/`);
  return roots.some((root) => `${resolve(dir)}/`.startsWith(root));
}

function pathDirs(): string[] {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir && !insidePyctl(dir) && !/\/\.pyenv\/(plugins\/[^/]+\/)?shims$/.test(dir));
}

function pyenvCandidates(version: string): string[] {
  const root = process.env.PYENV_ROOT || join(userHome(), ".pyenv");
  return listDir(join(root, "versions"))
    .filter((name) => name === version || name.startsWith(`${version}.`))
    .sort((a, b) => Number(b.split(".")[2] ?? 0) - Number(a.split(".")[2] ?? 0))
    .map((name) => join(root, "versions", name, "bin", `python${version}`));
}

/** Where `pythonX.Y` (or plain `python3`) lives, without running anything. */
export function locateInterpreter(command: string): string | undefined {
  for (const dir of pathDirs()) {
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  const version = command.replace(/^python/, "");
  if (isVersion(version)) return pyenvCandidates(version).find(isExecutable);
  return undefined;
}

const PROBE =
  "import sys; print('%d.%d.%d' % sys.version_info[:3])\ntry:\n import venv, ensurepip\n print('venv')\nexcept ImportError:\n print('no-venv')";

/** Run the interpreter once to learn its version and whether it can make venvs. */
export function probeInterpreter(path: string): Interpreter & { hasVenv: boolean } {
  if (!existsSync(path)) throw new PyctlError(`no Python at ${path}`);
  const result = runChild([path, "-I", "-c", PROBE]);
  const [fullVersion, venv] = result.stdout.trim().split("\n");
  if (result.status !== 0 || !fullVersion) throw new PyctlError(`${path} does not run as a Python interpreter`);
  const version = fullVersion.split(".").slice(0, 2).join(".");
  return { path, version, fullVersion, hasVenv: venv === "venv" };
}

/** `spec` is a version ("3.12"), a path, or undefined for the first python3 on PATH. */
export function findInterpreter(spec?: string): Interpreter {
  let path: string | undefined;
  if (spec === undefined) path = locateInterpreter("python3");
  else if (isVersion(spec)) path = locateInterpreter(`python${spec}`);
  else if (spec.includes("/")) path = resolve(spec);
  else throw new UsageError(`"${spec}" is neither a Python version like 3.12 nor a path`);
  if (!path) {
    throw new PyctlError(`no Python ${spec ?? "3"} found on PATH`, {
      hint: spec ? `install python${spec}, or pass its path: --python /path/to/python${spec}` : "install python3",
    });
  }
  const found = probeInterpreter(path);
  if (!found.hasVenv) {
    const debian = realpathSync(path).startsWith("/usr/bin/");
    throw new PyctlError(
      `Python ${found.version} at ${path} cannot create venvs (its venv/ensurepip module is missing)`,
      {
        hint: debian
          ? `install Debian's venv package: apt install python${found.version}-venv (or python3-venv)`
          : "install that Python's venv support",
      },
    );
  }
  return found;
}

/**
 * What to tell a user whose venv lost its base interpreter `missing` (Python `version`): the
 * `pyctl rebuild --python …` that would work here, preferring the same version found elsewhere.
 * `rebuild --python X.Y` moves only the default venv, and only to a version with no venv yet:
 * `canMoveTo(X.Y)` says whether that holds; otherwise the advice says what cannot be done.
 */
export function rebuildAdvice(
  version: string,
  missing: string,
  canMoveTo: (to: string) => boolean = () => false,
): string {
  const same = locateInterpreter(`python${version}`);
  if (same && same !== missing) return `run \`pyctl rebuild --python ${version}\` to rebuild it with ${same}`;
  const python3 = locateInterpreter("python3");
  if (python3) {
    try {
      const found = probeInterpreter(python3);
      if (found.version !== version && canMoveTo(found.version))
        return `run \`pyctl rebuild --python ${found.version}\` to move your packages to Python ${found.version} (${python3})`;
    } catch {
      /* not a working Python either */
    }
  }
  return `no other Python ${version} is installed, and pyctl cannot move this venv to another version: install Python ${version} again (e.g. \`pyenv install ${version}\`), then run \`pyctl rebuild --python ${version}\``;
}
