/** Doctor checks for the shell side: the hook in this shell, the rc blocks, and PATH order. */
import { existsSync, readFileSync } from "node:fs";
import { basename, delimiter, join, resolve } from "node:path";
import { problem, pass, type Check as CoreCheck } from "../core/doctor/check.ts";
import { PyctlError } from "../core/base/errors.ts";
import { installBlock, installCompletion } from "./setup.ts";
import { hookState } from "./hook-state.ts";
import type { Layout } from "../core/base/paths.ts";
import { systemTierHome, userTierHome } from "../core/base/paths.ts";
import { systemFiles, userFiles, type ShellFiles } from "./locations.ts";
import { BEGIN, END, blockFor, hasBlock } from "./rc-block.ts";
import { pyctlPath } from "./self.ts";

/** What `doctor --fix` can do about the shell set-up: (re)write an rc file's pyctl block. */
export interface ShellRepair {
  kind: "rc-block";
  rcFile: string;
  system: boolean;
}
type Check = CoreCheck<ShellRepair>;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function count(text: string, line: string): number {
  return text.split("\n").filter((l) => l.trim() === line).length;
}

function expectedBlock(f: ShellFiles): string | undefined {
  try {
    return blockFor(f.shell, { pyctl: pyctlPath(), completionFile: f.completionFile });
  } catch {
    return undefined; // this pyctl cannot name itself: nothing to compare with
  }
}

/** One rc file: intact, out of date, damaged, or (for the login shell) missing the block. */
function rcCheck(f: ShellFiles, system: boolean, loginShell: boolean): Check | undefined {
  const id = `rc-block:${f.shell}`;
  const text = readText(f.rcFile) ?? "";
  const repair = { kind: "rc-block" as const, rcFile: f.rcFile, system };
  const setup = `pyctl setup-shell${system ? " --system" : ""}`;
  if (text.includes(BEGIN) || text.includes(END)) {
    if (!hasBlock(text) || count(text, BEGIN) !== 1 || count(text, END) !== 1) {
      return problem(
        id,
        `the pyctl block in ${f.rcFile} is damaged (its ${BEGIN} / ${END} lines do not pair up)`,
        `remove the pyctl lines from ${f.rcFile} by hand, then run \`${setup}\``,
      );
    }
    const expected = expectedBlock(f);
    if (expected && !text.includes(expected)) {
      return problem(
        id,
        `the pyctl block in ${f.rcFile} is out of date (it names another pyctl or completion file)`,
        `run \`${setup}\``,
        repair,
      );
    }
    return pass(id, `${f.rcFile} loads the hook`);
  }
  // The README's set-up by hand: `eval "$(pyctl hook bash)"`, `pyctl hook fish | source`.
  if (new RegExp(`^[^#\\n]*pyctl["']? hook ${f.shell}\\b`, "m").test(text))
    return pass(id, `${f.rcFile} loads the hook (set up by hand)`);
  if (!loginShell) return undefined;
  return problem(id, `${f.rcFile} does not load the pyctl hook`, `run \`${setup}\``, repair);
}

function hookCheck(): Check {
  const state = hookState();
  if (state.active) return pass("hook", `the hook is active in this ${state.shell ?? "shell"}`);
  return problem(
    "hook",
    "the pyctl hook is not active in this shell",
    'open a new shell (its rc file loads the hook), or load it here: eval "$(pyctl hook bash)" (zsh alike; fish: pyctl hook fish | source)',
  );
}

/** The environment a user activated themselves (a project venv or conda env), if any. */
function projectEnvBin(): string | undefined {
  const venv = process.env.VIRTUAL_ENV;
  const ours = [userTierHome(), systemTierHome()].map((h) => `${resolve(h)}/`);
  if (venv && existsSync(join(venv, "pyvenv.cfg")) && !ours.some((h) => `${resolve(venv)}/`.startsWith(h)))
    return join(venv, "bin");
  const conda = process.env.CONDA_PREFIX;
  if (conda && (process.env.CONDA_DEFAULT_ENV ?? "base") !== "base" && existsSync(join(conda, "conda-meta")))
    return join(conda, "bin");
  return undefined;
}

/** PATH order: an activated project env, then the default venv's bin, then the system's folders. */
function pathCheck(layout: Layout, defaultVersion: string): Check {
  if (!hookState().active || !defaultVersion)
    return pass("path-order", "not checked (the hook is not active in this shell)");
  const path = (process.env.PATH ?? "").split(delimiter);
  const ours = join(layout.venvDir(defaultVersion), "bin");
  const at = path.indexOf(ours);
  if (at < 0) return problem("path-order", `${ours} is not on PATH`, "open a new shell so the hook puts it there");
  const project = projectEnvBin();
  if (project && path.indexOf(project) > at) {
    return problem(
      "path-order",
      `your activated environment's ${project} comes after ${ours} on PATH`,
      "deactivate and activate it again (the hook keeps it first)",
    );
  }
  const system = ["/usr/local/bin", "/usr/bin", "/bin"].find((dir) => path.includes(dir) && path.indexOf(dir) < at);
  if (system)
    return problem(
      "path-order",
      `${system} comes before ${ours} on PATH, so pip and python there win`,
      "load the hook after other PATH changes in your rc file",
    );
  return pass(
    "path-order",
    project ? `PATH: ${project}, then ${ours}, then the system` : `PATH: ${ours} before the system's folders`,
  );
}

export function shellChecks(layout: Layout, defaultVersion: string): Check[] {
  const system = layout.tier === "system";
  const loginShell = basename(process.env.SHELL ?? "");
  const files = system ? systemFiles() : userFiles();
  const rc = files
    .map((f) => rcCheck(f, system, system ? f.shell === "bash" : f.shell === loginShell))
    .filter((c): c is Check => c !== undefined);
  if (rc.length === 0) {
    rc.push(
      problem(
        "rc-block",
        "no shell rc file loads the pyctl hook",
        `run \`pyctl setup-shell${system ? " --system" : ""}\``,
      ),
    );
  }
  return [hookCheck(), ...rc, pathCheck(layout, defaultVersion)];
}

export function repairRcBlock(repair: ShellRepair): string {
  const files = (repair.system ? systemFiles() : userFiles()).find((f) => f.rcFile === repair.rcFile);
  if (!files) throw new PyctlError(`no shell uses ${repair.rcFile}`);
  installBlock(files, pyctlPath());
  installCompletion(files);
  return `wrote the pyctl block to ${repair.rcFile}`;
}
