/**
 * The notices of a write that waits: for another pyctl's lock, or at a test pause. Apart from
 * ui/transaction.ts so the recorded pip write (the hot path) loads nothing of the engine's plan.
 */
import type { LockHolder } from "../core/base/lock.ts";
import { notice } from "./output.ts";

/** "waiting for pid N (command) to finish with VENV", while another pyctl holds the venv's lock. */
export function waitingNotice(venv: string): (holder: LockHolder | undefined) => void {
  return (holder) =>
    notice(`waiting for ${holder ? `pid ${holder.pid} (${holder.command})` : "another pyctl"} to finish with ${venv}`);
}

export function pausedNotice(phase: string): void {
  notice(`test pause at ${phase} (PYCTL_TEST_PAUSE)`);
}
