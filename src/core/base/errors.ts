import { dirname } from "node:path";

/** The one error type the CLI prints: `pyctl: <message>` (+ hint), then exits with exitCode. */
export class PyctlError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: number; hint?: string } = {}) {
    super(message);
    this.name = "PyctlError";
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}

/** Bad command-line input: exit 2. */
export class UsageError extends PyctlError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: 2, hint });
    this.name = "UsageError";
  }
}

export function errnoCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

/** The path an fs error names, if any. */
export function errnoPath(err: unknown): string | undefined {
  const path = typeof err === "object" && err !== null && "path" in err ? (err as { path: unknown }).path : undefined;
  return typeof path === "string" ? path : undefined;
}

/** The destination an fs error of two paths names (link, copyFile, rename), if any. */
export function errnoDest(err: unknown): string | undefined {
  const dest = typeof err === "object" && err !== null && "dest" in err ? (err as { dest: unknown }).dest : undefined;
  return typeof dest === "string" ? dest : undefined;
}

/**
 * Errors of the machine rather than of pyctl (a full disk, a read-only file system): one
 * sentence for the user, or undefined when `err` is not one of them.
 */
export function systemErrorMessage(err: unknown): string | undefined {
  const path = errnoDest(err) ?? errnoPath(err); // link and copy name the source first: the folder written is dest's
  const where = path ? ` (writing in ${dirname(path)})` : "";
  switch (errnoCode(err)) {
    case "ENOSPC":
      return `no space left on the device${where}; free some space and try again`;
    case "EDQUOT":
      return `disk quota exceeded${where}; free some space and try again`;
    case "EROFS":
      return `the file system is read-only${where}`;
    default:
      return undefined;
  }
}
