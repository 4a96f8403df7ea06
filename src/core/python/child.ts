/**
 * The one place pyctl starts a process. Every child inherits the venv locks pyctl holds
 * (`withLockFds`): flock belongs to the open file description, so a killed pyctl leaves the lock
 * held until its pip (or python, or git) exits, and no other write starts on a venv still in use.
 * Only swap.ts's detached `rm` of a replaced venv is started elsewhere, on purpose without them.
 */
import { heldLockFds, withLockFds } from "../base/lock.ts";
import { spawnSync } from "../base/spawn-sync.ts";

export type Stdio = "inherit" | "pipe" | "ignore" | number;
export type ChildEnv = Record<string, string | undefined>;

export interface ChildOptions {
  /** stdin, stdout, stderr; the held lock descriptors follow. Default: output captured. */
  stdio?: [Stdio, Stdio, Stdio];
  env?: ChildEnv;
  cwd?: string;
}

export interface ChildResult {
  /** null when the process could not start or a signal ended it. */
  status: number | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

const CAPTURE: [Stdio, Stdio, Stdio] = ["ignore", "pipe", "pipe"];

/** Start a process; the caller awaits `exited` (and reads piped streams). */
export function startChild(command: string[], options: ChildOptions = {}) {
  return Bun.spawn(command, { stdio: withLockFds(options.stdio ?? CAPTURE), env: options.env, cwd: options.cwd });
}

/**
 * Start a process with one more descriptor after the locks: one end of a socket pair, whose other
 * end (`gate`) stays with pyctl. `command` is given the child's number for it.
 */
export function startGated(command: (fd: number) => string[], options: ChildOptions) {
  const fd = 3 + heldLockFds().length;
  const child = Bun.spawn(command(fd), {
    stdio: [...withLockFds(options.stdio ?? CAPTURE), "pipe"],
    env: options.env,
    cwd: options.cwd,
  });
  return { child, gate: child.stdio[fd] as unknown as number };
}

/** Run a process to its end, its output as text. */
export function runChild(command: string[], options: ChildOptions = {}): ChildResult {
  const result = spawnSync(command[0]!, command.slice(1), {
    encoding: "utf8",
    stdio: withLockFds(options.stdio ?? CAPTURE),
    env: options.env,
    cwd: options.cwd,
  });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "", error: result.error };
}
