/**
 * The PEP 668 scenario end to end, as a real non-root user whose python3 is Debian's
 * externally managed python3 (the Python under test, when it is Debian's): without the hook `pip install` is refused; after
 * `pyctl setup-shell`, in an interactive bash reading their own ~/.bashrc, it just works.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fixtures, PY, pyctlBin, testPython } from "../support/env.ts";
import { isRoot, titled } from "../support/skip.ts";

const SBIN = "/usr/sbin:/sbin:/usr/bin:/bin";
import { Session } from "./tty.ts";

const [canRun, TITLE] = titled("a non-root user on Debian's externally managed python3", {
  root: isRoot,
  "useradd and runuser": Bun.which("useradd", { PATH: SBIN }) !== null && Bun.which("runuser", { PATH: SBIN }) !== null,
  "an externally managed Python under test (Debian's python3)": testPython().externallyManaged,
});

describe.if(canRun)(TITLE, () => {
  const user = `pyctl${process.pid % 100000}`;
  let shared: string;
  let home: string;
  let env: Record<string, string>;
  let s: Session | undefined;

  /** Runs a command as the user, with exactly `env`. */
  function asUser(command: string[]): { code: number; out: string } {
    const result = Bun.spawnSync(
      ["runuser", "-u", user, "--", "env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command],
      { cwd: home },
    );
    return { code: result.exitCode ?? 1, out: result.stdout.toString() + result.stderr.toString() };
  }

  beforeAll(async () => {
    // Everything the user needs (pyctl, their home, the session files) in a world-readable place.
    shared = mkdtempSync(join(tmpdir(), "pyctl-pep668-"));
    chmodSync(shared, 0o755);
    mkdirSync(join(shared, "bin"));
    copyFileSync(pyctlBin(), join(shared, "bin", "pyctl"));
    chmodSync(join(shared, "bin", "pyctl"), 0o755);
    home = join(shared, "home");
    const added = Bun.spawnSync(["useradd", "--create-home", "--home-dir", home, "--shell", "/bin/bash", user]);
    if (added.exitCode !== 0) throw new Error(`useradd: ${added.stderr.toString()}`);
    const { index } = await fixtures();
    env = {
      HOME: home,
      USER: user,
      LOGNAME: user,
      LANG: "C.UTF-8",
      NO_COLOR: "1",
      PATH: `${join(shared, "bin")}:${dirname(PY.real)}:/usr/bin:/bin`,
      PIP_CONFIG_FILE: "/dev/null",
      PIP_INDEX_URL: `${index.url}/simple`,
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
      PIP_NO_INPUT: "1",
    };
  });

  afterAll(() => {
    s?.close();
    // userdel refuses while the user's shell is still exiting.
    for (let attempt = 0; attempt < 50; attempt++) {
      if (Bun.spawnSync(["userdel", "--remove", user], { stderr: "ignore" }).exitCode === 0) break;
      Bun.sleepSync(100);
    }
    rmSync(shared, { recursive: true, force: true });
  });

  test("without the hook, pip install is refused as externally-managed-environment", () => {
    expect(asUser(["sh", "-c", "command -v python3"]).out.trim()).toBe(join(dirname(PY.real), "python3"));
    const refused = asUser([PY.real, "-m", "pip", "install", "alpha"]);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain("externally-managed-environment");
  });

  test("with the hook: pip install works without sudo, the script runs, the import works, history shows it", async () => {
    expect(asUser(["pyctl", "setup-shell"]).code).toBe(0);
    s = new Session("bash", { env, rc: `. "$HOME/.bashrc"`, parent: shared, user });
    await s.ready();
    const install = await s.run("pip install alpha==1.0");
    expect(install.code).toBe(0);
    expect(install.out).not.toContain("externally-managed-environment");
    expect((await s.run("alpha")).out).toBe("alpha 1.0\n");
    const venv = join(home, ".local", "python-packages", PY.key, "venv");
    expect((await s.run(`python3 -c 'import alpha; print(alpha.__file__)'`)).out).toBe(
      `${venv}/lib/python${PY.version}/site-packages/alpha.py\n`,
    );
    const history = await s.run("pyctl history");
    expect(history.code).toBe(0);
    expect(history.out).toMatch(/#1 .*pip install alpha==1\.0/);
    // The user's own files only: nothing landed in the system Python.
    expect(existsSync("/usr/lib/python3/dist-packages/alpha.py")).toBe(false);
    expect(asUser(["sh", "-c", `stat -c %U ~/.local/python-packages/${PY.key}/venv`]).out.trim()).toBe(user);
  });
});
