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
