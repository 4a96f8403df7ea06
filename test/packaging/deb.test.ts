// The .deb and the release archive as built by `bun run package`: Debian's layout, lintian clean
// apart from the documented overrides, the binary unstripped, one version everywhere, and a man
// page that names every command and option of the command table.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { COMMANDS } from "../../src/commands/index.ts";
import { VERSION } from "../../src/core/base/version.ts";
import { hostDebArch, releaseDir } from "./artifacts.ts";

const missing = ["dpkg-deb", "lintian"].filter((tool) => !Bun.which(tool));
/** The first test builds the artifacts (a few minutes on a busy machine). */
const BUILD_TIMEOUT = 20 * 60_000;
const machine = hostDebArch() === "arm64" ? "aarch64" : "x86_64";

function sh(argv: string[]): { out: string; code: number } {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  return { out: r.stdout.toString() + r.stderr.toString(), code: r.exitCode };
}

describe.skipIf(missing.length > 0)(
  `release artifacts ${missing.length ? `(${missing.join(", ")} missing)` : ""}`,
  () => {
    const deb = () => join(releaseDir(), `pyctl_${VERSION}_${hostDebArch()}.deb`);

    test(
      "the .deb has Debian's layout, fields and md5sums",
      () => {
        const files = sh(["dpkg-deb", "-c", deb()]).out;
        for (const path of [
          "./usr/bin/pyctl",
          "./usr/share/bash-completion/completions/pyctl",
          "./usr/share/zsh/vendor-completions/_pyctl",
          "./usr/share/fish/vendor_completions.d/pyctl.fish",
          "./usr/share/man/man1/pyctl.1.gz",
          "./usr/share/doc/pyctl/copyright",
          "./usr/share/doc/pyctl/changelog.gz",
          "./usr/share/doc/pyctl/README.Debian",
          "./usr/share/lintian/overrides/pyctl",
          "./usr/share/pyctl/hook.bash",
        ]) {
          expect(files).toContain(` ${path}\n`);
        }
        expect(files).not.toMatch(/ \.\/(etc|home|root)\//);
        const info = sh(["dpkg-deb", "-I", deb()]).out;
        expect(info).toContain(`Version: ${VERSION}`);
        expect(info).toMatch(/Depends: .*python3, python3-venv/);
        expect(info).not.toMatch(/Depends:.*(node|bun)/);
        for (const field of ["Description:", "Section:", "Priority:", "Installed-Size:", "Homepage:"]) {
          expect(info).toContain(field);
        }
        expect(info).toContain("md5sums");
        expect(info).not.toMatch(/\b(postinst|preinst|postrm|prerm)\b/);
      },
      BUILD_TIMEOUT,
    );

    test(
      "lintian: no error or warning but Bun's, each overridden with a reason",
      () => {
        const result = sh(["lintian", "--allow-root", "--fail-on", "error,warning", deb()]);
        expect(result.out.split("\n").filter((l) => /^[EW]: /.test(l))).toEqual([]);
        expect(result.code).toBe(0);
        const overrides = readFileSync(
          join(import.meta.dir, "..", "..", "packaging", "debian", "lintian-overrides"),
          "utf8",
        );
        for (const line of overrides.split("\n").filter((l) => l.startsWith("pyctl:"))) {
          const before = overrides.slice(0, overrides.indexOf(line)).trimEnd().split("\n").at(-1)!;
          expect(before.startsWith("#") || before.startsWith("pyctl:")).toBe(true);
        }
      },
      BUILD_TIMEOUT,
    );

    test(
      "the binary is not stripped and knows its version and where it came from",
      () => {
        const dir = mkdtempSync(join(tmpdir(), "pyctl-deb-"));
        expect(sh(["dpkg-deb", "-x", deb(), dir]).code).toBe(0);
        const version = sh([join(dir, "usr", "bin", "pyctl"), "--version"]);
        expect(version.out).toBe(`pyctl ${VERSION} (installed from the Debian package: update it with apt)\n`);
        const page = gunzipSync(readFileSync(join(dir, "usr", "share", "man", "man1", "pyctl.1.gz"))).toString();
        expect(page).toContain(`"pyctl ${VERSION}"`);
        for (const spec of COMMANDS.filter((c) => !c.hidden)) {
          expect(page).toContain(`\\fBpyctl ${spec.name.replaceAll("-", "\\-")}\\fR`);
          for (const o of spec.options) expect(page).toContain(`\\fB${o.flag.replaceAll("-", "\\-")}\\fR`);
        }
        for (const section of ["FILES", "ENVIRONMENT", "EXIT STATUS"]) expect(page).toContain(`.SH ${section}`);
        for (const shell of ["bash", "zsh", "fish"]) {
          const snippet = readFileSync(join(dir, "usr", "share", "pyctl", `hook.${shell}`), "utf8");
          expect(snippet).toContain(`/usr/bin/pyctl hook ${shell}`);
          expect(snippet).not.toContain("@");
        }
        const changelog = gunzipSync(
          readFileSync(join(dir, "usr", "share", "doc", "pyctl", "changelog.gz")),
        ).toString();
        expect(changelog.startsWith(`pyctl (${VERSION}) unstable; urgency=medium\n`)).toBe(true);
      },
      BUILD_TIMEOUT,
    );

    test(
      "archive, SHA256SUMS and installer are named for the one version",
      () => {
        const dist = releaseDir();
        const archive = `pyctl-${VERSION}-linux-${machine}.tar.gz`;
        const sums = readFileSync(join(dist, "SHA256SUMS"), "utf8");
        for (const name of [archive, `pyctl_${VERSION}_${hostDebArch()}.deb`, "install.sh"]) {
          expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  ${name.replaceAll(".", "\\.")}$`, "m"));
        }
        const check = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: dist });
        expect(check.exitCode).toBe(0);
        const listing = sh(["tar", "-tzf", join(dist, archive)]).out;
        const top = `pyctl-${VERSION}-linux-${machine}`;
        for (const path of [
          "bin/pyctl",
          "share/man/man1/pyctl.1.gz",
          "share/pyctl/hook.bash",
          "share/bash-completion/completions/pyctl",
        ]) {
          expect(listing).toContain(`${top}/${path}\n`);
        }
      },
      BUILD_TIMEOUT,
    );
  },
);
