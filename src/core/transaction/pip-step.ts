/**
 * The pip step of a transaction: `pip install ARGS` with pip's own resolver, run by the staging
 * venv's python, so the live venv never sees a half-finished install. pip's stderr reaches the
 * user as it would (a child's output, not pyctl's) and its ERROR lines name the failure.
 */
import { PyctlError } from "../base/errors.ts";
import { relocateVenvText } from "../base/fstree.ts";
import type { Venv } from "../python/venv.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";

export interface PipStepResult {
  exitCode: number;
  /** pip's own ERROR lines (or its last line), when it failed. */
  failure?: string;
}

/** No bytecode (it would name the staging path); no version check (no network for that). */
const QUIET_FLAGS = ["--no-compile", "--no-warn-script-location", "--disable-pip-version-check"];

function failureOf(stderr: string, exitCode: number): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const errors = lines.filter((l) => l.startsWith("ERROR:")).map((l) => l.slice("ERROR:".length).trim());
  return (errors.length ? errors.join("; ") : lines.at(-1)) || `pip exited ${exitCode}`;
}

/**
 * `pip install ARGS` in the staging venv, its failure as one error, then its scripts pointed at
 * `final` (where the venv will live). False when a signal stopped it.
 */
export async function installInStaging(
  staging: Venv,
  final: string,
  args: string[],
  guard: SignalGuard,
): Promise<boolean> {
  const result = await pipStepInto(staging, args, guard);
  if (guard.interrupted) return false;
  if (result.exitCode !== 0)
    throw new PyctlError(`pip install ${args.join(" ")} failed (exit ${result.exitCode}): ${result.failure}`);
  relocateVenvText(staging.root, staging.root, final);
  return true;
}

/** Run `pip install ARGS` in `venv` (the staging one). */
async function pipStepInto(venv: Venv, args: string[], guard: SignalGuard): Promise<PipStepResult> {
  // pip's stdout joins its stderr: stdout is the command's own (e.g. `--json`).
  const child = venv.startPip(["install", ...QUIET_FLAGS, ...args], {
    stdio: ["inherit", 2, "pipe"],
    as: "tool",
  });
  guard.watch(child);
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stderr as ReadableStream<Uint8Array>) {
    process.stderr.write(chunk);
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-16_384);
  }
  const exitCode = await child.exited;
  guard.watch(undefined);
  return exitCode === 0 ? { exitCode } : { exitCode, failure: failureOf(tail, exitCode) };
}
