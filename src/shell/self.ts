/**
 * The absolute path that runs this pyctl again, for the hook's functions and the rc block.
 * Prefer the path the user ran (a symlink such as ~/.local/bin/pyctl keeps working when the
 * file it points to is replaced by an upgrade), as long as it leads to this very program.
 */
import { accessSync, constants, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { PyctlError } from "../core/base/errors.ts";

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function pyctlPath(): string {
  // A compiled pyctl is its own executable; otherwise Bun runs the script named by Bun.main.
  const compiled = Bun.main.startsWith("/$bunfs/");
  const program = compiled ? process.execPath : Bun.main;
  const typed = compiled ? process.argv0 : undefined;
  const candidates = [typed?.includes("/") ? resolve(typed) : undefined, Bun.which("pyctl") ?? undefined];
  const found = candidates.find((c) => c !== undefined && sameFile(c, program));
  if (found) return found;
  if (!compiled && !executable(program)) {
    throw new PyctlError(`cannot tell how to run pyctl again (${program} is not executable)`, {
      hint: "build it (`bun run build`) and run dist/pyctl, or put an executable pyctl on PATH",
    });
  }
  return program;
}
