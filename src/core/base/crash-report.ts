/**
 * Unexpected errors: the user sees one line, the details go to a report file
 * (~/.cache/pyctl/crash-<time>.txt) that the line names.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { userCacheDir } from "./paths.ts";

/** Write the full report; returns its path, or undefined when it could not be written. */
export function writeCrashReport(error: unknown, argv: string[], version: string): string | undefined {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const details = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  const report = [
    `pyctl ${version} (bun ${Bun.version}, ${process.platform} ${process.arch})`,
    `time: ${new Date().toISOString()}`,
    `command: pyctl ${argv.join(" ")}`,
    `cwd: ${process.cwd()}`,
    "",
    details,
    "",
  ]
    .join("\n")
    .replace(/:\/\/[^/@\s]*@/g, "://****@"); // no credentials of a URL in a file meant to be shared
  try {
    const dir = userCacheDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `crash-${stamp}-${process.pid}.txt`);
    writeFileSync(path, report, { mode: 0o600 });
    return path;
  } catch {
    return undefined;
  }
}

/** The first line of an error's message, for the one line the user sees. */
export function firstLine(error: unknown): string {
  const text =
    error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
  return text.split("\n")[0]!.trim() || "unknown error";
}
