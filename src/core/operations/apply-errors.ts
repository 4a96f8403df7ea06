/**
 * The stable error codes of `pyctl apply` (`--json`'s errors[].code; the Ansible role puts them
 * in its failure message). Scripts may match on them; the README lists them. Never renamed.
 */
import { PyctlError } from "../base/errors.ts";

export const APPLY_ERROR_CODES = {
  usage: "the command line is wrong (an unknown option, no FILE)",
  "file-unreadable": "FILE does not exist or cannot be read",
  "file-invalid": "FILE is not a requirements file or PEP 751 lock pyctl can read",
  "lock-unsourced": "a pylock entry names neither an index URL nor a file to install it from",
  "no-venv": "--check on a Python version that has no venv yet (apply would create it)",
  unavailable: "pip finds no version of a package the file names (not on the index, or the index is unreachable)",
  conflict: "the file's requirements cannot all hold at once, or would break an installed package",
  "hash-mismatch": "a download does not match the file's hashes, or a line lacks one in hash-checking mode",
  "pip-failed": "pip failed for another reason (its own message follows)",
  "venv-changed": "the venv changed between planning and applying (another pyctl or pip ran); run it again",
  "not-writable": "the venv cannot be written by this user",
  interrupted: "a signal stopped apply; the venv is as it was, or in its new state if the switch was done",
  failed: "any other failure; the venv is unchanged",
} as const;

export type ApplyErrorCode = keyof typeof APPLY_ERROR_CODES;

export class ApplyError extends PyctlError {
  readonly code: ApplyErrorCode;

  constructor(code: ApplyErrorCode, message: string, options: { exitCode?: number; hint?: string } = {}) {
    super(message, options);
    this.name = "ApplyError";
    this.code = code;
  }
}

/** The code of a failure pip described (its ERROR lines, or the whole output). */
export function pipErrorCode(text: string): ApplyErrorCode {
  if (/do not match the hashes|Hashes are required|hash-checking mode/i.test(text)) return "hash-mismatch";
  if (/ResolutionImpossible|conflicting dependencies|conflict is caused by/i.test(text)) return "conflict";
  if (/No matching distribution|Could not find a version|404|Connection refused|Failed to establish/i.test(text))
    return "unavailable";
  return "pip-failed";
}

/** Any error as {code, message}: an ApplyError keeps its code, pyctl's own errors are read by their words. */
export function classify(err: unknown): { code: ApplyErrorCode; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ApplyError) return { code: err.code, message };
  if (err instanceof PyctlError && err.exitCode === 2) return { code: "usage", message };
  if (/^cannot read /.test(message)) return { code: "file-unreadable", message };
  if (/names neither an index URL nor a file/.test(message)) return { code: "lock-unsourced", message };
  if (/not writable|permission denied|read-only/i.test(message)) return { code: "not-writable", message };
  if (/pip install .* failed|pip could not install/.test(message)) return { code: pipErrorCode(message), message };
  return { code: "failed", message };
}
