// The per-user installer (packaging/install.sh) on this machine, as a user without root would run
// it: from a release folder served on 127.0.0.1, checked against SHA256SUMS, into ~/.local, with
// `pyctl init` and `pyctl setup-shell`; again to upgrade; refusing a tampered archive; --uninstall.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { VERSION } from "../../src/core/base/version.ts";
import { makeSandbox, type Sandbox } from "../support/env.ts";
import { releaseDir } from "./artifacts.ts";

const INSTALLER = resolve(import.meta.dir, "..", "..", "packaging", "install.sh");
const BUILD_TIMEOUT = 20 * 60_000;

function serve(dir: string): { url: string; stop: () => void } {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const name = new URL(req.url).pathname.slice(1);
      if (!readdirSync(dir).includes(name)) return new Response("not found\n", { status: 404 });
      return new Response(Bun.file(join(dir, name)));
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => void server.stop(true) };
}

/** Runs without blocking this process's event loop, which serves the release. */
async function run(argv: string[], env: Record<string, string>, stdin?: string) {
  const proc = Bun.spawn(argv, {
    env,
    stdin: stdin === undefined ? "ignore" : Buffer.from(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { out, err, code: await proc.exited };
}

test("install.sh is POSIX sh and shellcheck clean", () => {
  expect(readFileSync(INSTALLER, "utf8").startsWith("#!/bin/sh\n")).toBe(true);
  const r = Bun.spawnSync(["shellcheck", "-s", "sh", INSTALLER]);
  expect(r.stdout.toString()).toBe("");
  expect(r.exitCode).toBe(0);
});

/** pyctl's folder for the Python the installer's `pyctl init` takes: the first python3 on `path`. */
function initKey(path: string): string {
  const python3 = Bun.which("python3", { PATH: path });
  if (!python3) throw new Error(`no python3 on ${path}`);
  const probe = Bun.spawnSync([python3, "-I", "-c", "import sys; print('py%d%d' % sys.version_info[:2])"]);
  return probe.stdout.toString().trim();
}

describe("the per-user installer", () => {
  let sb: Sandbox;
  let env: Record<string, string>;
  let key: string;
  let release: { url: string; stop: () => void };
  beforeAll(() => {
    sb = makeSandbox();
    release = serve(releaseDir());
    // A user's PATH without ~/.local/bin and without any pyctl, Bun or npm.
    env = { ...sb.env, PATH: "/usr/bin:/bin", SHELL: "/bin/zsh", XDG_CACHE_HOME: join(sb.dir, "cache") };
    key = initKey(env.PATH!);
  }, BUILD_TIMEOUT);
  afterAll(() => {
    release?.stop();
    sb?.cleanup();
  });

  test(
    "curl | sh installs into ~/.local, inits, hooks the shells, and says how to load it here",
    async () => {
      const script = await (await fetch(`${release.url}/install.sh`)).text();
      const r = await run(["sh"], { ...env, PYCTL_RELEASE_URL: release.url }, script);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const pyctl = join(sb.home, ".local", "bin", "pyctl");
      expect(r.out).toContain(`installed pyctl ${VERSION} (installed from a release archive`);
      expect(existsSync(join(sb.pyctlHome, key, "venv", "bin", "pip"))).toBe(true);
      expect(readFileSync(join(sb.home, ".bashrc"), "utf8")).toContain("# >>> pyctl >>>");
      expect(readFileSync(join(sb.home, ".local", "share", "pyctl", "hook.bash"), "utf8")).toContain(
        `${pyctl} hook bash`,
      );
      // In the user's own shell (zsh here), by absolute path: ~/.local/bin is not on PATH yet; not
      // setup-shell's line, in bash's words by a bare `pyctl`.
      expect(r.out).not.toContain("load them here");
      const load = r.out
        .split("\n")
        .find((l) => l.includes("hook zsh"))!
        .trim();
      expect(load).toBe(`export PATH="${join(sb.home, ".local", "bin")}:$PATH"; eval "$(${pyctl} hook zsh)"`);
      const loaded = await run(["zsh", "-f", "-c", `${load}; whence -w pip; pyctl --version`], env);
      expect(loaded.out).toBe(
        `pip: function\npyctl ${VERSION} (installed from a release archive: rerun install.sh to update it)\n`,
      );
    },
    BUILD_TIMEOUT,
  );

  test(
    "run again, it upgrades in place and keeps the data",
    async () => {
      const r = await run(["sh", INSTALLER, "--base-url", release.url], env);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`(was: pyctl ${VERSION}`);
      expect(r.out).toContain("already initialised");
    },
    BUILD_TIMEOUT,
  );

  test(
    "an archive that does not match SHA256SUMS is refused and nothing changes",
    async () => {
      const tampered = mkdtempSync(join(tmpdir(), "pyctl-tampered-"));
      cpSync(releaseDir(), tampered, { recursive: true });
      const archive = readdirSync(tampered).find((n) => n.endsWith(".tar.gz"))!;
      writeFileSync(join(tampered, archive), "not the archive");
      const bad = serve(tampered);
      try {
        const r = await run(["sh", INSTALLER, "--base-url", bad.url], env);
        expect(r.code).toBe(1);
        expect(r.err).toBe(`pyctl-install: ${archive} does not match its SHA256SUMS entry: not installed\n`);
        expect(existsSync(join(sb.home, ".local", "bin", "pyctl"))).toBe(true);
      } finally {
        bad.stop();
      }
    },
    BUILD_TIMEOUT,
  );

  test(
    "--uninstall removes the program and hook, keeps the packages",
    async () => {
      const r = await run(["sh", INSTALLER, "--uninstall"], env);
      expect(r.code).toBe(0);
      expect(existsSync(join(sb.home, ".local", "bin", "pyctl"))).toBe(false);
      expect(existsSync(join(sb.home, ".local", "share", "pyctl"))).toBe(false);
      expect(readFileSync(join(sb.home, ".bashrc"), "utf8")).not.toContain("# >>> pyctl >>>");
      expect(existsSync(join(sb.pyctlHome, key, "venv", "bin", "pip"))).toBe(true);
    },
    BUILD_TIMEOUT,
  );
});
