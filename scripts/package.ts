/**
 * `bun run package [--arch amd64|arm64]...`: every release artifact, from a clean checkout, in dist/:
 *   pyctl_VERSION_ARCH.deb, pyctl-VERSION-linux-MACHINE.tar.gz (per architecture), install.sh
 *   (the per-user installer) and SHA256SUMS over all of them.
 * VERSION is package.json's; CHANGELOG.md must have an entry for it (it becomes the Debian
 * changelog). Architectures other than this machine's are cross-compiled by Bun.
 */
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { arch as hostArch } from "node:process";
import { join } from "node:path";
import { buildPyctl, REPO } from "./build.ts";
import { parseChangelog } from "./debian-changelog.ts";
import { renderManPage } from "./man-page.ts";
import { buildDeb } from "./package-deb.ts";
import { layOut, put } from "./package-layout.ts";
import { VERSION } from "../src/core/base/version.ts";

export interface Arch {
  /** Debian's name: amd64 */
  deb: string;
  /** `uname -m`'s, in the archive's name: x86_64 */
  machine: string;
  /** Bun's --target */
  bun: string;
  /** node's process.arch */
  node: string;
}

export const ARCHES: Arch[] = [
  { deb: "amd64", machine: "x86_64", bun: "bun-linux-x64", node: "x64" },
  { deb: "arm64", machine: "aarch64", bun: "bun-linux-arm64", node: "arm64" },
];

/** PYCTL_DIST moves it (the tests build into a temp folder). */
export const DIST = process.env.PYCTL_DIST ?? join(REPO, "dist");

export const debName = (a: Arch) => `pyctl_${VERSION}_${a.deb}.deb`;
export const archiveName = (a: Arch) => `pyctl-${VERSION}-linux-${a.machine}.tar.gz`;

function run(argv: string[], cwd?: string): void {
  const result = Bun.spawnSync(argv, { cwd, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${result.stderr.toString()}`);
}

/** The date of the release being built: CHANGELOG.md's entry for VERSION, which must exist. */
function releaseDate(): string {
  const release = parseChangelog(readFileSync(join(REPO, "CHANGELOG.md"), "utf8")).find((r) => r.version === VERSION);
  if (!release) throw new Error(`CHANGELOG.md has no "## ${VERSION} - YYYY-MM-DD" entry for package.json's version`);
  return release.date;
}

function buildArchive(work: string, binary: string, manPage: string, a: Arch, date: string): void {
  const top = `pyctl-${VERSION}-linux-${a.machine}`;
  const prefix = join(work, top);
  layOut(prefix, { binary, manPage, installedBy: "archive", zshDir: "site-functions" });
  const doc = join(prefix, "share", "doc", "pyctl");
  put(join(doc, "copyright"), readFileSync(join(REPO, "packaging", "debian", "copyright")));
  put(join(doc, "CHANGELOG.md"), readFileSync(join(REPO, "CHANGELOG.md")));
  const owner = ["--owner=0", "--group=0", "--numeric-owner", "--sort=name", `--mtime=${date}`];
  run(["tar", ...owner, "-czf", join(DIST, archiveName(a)), top], work);
}

function sha256sums(): void {
  const names = readdirSync(DIST)
    .filter((n) => n.endsWith(".deb") || n.endsWith(".tar.gz") || n === "install.sh")
    .sort();
  const lines = names.map(
    (n) => `${new Bun.CryptoHasher("sha256").update(readFileSync(join(DIST, n))).digest("hex")}  ${n}\n`,
  );
  writeFileSync(join(DIST, "SHA256SUMS"), lines.join(""));
}

export function packageRelease(arches: Arch[]): void {
  const date = releaseDate();
  const manPage = renderManPage(date);
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  const work = join(DIST, ".work");
  for (const a of arches) {
    const binary = join(work, `pyctl-${a.deb}`);
    mkdirSync(work, { recursive: true });
    if (!buildPyctl(binary, a.node === hostArch ? undefined : a.bun)) throw new Error(`bun build for ${a.bun} failed`);
    buildDeb({
      stage: join(work, `deb-${a.deb}`),
      binary,
      manPage,
      version: VERSION,
      arch: a.deb,
      out: join(DIST, debName(a)),
    });
    buildArchive(join(work, `tar-${a.deb}`), binary, manPage, a, date);
  }
  copyFileSync(join(REPO, "packaging", "install.sh"), join(DIST, "install.sh"));
  sha256sums();
  rmSync(work, { recursive: true, force: true });
}

function chosenArches(argv: string[]): Arch[] {
  const named = argv.flatMap((arg, i) =>
    arg === "--arch" ? [argv[i + 1]] : arg.startsWith("--arch=") ? [arg.slice(7)] : [],
  );
  if (named.length === 0) return ARCHES;
  return named.map((n) => {
    const found = ARCHES.find((a) => a.deb === n);
    if (!found) throw new Error(`unknown architecture ${n} (amd64 or arm64)`);
    return found;
  });
}

if (import.meta.main) {
  packageRelease(chosenArches(process.argv.slice(2)));
  for (const name of readdirSync(DIST).sort()) {
    console.log(`${(statSync(join(DIST, name)).size / 1e6).toFixed(1).padStart(6)} MB  dist/${name}`);
  }
}
