// Security (issue 9): credentials never reach history, diff or export; the user tier's data is
// the user's alone whatever the umask; pyctl never writes through a symlink it did not make; and
// a real non-root user can neither block root's lock nor get more than one line for EACCES.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { othersCanRun, PY, pyctlBin, type Result, run, type Sandbox, sh } from "../support/env.ts";
import { asRealUser, USER_TOOLS } from "../support/skip.ts";
import { historyDir, initSandbox, ok, pip, startPaused, versionDir } from "../support/venv-fixtures.ts";

const withAuth = (url: string, auth: string) => url.replace("://", `://${auth}@`);

/** Every file under `dir` (following no symlinks). */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out.push(path);
    if (lstatSync(path).isDirectory()) out.push(...walk(path));
  }
  return out;
}

describe("credentials in pip arguments", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
  });

  test("a password or token in -i, --extra-index-url or a direct URL is redacted in history, diff and export", () => {
    const index = `${sb.env.PIP_INDEX_URL}`;
    const files = index.replace(/\/simple$/, "/files");
    ok(
      pip(
        sb,
        "install",
        "-q",
        "-i",
        withAuth(index, "ann:s3cret-pass"),
        "--extra-index-url",
        withAuth(index, "tok3n-only"),
        "alpha==1.0",
      ),
    );
    ok(pip(sb, "install", "-q", `beta @ ${withAuth(files, "bob:pw-in-url")}/beta-1.0-py3-none-any.whl`));
    const secrets = /s3cret-pass|tok3n-only|pw-in-url/;
    for (const file of readdirSync(historyDir(sb)))
      expect(readFileSync(join(historyDir(sb), file), "utf8")).not.toMatch(secrets);
    const history = ok(run(sb, ["history"])).stdout + ok(run(sb, ["history", "--json"])).stdout;
    expect(history).toContain("ann:****@127.0.0.1");
    expect(history).toContain("://****@127.0.0.1");
    expect(history).toContain("bob:****@127.0.0.1");
    expect(history).not.toMatch(secrets);
    const diff = ok(run(sb, ["diff"])).stdout + ok(run(sb, ["diff", "--json"])).stdout;
    expect(diff).toContain("beta @ http://bob:****@127.0.0.1");
    expect(diff).not.toMatch(secrets);
    expect(ok(run(sb, ["export"])).stdout).not.toMatch(secrets);
    expect(ok(run(sb, ["export", "--format", "pylock"])).stdout).not.toMatch(secrets);
    // The arguments are otherwise recorded as typed.
    const last = JSON.parse(readFileSync(join(historyDir(sb), readdirSync(historyDir(sb)).sort().at(-1)!), "utf8"));
    expect(last.pip_args).toEqual(["install", "-q", `beta @ ${withAuth(files, "bob:****")}/beta-1.0-py3-none-any.whl`]);
  });
});

describe("the user tier's files are the user's alone", () => {
  test("history, snapshot, store, config and lock: 0600 files, 0700 folders, even with umask 000", () => {
    const sb = initSandbox();
    const loose = (args: string[]) => ok(sh(["sh", "-c", 'umask 000; exec "$0" "$@"', pyctlBin(), ...args], sb));
    loose(["pip", "--", "install", "-q", "alpha==1.0"]);
    loose(["snapshot", "mine"]);
    loose(["config", "history.max_entries", "50"]);
    const home = sb.pyctlHome;
    const dirs = [join(home, "snapshots"), historyDir(sb), join(versionDir(sb), "store")];
    for (const dir of dirs) expect(`${dir} ${(statSync(dir).mode & 0o777).toString(8)}`).toBe(`${dir} 700`);
    // Stored package files are hardlinks of the venv's (their modes are pip's); the 0700 store hides them.
    const data = [
      ...dirs.flatMap(walk).filter((p) => !p.includes("/files/")),
      join(home, "config.toml"),
      join(versionDir(sb), "lock"),
    ];
    expect(data.length).toBeGreaterThan(6);
    const wrong = data.filter((p) => lstatSync(p).isFile() && (lstatSync(p).mode & 0o077) !== 0);
    expect(wrong).toEqual([]);
  });
});

describe("symlinks pyctl did not make", () => {
  let sb: Sandbox;
  let victim: string;
  beforeAll(() => {
    sb = initSandbox();
    victim = join(sb.dir, "victim.txt");
  });

  test("a symlink planted at pyXY/lock: pyctl refuses in one line and leaves its target alone", () => {
    writeFileSync(victim, "precious\n");
    rmSync(join(versionDir(sb), "lock"), { force: true });
    symlinkSync(victim, join(versionDir(sb), "lock"));
    const r = pip(sb, "install", "-q", "alpha==1.0");
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")[0]).toBe(
      `pyctl: ${join(versionDir(sb), "lock")} is a symbolic link, not pyctl's lock; pyctl does not write through it`,
    );
    expect(r.stderr).not.toContain("internal error");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    rmSync(join(versionDir(sb), "lock"));
    ok(pip(sb, "install", "-q", "alpha==1.0"));
  });

  test("symlinks planted at history's temp paths are not written through", async () => {
    writeFileSync(victim, "precious\n");
    const paused = await startPaused(sb, ["pip", "--", "install", "-q", "beta==1.0"], "claimed");
    const latest = readdirSync(historyDir(sb)).sort().at(-1)!;
    const id = latest.slice(0, 3);
    for (let n = 1; n <= 40; n++) symlinkSync(victim, join(historyDir(sb), `.${id}_after.json.${paused.pid}.${n}.tmp`));
    process.kill(paused.pid, "SIGINT");
    const r = await paused.finish();
    expect(r.stderr).not.toContain("internal error");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(existsSync(join(historyDir(sb), `${id}_after.json`))).toBe(true);
  });
});

const { useradd: USERADD, userdel: USERDEL, runuser: RUNUSER } = USER_TOOLS;
const [canRun, TITLE] = asRealUser("a non-root user and the system tier", othersCanRun(PY.real));

describe.if(canRun)(TITLE, () => {
  let sb: Sandbox;
  let base: string;
  let system: string;
  const user = `pyctl-s${process.pid}`;
  let uid = 0;
  const asRoot = (args: string[]): Result =>
    run(sb, args, { env: { PYCTL_TIER: "system", PYCTL_SYSTEM_HOME: system } });
  const asUser = (cmd: string[]): Result => {
    const env = {
      HOME: join(base, "home"),
      USER: user,
      LANG: "C.UTF-8",
      PATH: "/usr/bin:/bin",
      NO_COLOR: "1",
      PYCTL_TIER: "system",
      PYCTL_SYSTEM_HOME: system,
    };
    // env by its path: runuser searches the sandbox PATH, which is in root's own (0700) run dir
    return sh(
      [RUNUSER!, "-u", user, "--", "/usr/bin/env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...cmd],
      sb,
      { cwd: "/" },
    );
  };

  beforeAll(() => {
    sb = initSandbox();
    base = mkdtempSync(join(tmpdir(), "pyctl-security-"));
    chmodSync(base, 0o755);
    system = join(base, "system-python");
    mkdirSync(join(base, "home"), { mode: 0o777 });
    chmodSync(join(base, "home"), 0o777);
    expect(
      sh([USERADD!, "--no-create-home", "--home-dir", join(base, "home"), "--shell", "/bin/sh", user], sb).code,
    ).toBe(0);
    uid = Number(sh(["id", "-u", user], sb).stdout.trim());
    copyFileSync(pyctlBin(), join(base, "pyctl")); // the run dir is root's (0700): the user runs this copy
    chmodSync(join(base, "pyctl"), 0o755);
    ok(asRoot(["init", "--python", PY.real]));
    ok(asRoot(["pip", "--", "install", "-q", "alpha==1.0"]));
  });

  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
    if (uid) sh([USERDEL!, user], sb);
  });

  test("the system tier's lock is root's alone: the user cannot open it, so cannot make root wait", () => {
    const lock = join(system, PY.key, "lock");
    const st = statSync(lock);
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);
    expect(statSync(join(system, PY.key)).mode & 0o022).toBe(0); // nobody else can replace it
    // What the issue did: open it read-only and take the flock.
    const take = asUser([
      PY.real,
      "-c",
      `import fcntl; f = open(${JSON.stringify(lock)}); fcntl.flock(f, fcntl.LOCK_EX); print("held")`,
    ]);
    expect(take.stdout).not.toContain("held");
    expect(take.stderr).toContain("PermissionError");
    ok(asRoot(["pip", "--", "install", "-q", "beta==1.0"]));
  });

  test.each([
    [["snapshot", "mine"]],
    [["config", "history.max_entries", "5"]],
    [["doctor", "--fix"]],
    [["delete-snapshot", "baseline"]],
  ])("%p by the user on the system tier: one pyctl: line naming the path and the tier", (args) => {
    const r = asUser([join(base, "pyctl"), ...args]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/internal error|EACCES|\n\s+at /);
    const lines = r.stderr.trim().split("\n");
    const first = lines.find((l) => l.startsWith("pyctl: ") && !l.startsWith("pyctl: hint:"));
    expect(first).toBeDefined();
    expect(first!).toContain("system tier");
    expect(first!).toContain(system);
  });
});
