// Done-when of issue 17: on bare Debian 12 and Debian 13 roots (debootstrap, no Node or Bun), a
// user installs the .deb with apt, runs `pyctl setup-shell`, opens a new shell, and pip install
// works, recorded and undoable, in bash, zsh and fish; `apt remove` keeps the data; a second
// user without sudo installs with the per-user installer from a local release server.
import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../../src/core/base/version.ts";
import { spawnIndex } from "../support/package-index.ts";
import { hostDebArch, releaseDir } from "./artifacts.ts";
import { type LoginShell, RootShell } from "./root-shell.ts";
import { mountAll, removeRoot, SUITES, workingRoot } from "./roots.ts";

const why = [
  process.getuid?.() !== 0 ? "not root (chroot and debootstrap need root)" : "",
  ...["debootstrap", "tmux", "dpkg-deb"].map((tool) => (Bun.which(tool) ? "" : `${tool} is missing`)),
].filter(Boolean);

function inRoot(root: string, command: string): { out: string; code: number } {
  const r = Bun.spawnSync(["chroot", root, "sh", "-c", command], {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", DEBIAN_FRONTEND: "noninteractive", LANG: "C.UTF-8" },
  });
  return { out: r.stdout.toString() + r.stderr.toString(), code: r.exitCode };
}

function must(root: string, command: string): string {
  const r = inRoot(root, command);
  if (r.code !== 0) throw new Error(`in the root: ${command}\n${r.out}`);
  return r.out;
}

/** The fixture wheels (pure Python, any 3.x), built by the host's python3. */
function wheels(): string {
  const dir = mkdtempSync(join(tmpdir(), "pyctl-wheels-"));
  const r = Bun.spawnSync(["python3", join(import.meta.dir, "..", "support", "wheels.py"), dir]);
  if (r.exitCode !== 0) throw new Error(`wheels.py failed: ${r.stderr}`);
  return dir;
}

/** dist/ over HTTP on 127.0.0.1, as a release page serves it. */
function serveRelease(dist: string): { url: string; stop: () => void } {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const name = new URL(req.url).pathname.slice(1);
      if (!readdirSync(dist).includes(name)) return new Response("not found\n", { status: 404 });
      return new Response(Bun.file(join(dist, name)));
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, stop: () => void server.stop(true) };
}

/** pip install through the hook, the console script, history, undo and Tab completion. */
async function pipRound(s: RootShell, index: string, pkg: "alpha" | "beta"): Promise<void> {
  const install = await s.run(`pip install --index-url ${index}/simple ${pkg}`);
  expect(install).toMatchObject({ code: 0 });
  expect(install.out).toMatch(new RegExp(`Successfully installed .*${pkg}-2\\.0`));
  expect(await s.run(pkg)).toEqual({ out: `${pkg} 2.0\n`, code: 0 });
  const history = await s.run("pyctl history");
  expect(history.out).toContain(`pip install --index-url ${index}/simple ${pkg}`);
  expect(await s.run("pyctl undo")).toMatchObject({ code: 0 });
  expect((await s.run(`pip show ${pkg}`)).code).not.toBe(0);
  s.send("pyctl hist");
  s.keys("Tab");
  await s.waitForScreen(/pyctl history\s*$/m);
  s.keys("C-u");
}

async function withShell(root: string, user: string, shell: LoginShell, body: (s: RootShell) => Promise<void>) {
  const s = new RootShell(root, user, shell);
  try {
    expect(await s.run("true", 60_000)).toEqual({ out: "", code: 0 });
    await body(s);
  } finally {
    s.close();
  }
}

/** The .deb repacked as version VERSION+upgrade (gzip: it only has to be quick), installed over the first. */
function upgradeInRoot(root: string, deb: string): void {
  const work = mkdtempSync(join(tmpdir(), "pyctl-upgrade-"));
  try {
    const unpack = Bun.spawnSync(["dpkg-deb", "-R", join(releaseDir(), deb), join(work, "pkg")]);
    if (unpack.exitCode !== 0) throw new Error(`dpkg-deb -R: ${unpack.stderr}`);
    const control = join(work, "pkg", "DEBIAN", "control");
    writeFileSync(control, readFileSync(control, "utf8").replace(/^Version: .*$/m, `Version: ${VERSION}+upgrade`));
    const newer = join(root, "tmp", "pyctl-upgrade.deb");
    const pack = Bun.spawnSync(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "-b", join(work, "pkg"), newer]);
    if (pack.exitCode !== 0) throw new Error(`dpkg-deb -b: ${pack.stderr}`);
    must(root, "apt-get install -y /tmp/pyctl-upgrade.deb");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function debianPackageRound(root: string, index: string): Promise<void> {
  const deb = `pyctl_${VERSION}_${hostDebArch()}.deb`;
  copyFileSync(join(releaseDir(), deb), join(root, "tmp", deb));
  must(root, `cd /tmp && apt-get install -y ./${deb}`);
  must(root, "useradd -m -s /bin/bash alice && useradd -m -s /bin/bash bob");
  expect(inRoot(root, "runuser -u alice -- pyctl --version").out).toContain(
    `pyctl ${VERSION} (installed from the Debian package`,
  );
  // Until setup-shell: status says how, and so does the first command typed on a terminal.
  expect(must(root, "runuser -l alice -c 'pyctl status'")).toContain("run `pyctl setup-shell`");
  await withShell(root, "alice", "bash", async (s) => {
    s.send("pyctl list");
    s.keys("Enter");
    await s.waitForScreen("the shell hook is not set up: run `pyctl setup-shell`");
    expect(await s.run("pyctl setup-shell")).toMatchObject({ code: 0 });
  });
  // A new shell, as a user would open, in each shell Debian ships.
  await withShell(root, "alice", "bash", async (s) => {
    await pipRound(s, index, "alpha");
    const man = await s.run("MANPAGER=cat man pyctl");
    expect(man.out).toContain("setup-shell");
    expect(man.out).toContain("EXIT STATUS");
  });
  // An upgrade (the same program as a newer package) keeps her data and set-up working.
  upgradeInRoot(root, deb);
  expect(must(root, "dpkg-query -W pyctl")).toBe(`pyctl\t${VERSION}+upgrade\n`);
  for (const shell of ["zsh", "fish"] as const) {
    must(root, `runuser -u alice -- mkdir -p /home/alice/.local/share/fish/generated_completions`);
    await withShell(root, "alice", shell, (s) => pipRound(s, index, "beta"));
  }
  expect(must(root, "runuser -l alice -c 'pyctl history'")).toContain("alpha");
  // setup-shell --remove from the newer package takes out what the older one put in.
  must(root, "runuser -l alice -c 'pyctl setup-shell --remove'");
  expect(readFileSync(join(root, "home", "alice", ".bashrc"), "utf8")).not.toContain("# >>> pyctl >>>");
  must(root, "runuser -l alice -c 'pyctl setup-shell'");
  // The root's own python3 names the venv's folder (Debian 12: 3.11, Debian 13: 3.13).
  const py = must(root, `python3 -c 'import sys; print("py%d%d" % sys.version_info[:2])'`).trim();
  must(root, "apt-get remove -y pyctl");
  expect(existsSync(join(root, "usr", "bin", "pyctl"))).toBe(false);
  // Checked inside the root: the venv's python links to the root's /usr/bin/python3.X.
  must(
    root,
    `cd /home/alice/.local/python-packages/${py} && test -x venv/bin/python && test -d history && test -x venv/bin/pip`,
  );
  // Her shells still start cleanly without the program.
  await withShell(root, "alice", "bash", async (s) => {
    expect(await s.run("type -t pip || echo no-hook")).toEqual({ out: "no-hook\n", code: 0 });
    expect(s.screen()).not.toMatch(/pyctl|No such file/);
  });
}

async function perUserRound(root: string, index: string, release: string): Promise<void> {
  await withShell(root, "bob", "bash", async (s) => {
    const installed = await s.run(`curl -fsSL ${release}/install.sh | PYCTL_RELEASE_URL=${release} sh`);
    expect(installed).toMatchObject({ code: 0 });
    // The line it prints loads pyctl in this very shell, ~/.local/bin not yet on PATH.
    const load = installed.out.split("\n").findLast((l) => l.includes("hook bash"))!;
    expect(load).toContain("/home/bob/.local/bin");
    expect(await s.run(load.trim())).toMatchObject({ code: 0 });
    expect((await s.run("pyctl --version")).out).toContain("installed from a release archive");
    await pipRound(s, index, "alpha");
    // Again: an upgrade in place, data kept.
    expect(await s.run(`sh -c "$(curl -fsSL ${release}/install.sh)" -- --base-url ${release}`)).toMatchObject({
      code: 0,
    });
    expect((await s.run("pyctl history")).out).toContain("undo");
    expect((await s.run("pyctl --version")).out).toContain(`pyctl ${VERSION} (installed from a release archive`);
  });
}

describe.skipIf(why.length > 0)(`bare Debian roots ${why.length ? `(skipped: ${why.join("; ")})` : ""}`, () => {
  for (const suite of SUITES) {
    test(
      `Debian ${suite === "bookworm" ? 12 : 13} (${suite}): apt install, setup-shell, pip round in bash/zsh/fish, apt remove; per-user installer`,
      async () => {
        releaseDir();
        const root = workingRoot(suite);
        const index = spawnIndex(wheels());
        const release = serveRelease(releaseDir());
        try {
          mountAll(root);
          expect(
            inRoot(root, "command -v node || command -v nodejs || command -v npm || command -v bun"),
          ).toMatchObject({ out: "" });
          await debianPackageRound(root, index.url);
          await perUserRound(root, index.url, release.url);
        } finally {
          release.stop();
          index.stop();
          removeRoot(root);
        }
      },
      45 * 60_000,
    );
  }
});
