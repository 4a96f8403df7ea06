/**
 * pip's two environments, for the Venv (venv.ts) and venv creation only: nothing outside
 * core/python/ builds a pip environment or command line (test/unit/spawn-locks.test.ts). The
 * user's command keeps their PIP_* settings, PIP_USER aside (the venv is their user install);
 * pyctl's own runs are inside a venv on purpose, so PIP_REQUIRE_VIRTUALENV must not refuse them.
 */
import type { ChildEnv } from "./child.ts";

/** The user's pip command: their environment without PIP_USER. */
export function userPipEnv(env: ChildEnv = process.env): ChildEnv {
  const copy = { ...env };
  delete copy.PIP_USER;
  return copy;
}

/** pyctl's own pip runs (and `python -m venv`, whose ensurepip runs pip): never --user. */
export function toolPipEnv(extra: ChildEnv = {}): ChildEnv {
  return { ...userPipEnv(), PIP_REQUIRE_VIRTUALENV: "", ...extra };
}
