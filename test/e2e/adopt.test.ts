// `pyctl adopt` as a real non-root user, from a real `pip install --user --break-system-packages`
// made by the Python under test (Debian's python3 by default): the packages move into the venv (imports and console
// scripts work from there), ~/.local is empty of them, and `pyctl undo` puts ~/.local back
// exactly. Then another venv and a `pip install --target` folder, and the bad input lines.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  unlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fixtures, literal, newerVersion, othersCanRun, PY, pyctlBin } from "../support/env.ts";
import { asRealUser, USER_TOOLS } from "../support/skip.ts";

const { useradd: USERADD, userdel: USERDEL, runuser: RUNUSER } = USER_TOOLS;
const [canRun, TITLE] = asRealUser("adopt, as a real user", othersCanRun(PY.real));
/** A version the Python under test is not, for a wheel that must not fit. */
const FOREIGN = newerVersion();
const FOREIGN_TAG = FOREIGN.replace(".", "");
const SUPPORT = join(import.meta.dir, "..", "support");

/** Every file, folder and symlink under `root` (but `skip`), with mode, size and content hash. */
function fileSet(root: string, skip: string): string[] {
  const lines: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (path === skip) continue;
      const st = lstatSync(path);
      const rel = relative(root, path);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        lines.push(`d ${mode} ${rel}`);
        visit(path);
      } else if (st.isSymbolicLink()) lines.push(`l ${rel} -> ${readlinkSync(path)}`);
      else lines.push(`f ${mode} ${st.size} ${createHash("sha256").update(readFileSync(path)).digest("hex")} ${rel}`);
    }
  };
  visit(root);
  return lines;
}

describe.if(canRun)(TITLE, () => {
  const user = `pyadopt${process.pid % 100000}`;
  let shared: string;
  let home: string;
  let local: string;
  let venv: string;
  let wheels: string;
  let env: Record<string, string>;

  function asUser(command: string[], extra: Record<string, string> = {}): { code: number; out: string; err: string } {
    const vars = Object.entries({ ...env, ...extra }).map(([k, v]) => `${k}=${v}`);
    const r = Bun.spawnSync([RUNUSER!, "-u", user, "--", "env", "-i", ...vars, ...command], {
      cwd: home,
      stdin: "ignore",
    });
    return { code: r.exitCode ?? 1, out: r.stdout.toString(), err: r.stderr.toString() };
  }
  const pyctl = (...args: string[]) => asUser(["pyctl", ...args]);
  const python = (code: string) => asUser([join(venv, "bin", "python"), "-c", code]);
  const localSet = () => fileSet(local, join(local, "python-packages"));
  const historyCount = () => readdirSync(join(venv, "..", "history")).length;

  beforeAll(async () => {
    shared = mkdtempSync(join(tmpdir(), "pyctl-adopt-"));
    chmodSync(shared, 0o755);
    mkdirSync(join(shared, "bin"));
    copyFileSync(pyctlBin(), join(shared, "bin", "pyctl"));
    chmodSync(join(shared, "bin", "pyctl"), 0o755);
    home = join(shared, "home");
    local = join(home, ".local");
    venv = join(local, "python-packages", PY.key, "venv");
    const added = Bun.spawnSync([USERADD!, "--create-home", "--home-dir", home, "--shell", "/bin/bash", user]);
    if (added.exitCode !== 0) throw new Error(`useradd: ${added.stderr.toString()}`);
    // A wheel compiled for another Python (its WHEEL tag and its extension's ABI suffix say so).
    wheels = join(shared, "wheels");
    mkdirSync(wheels);
    const so = `omega/_speedups.cpython-${FOREIGN_TAG}-x86_64-linux-gnu.so`;
    const build = `import sys; sys.path.insert(0, ${JSON.stringify(SUPPORT)}); import wheels; wheels.build(sys.argv[1], "omega", "1.0", files={"omega/__init__.py": "", ${JSON.stringify(so)}: "not really ELF"}, tag="cp${FOREIGN_TAG}-cp${FOREIGN_TAG}-linux_x86_64", root_is_purelib=False)`;
    expect(Bun.spawnSync([PY.real, "-c", build, wheels]).exitCode).toBe(0);
    chmodSync(wheels, 0o755);
    const { index } = await fixtures();
    env = {
      HOME: home,
      USER: user,
      LOGNAME: user,
      LANG: "C.UTF-8",
      NO_COLOR: "1",
      PYCTL_TIER: "user",
      PATH: `${join(shared, "bin")}:/usr/local/bin:/usr/bin:/bin`,
      PIP_CONFIG_FILE: "/dev/null",
      PIP_INDEX_URL: `${index.url}/simple`,
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
      PIP_NO_INPUT: "1",
      PIP_NO_WARN_SCRIPT_LOCATION: "1",
    };
    expect(pyctl("init", "--python", PY.real).code).toBe(0);
  });

  afterAll(() => {
    for (let attempt = 0; attempt < 50; attempt++) {
      if (Bun.spawnSync([USERDEL!, "--remove", user], { stderr: "ignore" }).exitCode === 0) break;
      Bun.sleepSync(100);
    }
    rmSync(shared, { recursive: true, force: true });
  });

  test("from `pip install --user --break-system-packages`: moved, working from the venv, and undo restores ~/.local exactly", () => {
    expect(pyctl("pip", "--", "install", "-q", "delta==1.5").code).toBe(0);
    const userPip = [PY.real, "-m", "pip", "install", "-q", "--user", "--break-system-packages"];
    expect(asUser([...userPip, "beta==1.0"]).code).toBe(0); // beta explicit, alpha as its dependency
    expect(asUser([...userPip, "delta==1.0", "epsilon==1.0"]).code).toBe(0);
    const site = join(local, "lib", `python${PY.version}`, "site-packages");
    unlinkSync(join(site, "epsilon-1.0.dist-info", "RECORD")); // as a distutils-era install has none
    expect(asUser([PY.real, "-c", "import alpha"]).code).toBe(0); // the shadowing a Debian program would see
    const before = localSet();
    expect(before.filter((l) => / bin\/(alpha|beta)$/.test(l))).toHaveLength(2);

    // No terminal, no --yes: the plan (who wins and why) is shown, then one line, and nothing moves.
    const refused = pyctl("adopt");
    expect(refused.code).not.toBe(0);
    expect(refused.err.trim().split("\n")).toHaveLength(1);
    expect(refused.err).toMatch(
      new RegExp(
        String.raw`^pyctl: adopt removes what it moves from ~\/\.local\/lib\/python${literal(PY.version)}\/site-packages and asks first; there is no terminal`,
      ),
    );
    expect(refused.out).toContain("! delta: the venv's 1.5 wins over the user site's 1.0");
    expect(localSet()).toEqual(before);

    const dry = pyctl("adopt", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("  + alpha 2.0 (dependency, scripts: alpha)\n  + beta 1.0 (explicit, scripts: beta)\n");
    expect(dry.out).toContain("  stays: epsilon 1.0: its RECORD is missing");
    expect(dry.out).toContain("dry run: nothing changed");
    expect(localSet()).toEqual(before);

    const adopted = pyctl("adopt", "--yes");
    expect(adopted.code).toBe(0);
    expect(adopted.err).toMatch(
      new RegExp(
        `moved 2 package\\(s\\) into ~/\\.local/python-packages/${PY.key}/venv; \\d+ files removed from ~/\\.local; recorded as #2`,
      ),
    );
    // Imports and console scripts work from the venv; scripts name the venv's python; REQUESTED kept.
    expect(python("import alpha, beta; print(alpha.__file__, beta.__file__)").out).toBe(
      `${venv}/lib/python${PY.version}/site-packages/alpha.py ${venv}/lib/python${PY.version}/site-packages/beta.py\n`,
    );
    expect(asUser([join(venv, "bin", "beta")]).out).toBe("beta 1.0\n");
    expect(readFileSync(join(venv, "bin", "alpha"), "utf8").split("\n")[0]).toBe(`#!${venv}/bin/python`);
    expect(pyctl("list").out).toMatch(
      /alpha\s+2\.0\s+dependency[\s\S]*beta\s+1\.0\s+explicit[\s\S]*delta\s+1\.5\s+explicit/,
    );
    expect(asUser([join(venv, "bin", "python"), "-m", "pip", "check"]).code).toBe(0);
    // ~/.local is empty of them; the one that cannot move is left where it was.
    const after = localSet().join("\n");
    for (const gone of ["alpha", "beta", "delta"]) {
      expect(after).not.toContain(`site-packages/${gone}`);
      expect(after).not.toContain(`bin/${gone}`);
    }
    expect(after).toContain("site-packages/epsilon.py");
    expect(asUser([PY.real, "-c", "import alpha"]).code).not.toBe(0);
    expect(pyctl("history").out).toMatch(/#2 .*pyctl adopt .*\+2/);

    // Undo: the venv as before, ~/.local back file for file (modes, sizes, contents).
    const undone = pyctl("undo");
    expect(undone.code).toBe(0);
    expect(undone.err).toContain(`put back`);
    expect(localSet()).toEqual(before);
    expect(python("import alpha").code).not.toBe(0);
    expect(asUser([PY.real, "-c", "import alpha, beta"]).code).toBe(0);
    expect(asUser([join(local, "bin", "beta")]).out).toBe("beta 1.0\n");
  });

  test("another venv: its packages move, its own pip stays and keeps working", () => {
    const other = join(home, "other");
    expect(asUser([PY.real, "-m", "venv", other]).code).toBe(0);
    expect(asUser([join(other, "bin", "pip"), "install", "-q", "zeta==2.0"]).code).toBe(0);
    const adopted = pyctl("adopt", "--yes", other);
    expect(adopted.code).toBe(0);
    expect(adopted.out).toContain("  + eta 1.0 (dependency)\n  + zeta 2.0 (explicit)\n");
    expect(adopted.out).toContain("  stays: pip ");
    expect(python("import zeta, eta; print(zeta.__version__)").out).toBe("2.0\n");
    expect(existsSync(join(other, "lib", `python${PY.version}`, "site-packages", "zeta.py"))).toBe(false);
    expect(asUser([join(other, "bin", "pip"), "--version"]).code).toBe(0);
    expect(pyctl("history", "--limit", "1").out).toContain(`pyctl adopt ${other}`);
    // What adopt kept for its undo goes once its entry is pruned from history.
    const kept = join(venv, "..", "adopted");
    const id = JSON.parse(pyctl("history", "--json", "--limit", "1").out)[0].id;
    expect(readdirSync(kept)).toContain(String(id));
    expect(pyctl("config", "history.max_entries", "1").code).toBe(0);
    expect(pyctl("pip", "--", "install", "-q", "alpha==1.0").code).toBe(0);
    expect(readdirSync(kept)).not.toContain(String(id));
    expect(pyctl("config", "history.max_entries", "100").code).toBe(0);
  });

  test("a `pip install --target` folder: what fits moves; a wheel built for another version is listed and left", () => {
    const target = join(home, "tgt");
    expect(asUser([PY.real, "-m", "pip", "install", "-q", "--target", target, "gamma==1.0", "--no-deps"]).code).toBe(0);
    const foreign = [
      "--target",
      target,
      "--python-version",
      FOREIGN,
      "--only-binary=:all:",
      "--no-deps",
      "--no-index",
      "-f",
      wheels,
      "omega==1.0",
    ];
    expect(asUser([PY.real, "-m", "pip", "install", "-q", ...foreign]).code).toBe(0);
    const adopted = pyctl("adopt", "--yes", target);
    expect(adopted.code).toBe(0);
    expect(adopted.out).toContain("  + gamma 1.0 (explicit)");
    expect(adopted.out).toContain("  note: gamma 1.0 needs beta, which is not there (`pip install` it afterwards)");
    expect(adopted.out).toContain(
      `  stays: omega 1.0: compiled for Python ${FOREIGN} (_speedups.cpython-${FOREIGN_TAG}-x86_64-linux-gnu.so), the venv is ${PY.version}`,
    );
    expect(python("import gamma; print(gamma.__file__)").out).toBe(
      `${venv}/lib/python${PY.version}/site-packages/gamma.py\n`,
    );
    expect(existsSync(join(target, "gamma.py"))).toBe(false);
    expect(existsSync(join(target, "omega", "__init__.py"))).toBe(true);
    expect(pyctl("list").out).not.toContain("omega");
  });

  test("bad input: one `pyctl:` line, nothing moved", () => {
    const plain = join(home, "plain");
    expect(asUser(["mkdir", "-p", join(plain, "sub")]).code).toBe(0);
    const rootVenv = join(shared, "rootvenv");
    expect(Bun.spawnSync([PY.real, "-m", "venv", "--without-pip", rootVenv]).exitCode).toBe(0);
    const ops = historyCount();
    const cases: [string, RegExp][] = [
      [join(home, "missing"), /^pyctl: \S+\/missing does not exist$/],
      [plain, /^pyctl: \S+\/plain is not a site-packages: it holds no \*\.dist-info folders$/],
      [rootVenv, /^pyctl: \S+\/rootvenv is a venv of another user \(root\); adopt takes only your own/],
      [venv, /^pyctl: \S+ is pyctl's own; adopt takes packages from elsewhere$/],
    ];
    for (const [path, line] of cases) {
      const r = pyctl("adopt", "--yes", path);
      expect(r.code).toBe(1);
      expect(r.out).toBe("");
      const lines = r.err
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("pyctl: hint:"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(line);
    }
    expect(historyCount()).toBe(ops);
  });
});
