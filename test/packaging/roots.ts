/**
 * Minimal Debian roots made with debootstrap from Debian's own packages, cached between runs on
 * one machine: /var/cache/pyctl-test/roots/SUITE-HASH (PYCTL_ROOT_CACHE moves it), where HASH
 * names the package list, so changing the list builds a new root. A test never changes the cached
 * root: it works in a copy (workingRoot) and mounts /proc, /dev and /sys there (withMounts), always
 * unmounting. `bun test/packaging/roots.ts` builds the cache ahead of time.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

export const SUITES = ["bookworm", "trixie"] as const;
export type Suite = (typeof SUITES)[number];

/** What a user of pyctl has, and what the test drives: the shells, man, curl for the one-liner. */
const PACKAGES = ["python3", "python3-venv", "zsh", "fish", "man-db", "bash-completion", "curl", "ca-certificates"];

export const CACHE = process.env.PYCTL_ROOT_CACHE ?? "/var/cache/pyctl-test";
const MIRROR = process.env.PYCTL_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";

export function cachedRootPath(suite: Suite): string {
  const hash = createHash("sha256").update(PACKAGES.join(",")).digest("hex").slice(0, 10);
  return join(CACHE, "roots", `${suite}-${hash}`);
}

function run(argv: string[], what: string): void {
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(`${what} failed (${result.exitCode}):\n${result.stdout.toString()}${result.stderr.toString()}`);
  }
}

/** The cached root for `suite`, built first if it is missing (built aside, then renamed in). */
export function cachedRoot(suite: Suite): string {
  const root = cachedRootPath(suite);
  if (existsSync(join(root, "usr", "bin", "python3"))) return root;
  mkdirSync(join(CACHE, "roots"), { recursive: true });
  const partial = `${root}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const include = `--include=${PACKAGES.join(",")}`;
  run(["debootstrap", "--variant=minbase", include, suite, partial, MIRROR], `debootstrap ${suite}`);
  // apt's package lists are not needed (the tests install only local .deb files).
  rmSync(join(partial, "var", "cache", "apt", "archives"), { recursive: true, force: true });
  mkdirSync(join(partial, "var", "cache", "apt", "archives", "partial"), { recursive: true });
  renameSync(partial, root);
  return root;
}

/** A throwaway copy of the cached root. */
export function workingRoot(suite: Suite): string {
  const cached = cachedRoot(suite);
  const dir = mkdtempSync(join(CACHE, `work-${suite}-`));
  run(["cp", "-a", "--reflink=auto", `${cached}/.`, dir], "copying the root");
  return dir;
}

const MOUNTS: [string, string[]][] = [
  ["proc", ["-t", "proc", "proc"]],
  ["sys", ["-t", "sysfs", "sysfs"]],
  ["dev", ["--bind", "/dev"]],
  ["dev/pts", ["--bind", "/dev/pts"]],
];

export function mountAll(root: string): void {
  for (const [dir, how] of MOUNTS) run(["mount", ...how, join(root, dir)], `mounting ${dir}`);
}

/** Unmounts whatever is mounted under `root`, deepest first; never throws. */
export function unmountAll(root: string): void {
  const under = mountsUnder(root).sort((a, b) => b.length - a.length);
  for (const target of under) Bun.spawnSync(["umount", "-l", target]);
}

function mountsUnder(root: string): string[] {
  const mounts = Bun.spawnSync(["findmnt", "-rn", "-o", "TARGET"]).stdout.toString().split("\n");
  return mounts.filter((m) => m === root || m.startsWith(`${root}/`));
}

/** Deletes a working root, never while anything (the host's /dev) is still mounted in it. */
export function removeRoot(root: string): void {
  unmountAll(root);
  const left = mountsUnder(root);
  if (left.length > 0) throw new Error(`not deleting ${root}: still mounted: ${left.join(", ")}`);
  rmSync(root, { recursive: true, force: true });
}

if (import.meta.main) {
  for (const suite of SUITES) console.log(cachedRoot(suite));
}
