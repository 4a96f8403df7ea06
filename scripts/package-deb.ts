/**
 * The .deb, built with dpkg-deb as bat, zoxide and mise build theirs: a staged /usr tree, the
 * Debian docs (DEP-5 copyright, changelog.gz from CHANGELOG.md, README.Debian), lintian
 * overrides, md5sums and a control file with a computed Installed-Size. No maintainer scripts:
 * the package touches nobody's shell files (Debian Policy 10.7.4).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";
import { REPO } from "./build.ts";
import { debianChangelog, parseChangelog } from "./debian-changelog.ts";
import { gzip, layOut, put } from "./package-layout.ts";

export const MAINTAINER = "pyctl developers <pyctl@users.noreply.github.com>";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** As dpkg-gencontrol counts it: each file's size in KiB rounded up, plus one per folder. */
function installedSize(root: string): number {
  const entries = readdirSync(root, { withFileTypes: true, recursive: true });
  return entries.reduce((kib, e) => {
    if (e.isDirectory()) return kib + 1;
    return kib + Math.ceil(statSync(join(e.parentPath, e.name)).size / 1024);
  }, 0);
}

function md5sums(root: string): string {
  return filesUnder(root)
    .filter((f) => !relative(root, f).startsWith("DEBIAN/"))
    .map((f) => `${createHash("md5").update(readFileSync(f)).digest("hex")}  ${relative(root, f)}\n`)
    .join("");
}

function run(argv: string[]): void {
  const result = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${result.stderr.toString()}`);
}

export function buildDeb(opts: {
  stage: string;
  binary: string;
  manPage: string;
  version: string;
  arch: string;
  out: string;
}): void {
  const { stage } = opts;
  const usr = join(stage, "usr");
  layOut(usr, {
    binary: opts.binary,
    manPage: opts.manPage,
    installedBy: "deb",
    pyctl: "/usr/bin/pyctl",
    share: "/usr/share/pyctl",
    zshDir: "vendor-completions",
  });
  const packaging = (name: string) => readFileSync(join(REPO, "packaging", "debian", name), "utf8");
  const doc = join(usr, "share", "doc", "pyctl");
  put(join(doc, "copyright"), packaging("copyright"));
  put(join(doc, "README.Debian"), packaging("README.Debian"));
  const changelog = debianChangelog(parseChangelog(readFileSync(join(REPO, "CHANGELOG.md"), "utf8")), MAINTAINER);
  put(join(doc, "changelog.gz"), gzip(changelog));
  put(join(usr, "share", "lintian", "overrides", "pyctl"), packaging("lintian-overrides"));
  const control = packaging("control.in")
    .replace("@VERSION@", opts.version)
    .replace("@ARCH@", opts.arch)
    .replace("@INSTALLED_SIZE@", String(installedSize(usr)));
  put(join(stage, "DEBIAN", "md5sums"), md5sums(stage));
  put(join(stage, "DEBIAN", "control"), control);
  run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", stage, opts.out]);
}
