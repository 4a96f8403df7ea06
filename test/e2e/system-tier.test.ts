// The system tier: `./install.sh --system` as root, then root and a real non-root user (made by
// the test with useradd) each installing; the user can never write the system tier.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeSandbox, othersCanRun, PY, pyctlBin, type Result, type Sandbox, sh } from "../support/env.ts";
import { asRealUser, USER_TOOLS } from "../support/skip.ts";
import { looseModes } from "../../src/core/doctor/doctor.ts";

const REPO = resolve(import.meta.dir, "..", "..");
const { useradd: USERADD, userdel: USERDEL, runuser: RUNUSER } = USER_TOOLS;
const [canRun, TITLE] = asRealUser("system tier", othersCanRun(PY.real));

describe.if(canRun)(TITLE, () => {
  let sb: Sandbox;
  let base: string;
  let system: string;
  let prefix: string;
  let userHome: string;
  const user = `pyctl-t${process.pid}`;
  let uid = 0;

  /** Root's environment: no PYCTL_TIER, so root acts on the system tier once it is set up. */
  const asRoot = (cmd: string[]): Result =>
    sh(cmd, sb, { env: { PYCTL_TIER: undefined, PYCTL_SYSTEM_HOME: system, PYCTL_SYSTEM_ROOT: join(base, "root") } });
  /** The user's environment, from scratch, run through runuser. */
  const asUser = (cmd: string[], extra: Record<string, string> = {}): Result => {
    const env = {
      HOME: userHome,
      USER: user,
      LOGNAME: user,
      LANG: "C.UTF-8",
      PATH: `${prefix}/bin:/usr/bin:/bin`,
      NO_COLOR: "1",
      PYCTL_SYSTEM_HOME: system,
      PIP_CONFIG_FILE: "/dev/null",
      PIP_INDEX_URL: sb.env.PIP_INDEX_URL!,
      PIP_DISABLE_PIP_VERSION_CHECK: "1",
      ...extra,
    };
    // env by its path: runuser searches the sandbox PATH, which is in root's own (0700) run dir
    return sh(
      [RUNUSER!, "-u", user, "--", "/usr/bin/env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...cmd],
      sb,
      { cwd: userHome },
    );
  };
  const systemVenv = () => join(system, PY.key, "venv");
  const systemFreeze = () => sh([join(systemVenv(), "bin", "python"), "-m", "pip", "freeze"], sb).stdout;

  beforeAll(() => {
    sb = makeSandbox();
    base = mkdtempSync(join(tmpdir(), "pyctl-system-"));
    chmodSync(base, 0o755); // traversable by the test user, so only pyctl's own modes can stop them
    system = join(base, "opt", "system-python");
    prefix = join(base, "usr-local");
    userHome = join(base, "home", user);
    mkdirSync(userHome, { recursive: true });
    chmodSync(join(base, "home"), 0o755);
    expect(sh([USERADD!, "--no-create-home", "--home-dir", userHome, "--shell", "/bin/bash", user], sb).code).toBe(0);
    uid = Number(sh(["id", "-u", user], sb).stdout.trim()); // from here on afterAll deletes the user
    chownSync(userHome, uid, uid);
  });

  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
    if (uid) sh([USERDEL!, user], sb);
  });

  test("install.sh --system installs pyctl for all users, the hooks, and a root-locked system tier", () => {
    const env = {
      PYCTL_BINARY: pyctlBin(),
      PYCTL_PREFIX: prefix,
      PYCTL_SYSTEM_HOME: system,
      PYCTL_SYSTEM_ROOT: join(base, "root"),
      PYCTL_PYTHON: PY.real,
      PYCTL_TIER: undefined,
    };
    const r = sh(["bash", join(REPO, "install.sh"), "--system"], sb, { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const bin = lstatSync(join(prefix, "bin", "pyctl"));
    expect([bin.uid, bin.mode & 0o777]).toEqual([0, 0o755]);
    const venv = lstatSync(systemVenv());
    expect([venv.uid, venv.mode & 0o777]).toEqual([0, 0o755]);
    expect(looseModes(system)).toEqual([]);
    expect(readFileSync(join(system, "config.toml"), "utf8")).toContain(`default = "${PY.version}"`);
    const rc = ["etc/bash.bashrc", "etc/profile.d/pyctl.sh"]
      .map((f) => join(base, "root", f))
      .find((f) => existsSync(f))!;
    expect(readFileSync(rc, "utf8")).toContain(`${prefix}/bin/pyctl`);
    expect(existsSync(join(base, "root", "etc", "fish", "conf.d", "pyctl.fish"))).toBe(true);
  });

  test("root's recorded pip install goes to the system tier, with its own history", () => {
    const r = asRoot([join(prefix, "bin", "pyctl"), "pip", "--", "install", "-q", "alpha==1.0"]);
    expect(r.code).toBe(0);
    expect(systemFreeze()).toBe("alpha==1.0\n");
    const status = JSON.parse(asRoot([join(prefix, "bin", "pyctl"), "status", "--json"]).stdout);
    expect(status).toMatchObject({ tier: "system", home: system });
    const history = JSON.parse(asRoot([join(prefix, "bin", "pyctl"), "history", "--json"]).stdout);
    expect(history[0]).toMatchObject({ id: 1, command: "pip install -q alpha==1.0", status: "ok" });
    expect(existsSync(join(sb.pyctlHome, PY.key))).toBe(false); // root's own user tier untouched
    expect(looseModes(system)).toEqual([]);
  });

  test("a normal user's pip install goes to their own venv, and the system tier stays as it was", () => {
    const r = asUser(["pyctl", "pip", "--", "install", "-q", "beta==1.0"]);
    expect(r.stderr).toContain("pyctl: created");
    expect(r.code).toBe(0);
    const own = join(userHome, ".local", "python-packages", PY.key, "venv");
    expect(sh([join(own, "bin", "python"), "-m", "pip", "freeze"], sb).stdout).toBe("alpha==2.0\nbeta==1.0\n");
    expect(lstatSync(own).uid).toBe(uid);
    expect(systemFreeze()).toBe("alpha==1.0\n");
    expect(JSON.parse(asUser(["pyctl", "status", "--json"]).stdout).tier).toBe("user");
  });

  test("the user can never write the system tier: pyctl refuses, and so does the filesystem", () => {
    const refused = asUser(["pyctl", "pip", "--", "install", "-q", "delta"], { PYCTL_TIER: "system" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("pyctl: the system tier belongs to root");
    const direct = asUser([join(systemVenv(), "bin", "python"), "-m", "pip", "install", "-q", "delta"]);
    expect(direct.code).not.toBe(0);
    expect(direct.stderr).toMatch(/Permission denied|not writeable|Errno 13/i);
    for (const dir of [
      join(systemVenv(), "lib", `python${PY.version}`, "site-packages"),
      join(system, PY.key, "history"),
      join(systemVenv(), "bin"),
    ]) {
      expect(asUser(["touch", join(dir, "intruder")]).code).not.toBe(0);
    }
    expect(systemFreeze()).toBe("alpha==1.0\n");
    expect(existsSync(join(system, PY.key, "history", "002_before.json"))).toBe(false);
  });

  test("doctor (as root) finds a system tier others can write, and --fix locks it again", () => {
    const site = join(systemVenv(), "lib", `python${PY.version}`, "site-packages");
    chmodSync(site, 0o777);
    const doctor = (...args: string[]) =>
      JSON.parse(asRoot([join(prefix, "bin", "pyctl"), "doctor", "--json", ...args]).stdout);
    const found = doctor().checks.find((c: { id: string }) => c.id === "system-permissions");
    expect(found).toMatchObject({ ok: false, fixable: true });
    expect(found.message).toContain(site);
    expect(asUser(["touch", join(site, "intruder")]).code).toBe(0); // the hole is real
    const fixed = doctor("--fix");
    expect(fixed.checks.find((c: { id: string }) => c.id === "system-permissions").ok).toBe(true);
    expect(looseModes(system).filter((p) => !p.endsWith("intruder"))).toEqual([]);
    expect(existsSync(join(site, "intruder"))).toBe(false); // a file no package owns: --fix took it out (recorded)
    expect(asUser(["touch", join(site, "intruder")]).code).not.toBe(0);
  });
});
