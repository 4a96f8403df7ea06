// The Ansible role (contrib/ansible/roles/pyctl) run by Debian's ansible-core against this machine
// (connection: local) for a non-root user the test creates: first run changed, second ok,
// --check --diff after an edit predicts the change and changes nothing, a package the index
// lacks fails with its error code and leaves the venv as it was. pip reaches the test's index
// through the role's pyctl_environment.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fixtures, pyctlBin } from "../support/env.ts";

const ROLES = resolve(import.meta.dir, "..", "..", "contrib", "ansible", "roles");
const isRoot = process.getuid?.() === 0;
const hasAnsible = Bun.which("ansible-playbook") !== null;
const PLAY_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";

/**
 * lib/python3.X/site-packages under pyctl's folder for the Python the role's pyctl takes: the
 * user's python3 (the first on the play's PATH, not the Python under test, which root's home may hide).
 */
function userSite(): string {
  const python3 = Bun.which("python3", { PATH: PLAY_PATH });
  if (!python3) throw new Error(`no python3 on ${PLAY_PATH}`);
  const probe = Bun.spawnSync([python3, "-I", "-c", "import sys; print('%d%d %d.%d' % (sys.version_info[:2] * 2))"]);
  const [digits, version] = probe.stdout.toString().trim().split(" ");
  return join(`py${digits}`, "venv", "lib", `python${version}`, "site-packages");
}

interface Play {
  code: number;
  output: string;
  changed: number;
  failed: number;
}

describe.skipIf(!isRoot || !hasAnsible)("ansible role pyctl (needs root to create a user, and ansible-core)", () => {
  let base: string;
  let user: string;
  let home: string;
  let playbook: string;
  let file: string;
  const site = () => join(home, ".local", "python-packages", userSite());
  const installed = () =>
    readdirSync(site())
      .filter((f) => f.endsWith(".dist-info"))
      .sort();

  function play(...flags: string[]): Play {
    const r = Bun.spawnSync(["ansible-playbook", "-i", "localhost,", playbook, ...flags], {
      env: {
        PATH: PLAY_PATH,
        HOME: process.env.HOME ?? "/root",
        LANG: "C.UTF-8",
        ANSIBLE_ROLES_PATH: ROLES,
        ANSIBLE_NOCOLOR: "1",
        ANSIBLE_BECOME_METHOD: "su",
        ANSIBLE_REMOTE_TMP: join(base, "ansible-tmp"),
        ANSIBLE_LOCAL_TEMP: join(base, "ansible-local"),
        ANSIBLE_PIPELINING: "1",
        ANSIBLE_HOST_KEY_CHECKING: "0",
        ANSIBLE_RETRY_FILES_ENABLED: "0",
      },
      stdout: "pipe",
      stderr: "pipe",
      timeout: 300_000,
    });
    const output = r.stdout.toString() + r.stderr.toString();
    const recap = /localhost\s*:\s*ok=\d+\s+changed=(\d+).*failed=(\d+)/.exec(output);
    return {
      code: r.exitCode ?? 1,
      output,
      changed: Number(recap?.[1] ?? -1),
      failed: Number(recap?.[2] ?? -1),
    };
  }

  beforeAll(async () => {
    const { index } = await fixtures();
    base = mkdtempSync("/tmp/pyctl-ansible-");
    chmodSync(base, 0o755);
    for (const dir of ["bin", "ansible-tmp", "ansible-local"]) mkdirSync(join(base, dir));
    chmodSync(join(base, "ansible-tmp"), 0o1777);
    chmodSync(join(base, "bin"), 0o755);
    user = `pyctlans${process.pid}`.slice(0, 30);
    home = join(base, "home");
    const add = Bun.spawnSync(["useradd", "--create-home", "--home-dir", home, "--shell", "/bin/bash", user]);
    if (add.exitCode !== 0) throw new Error(`useradd failed: ${add.stderr.toString()}`);
    file = join(base, "requirements.txt");
    writeFileSync(file, "alpha==1.0\nbeta==1.0\n");
    playbook = join(base, "site.yml");
    writeFileSync(
      playbook,
      `- hosts: all
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: /usr/bin/python3
  roles:
    - role: pyctl
      pyctl_binary: ${pyctlBin()}
      pyctl_bin_dir: ${join(base, "bin")}
      pyctl_users:
        - { name: ${user}, file: ${file} }
      pyctl_environment:
        PIP_INDEX_URL: ${index.url}/simple
        PIP_CONFIG_FILE: /dev/null
        PYCTL_TIER: user
        PIP_DISABLE_PIP_VERSION_CHECK: "1"
`,
    );
  });

  afterAll(() => {
    if (!user) return;
    Bun.spawnSync(["userdel", user]);
    rmSync(base, { recursive: true, force: true });
  });

  test("first run changed, second run ok", () => {
    const first = play();
    expect({ code: first.code, failed: first.failed }).toEqual({ code: 0, failed: 0 });
    expect(first.changed).toBeGreaterThanOrEqual(3); // the binary, setup-shell, the apply
    expect(existsSync(join(base, "bin", "pyctl"))).toBe(true);
    expect(installed()).toEqual(expect.arrayContaining(["alpha-1.0.dist-info", "beta-1.0.dist-info"]));
    const second = play();
    expect({ code: second.code, changed: second.changed, failed: second.failed }).toEqual({
      code: 0,
      changed: 0,
      failed: 0,
    });
  });

  test("--check --diff after an edit predicts the change and changes nothing", () => {
    writeFileSync(file, "alpha==2.0\nbeta==1.0\n");
    const before = installed();
    const check = play("--check", "--diff");
    expect({ code: check.code, changed: check.changed, failed: check.failed }).toEqual({
      code: 0,
      changed: 1,
      failed: 0,
    });
    expect(check.output).toContain("-alpha==1.0");
    expect(check.output).toContain("+alpha==2.0");
    expect(installed()).toEqual(before);
  });

  test("a package the index lacks fails with its error code; the venv stays as it was", () => {
    writeFileSync(file, "alpha==2.0\nno-such-package==1.0\n");
    const before = installed();
    const failed = play();
    expect(failed.code).not.toBe(0);
    expect(failed.failed).toBe(1);
    expect(failed.output).toContain("pyctl apply failed [unavailable]");
    expect(installed()).toEqual(before);
  });
});
