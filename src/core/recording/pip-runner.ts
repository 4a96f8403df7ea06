/** Running a venv's pip in the foreground of a recorded operation. */
import { configFlag, type Config } from "../base/config.ts";
import { type GatedPip, TERMINAL } from "../python/venv.ts";
import type { Action } from "./recorder.ts";
import { stageInstall } from "./store-ahead.ts";
import type { Target } from "./target.ts";

/**
 * The user's pip command as a recorded operation's action. Its python starts as soon as the lock
 * is held and waits at a gate while the before-state is read (`Venv.startGatedPip`); pip runs
 * when the gate opens, in the foreground. `started` is told when pip runs.
 */
export function pipAction(target: Target, args: string[], started?: () => void): Action {
  let gated: GatedPip | undefined;
  return {
    start() {
      gated = target.env.startGatedPip(args, TERMINAL);
    },
    ready: async () => gated?.ready(),
    async run(guard) {
      if (guard.interrupted) {
        await gated?.close();
        return { exitCode: 130, interrupted: true };
      }
      // pip inherits the venv lock, so a pyctl killed alone keeps the lock until its pip exits.
      const child = gated?.open() ?? target.env.startPip(args, { stdio: TERMINAL, as: "user", binPip: true });
      gated = undefined;
      started?.();
      // Set while pip's python imports pip: what pip then installs is staged for the store as it is written.
      const stager = stageInstall(target);
      guard.watch(child);
      let exitCode: number;
      try {
        exitCode = await child.exited;
      } catch (err) {
        stager?.discard();
        throw err;
      } finally {
        guard.watch(undefined);
      }
      const staged = stager?.finish();
      return { exitCode: guard.interrupted ? 130 : exitCode, interrupted: guard.interrupted, staged };
    },
    drop: async () => gated?.close(),
  };
}

/** Whether pip writes should be recorded at all (`history.auto_snapshot`). */
export function recordingEnabled(config: Config): boolean {
  return configFlag(config, "history.auto_snapshot");
}
