/**
 * The release artifacts for this machine's architecture, built by the real build script
 * (scripts/package.ts) and shared by the packaging tests. A build takes minutes (xz over a
 * 110 MB binary), so it is kept in /var/cache/pyctl-test/dist-HASH (PYCTL_ROOT_CACHE moves it)
 * when that is writable, HASH covering every file that goes into it and Bun's version: a changed
 * source builds anew, a rerun on the same machine reuses it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CACHE } from "./roots.ts";

const REPO = resolve(import.meta.dir, "..", "..");
const INPUTS = ["src", "scripts", "packaging", "completions", "hooks", "package.json", "bun.lock", "CHANGELOG.md"];
let built: string | undefined;

export function hostDebArch(): string {
  return process.arch === "arm64" ? "arm64" : "amd64";
}

export function inputsHash(): string {
  const hash = new Bun.CryptoHasher("sha256").update(`${Bun.version} ${hostDebArch()}`);
  const files = INPUTS.flatMap((entry) => {
    const path = join(REPO, entry);
    try {
      return readdirSync(path, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name));
    } catch {
      return [path];
    }
  });
  for (const file of files.sort()) hash.update(file.slice(REPO.length)).update(readFileSync(file));
  return hash.digest("hex").slice(0, 16);
}

function build(dist: string): void {
  const result = Bun.spawnSync([process.execPath, join(REPO, "scripts", "package.ts"), "--arch", hostDebArch()], {
    cwd: REPO,
    env: { ...process.env, PYCTL_DIST: dist },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) throw new Error(`bun run package failed:\n${result.stdout}${result.stderr}`);
}

/** dist/ as `bun run package --arch HOST` makes it; throws with the build's output if it fails. */
export function releaseDir(): string {
  if (built) return built;
  const cached = join(CACHE, `dist-${inputsHash()}`);
  try {
    readdirSync(cached);
    built = cached;
    return built;
  } catch {
    // not built yet for these sources
  }
  let parent: string;
  try {
    mkdirSync(CACHE, { recursive: true });
    parent = CACHE;
  } catch {
    parent = tmpdir();
  }
  const dist = mkdtempSync(join(parent, "dist-building-"));
  try {
    build(dist);
  } catch (error) {
    rmSync(dist, { recursive: true, force: true });
    throw error;
  }
  if (parent === CACHE) {
    renameSync(dist, cached);
    built = cached;
  } else built = dist;
  return built;
}
