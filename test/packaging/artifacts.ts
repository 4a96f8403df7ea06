/**
 * The release artifacts for this machine's architecture, built once per `bun test` process by the
 * real build script (scripts/package.ts) into a temp folder, and shared by the packaging tests.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dir, "..", "..");
let built: string | undefined;

export function hostDebArch(): string {
  return process.arch === "arm64" ? "arm64" : "amd64";
}

/** dist/ as `bun run package --arch HOST` makes it; throws with the build's output if it fails. */
export function releaseDir(): string {
  if (built) return built;
  const dist = mkdtempSync(join(tmpdir(), "pyctl-dist-"));
  const result = Bun.spawnSync([process.execPath, join(REPO, "scripts", "package.ts"), "--arch", hostDebArch()], {
    cwd: REPO,
    env: { ...process.env, PYCTL_DIST: dist },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) throw new Error(`bun run package failed:\n${result.stdout}${result.stderr}`);
  built = dist;
  return dist;
}
