/**
 * A venv's pip, run one way. Two environments: the user's own pip command (their PIP_* settings
 * apply, PIP_USER aside: the venv is their user install) and pyctl's own runs (no
 * PIP_REQUIRE_VIRTUALENV refusal, no PIP_USER, optional extras such as PIP_NO_COMPILE). What
 * "pip works" means is defined here once: `bin/pip` exists and runs; doctor checks it, its repair
 * (ensurepip --default-pip) restores it, and the hook's pip function runs that `bin/pip`.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChildEnv, type ChildResult, runChild, type Stdio, startChild } from "./child.ts";

export const venvPip = (venv: string) => join(venv, "bin", "pip");
const venvPythonOf = (venv: string) => join(venv, "bin", "python");

/** The user's pip command: their environment without PIP_USER. */
export function userPipEnv(env: ChildEnv = process.env): ChildEnv {
  const copy = { ...env };
  delete copy.PIP_USER;
  return copy;
}

/** pyctl's own pip runs: inside a venv on purpose, never --user. */
export function toolPipEnv(extra: ChildEnv = {}): ChildEnv {
  return { ...userPipEnv(), PIP_REQUIRE_VIRTUALENV: "", ...extra };
}

/** `bin/pip` when it is there (what the user typed runs), else `python -m pip`. */
export function pipCommand(venv: string): string[] {
  const script = venvPip(venv);
  return existsSync(script) ? [script] : [venvPythonOf(venv), "-m", "pip"];
}

/** `python -m pip` of a venv or an interpreter: pyctl's own runs do not depend on bin/pip. */
export const pipModule = (python: string) => [python, "-m", "pip"];

/**
 * Start pip with ARGS: the user's command (bin/pip, the user's environment as given, PIP_USER
 * dropped) or pyctl's own (`python -m pip`, toolPipEnv).
 */
export function startPip(
  venv: string,
  args: string[],
  options: { stdio: [Stdio, Stdio, Stdio]; as: "tool" } | { stdio: [Stdio, Stdio, Stdio]; as: "user"; env: ChildEnv },
) {
  if (options.as === "tool")
    return startChild([...pipModule(venvPythonOf(venv)), ...args], { stdio: options.stdio, env: toolPipEnv() });
  return startChild([...pipCommand(venv), ...args], { stdio: options.stdio, env: userPipEnv(options.env) });
}

/** pyctl's own pip run to its end, output captured. */
export function runToolPip(venv: string, args: string[], extra: ChildEnv = {}): ChildResult {
  return runChild([...pipModule(venvPythonOf(venv)), ...args], { env: toolPipEnv(extra) });
}

/** Whether pip works in the venv: its `bin/pip` exists and runs. */
export function pipRuns(venv: string): boolean {
  if (!existsSync(venvPip(venv))) return false;
  return (
    runChild([venvPip(venv), "--version"], { env: toolPipEnv({ PIP_DISABLE_PIP_VERSION_CHECK: "1" }) }).status === 0
  );
}

/**
 * Put pip back with the interpreter's bundled wheel (offline), `bin/pip` included. An installed
 * pip is taken out first (if it can run at all): ensurepip leaves one alone, scripts missing or not.
 */
export function ensurepip(venv: string): ChildResult {
  runToolPip(venv, ["uninstall", "--yes", "--quiet", "--disable-pip-version-check", "pip"]);
  return runChild([venvPythonOf(venv), "-m", "ensurepip", "--upgrade", "--default-pip"], {
    env: toolPipEnv({ PIP_NO_COMPILE: "1" }),
  });
}

/** `pip check`: ok, or pip's lines naming the conflicts. */
export function pipCheck(venv: string): { ok: boolean; lines: string[] } {
  const run = runToolPip(venv, ["check"]);
  const lines = run.stdout.trim().split("\n").filter(Boolean);
  return { ok: run.status === 0, lines: lines.length ? lines : [run.stderr.trim()].filter(Boolean) };
}

/** The versions of `name` the index offers for the venv's Python (empty: none, or no index). */
export function indexVersions(venv: string, name: string): string[] {
  const run = runToolPip(venv, ["index", "versions", "--disable-pip-version-check", name]);
  const line = run.stdout.split("\n").find((l) => l.startsWith("Available versions:"));
  if (run.status !== 0 || !line) return [];
  return line
    .slice("Available versions:".length)
    .split(",")
    .map((v) => v.trim());
}

export interface DryRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** pip's JSON installation report, when it wrote one. */
  report?: string;
}

/** `pip install --dry-run --report FILE ARGS`: what pip would install, or its output saying why not. Changes nothing. */
export function dryRunReport(venv: string, args: string[]): DryRun {
  const dir = mkdtempSync(join(tmpdir(), "pyctl-report-"));
  try {
    const report = join(dir, "report.json");
    const run = runToolPip(venv, ["install", "--dry-run", "--report", report, "--disable-pip-version-check", ...args]);
    return { ...run, ...(existsSync(report) ? { report: readFileSync(report, "utf8") } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
