/**
 * Compile pyctl into one executable: `bun scripts/build.ts [OUTFILE]` (default dist/pyctl).
 * The one place the build flags live; install.sh, scripts/package.ts, the tests and the benches
 * all use it. Never strip the result: the program is appended to Bun's ELF file, and strip drops it.
 *   --splitting   each command is its own chunk, so start-up loads only what a command needs
 *   --bytecode    precompiled, for start-up again
 *   --no-compile-autoload-*   never read .env or bunfig.toml from the user's current folder
 */
import { renameSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "..");

/** `target` is Bun's cross-compile target (bun-linux-arm64); absent, this machine's. */
export function buildPyctl(outfile: string, target?: string): boolean {
  const temp = `${outfile}.${process.pid}.new`;
  const result = Bun.spawnSync(
    [
      process.execPath,
      "build",
      join(REPO, "src", "cli.ts"),
      "--compile",
      "--splitting",
      "--bytecode",
      "--format=esm",
      "--no-compile-autoload-dotenv",
      "--no-compile-autoload-bunfig",
      ...(target ? [`--target=${target}`] : []),
      "--outfile",
      temp,
    ],
    { cwd: REPO, stdout: "ignore", stderr: "inherit" },
  );
  if (result.exitCode !== 0) return false;
  renameSync(temp, outfile);
  return true;
}

if (import.meta.main) {
  const outfile = resolve(process.argv[2] ?? join(REPO, "dist", "pyctl"));
  process.exit(buildPyctl(outfile) ? 0 : 1);
}
