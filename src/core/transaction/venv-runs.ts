/** Whether a venv's python runs: the check every rebuild and repair makes of what it built. */
import { existsSync } from "node:fs";
import { runChild } from "../python/child.ts";
import type { Venv } from "../python/venv.ts";
import type { Target } from "../recording/target.ts";

/** Whether a venv's python starts and is the version its folder says. */
export function venvWorks(venv: Venv): boolean {
  if (!existsSync(venv.python)) return false;
  const run = runChild([venv.python, "-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]);
  return run.status === 0 && run.stdout.trim() === venv.version;
}

/** The check's problem, if the staging venv of `to` does not run. */
export function stagedRuns(to: Target): string[] {
  return venvWorks(to.env.at(to.staging)) ? [] : [`the new venv's python does not run Python ${to.version}`];
}
