/** Running a venv's pip in the foreground of a recorded operation. */
import { configFlag, type Config } from "../base/config.ts";
import type { Outcome } from "./recorder.ts";
import type { SignalGuard } from "./signal-guard.ts";
import type { Target } from "./target.ts";

/** Run pip in the foreground; its exit code, or 130 if a signal stopped the operation. */
export async function runPip(target: Target, args: string[], guard: SignalGuard): Promise<Outcome> {
  if (guard.interrupted) return { exitCode: 130, interrupted: true };
  // pip inherits the venv lock, so a pyctl killed alone keeps the lock until its pip exits.
  const child = target.env.startPip(args, { stdio: ["inherit", "inherit", "inherit"], as: "user", binPip: true });
  guard.watch(child);
  const exitCode = await child.exited;
  guard.watch(undefined);
  return { exitCode: guard.interrupted ? 130 : exitCode, interrupted: guard.interrupted };
}

/** Whether pip writes should be recorded at all (`history.auto_snapshot`). */
export function recordingEnabled(config: Config): boolean {
  return configFlag(config, "history.auto_snapshot");
}
