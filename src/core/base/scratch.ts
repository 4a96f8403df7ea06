/**
 * Scratch venvs: `venv.bisect.<pid>` beside a live venv, built by a bisect and removed by it.
 * One whose pid is gone was left by a killed bisect; bisect and every recorded operation remove it.
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { listDir } from "./list-dir.ts";

const PREFIX = "venv.bisect.";

export function scratchDir(venv: string, pid = process.pid): string {
  return join(dirname(venv), `${PREFIX}${pid}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Remove the scratch venvs of bisects that are no longer running. */
export function sweepDeadScratch(venv: string): void {
  const dir = dirname(venv);
  for (const name of listDir(dir)) {
    const pid = name.startsWith(PREFIX) ? Number(name.slice(PREFIX.length)) : Number.NaN;
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid))
      rmSync(join(dir, name), { recursive: true, force: true });
  }
}
