// Issue 16, bug 2: "pip works" means the venv's bin/pip exists and runs. doctor reports a venv
// where it does not as a problem, and --fix (ensurepip --default-pip) makes it run again.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { run, type RunOptions, type Sandbox, sh } from "../support/env.ts";
import { initSandbox, ok, pip, venv } from "../support/venv-fixtures.ts";

interface Check {
  id: string;
  ok: boolean;
  message: string;
  fix?: string;
  fixable: boolean;
}
interface Report {
  ok: boolean;
  checks: Check[];
  fixed?: { id: string; message: string }[];
}

/** As if run from a shell with the hook loaded (doctor's shell checks then pass once --fix adds the rc block). */
const HOOKED: RunOptions = {
  env: { PYCTL_HOOK_PID: String(process.pid), PYCTL_HOOK_SHELL: "bash", SHELL: "/bin/bash" },
};
const doctor = (sb: Sandbox, ...args: string[]): Report =>
  JSON.parse(run(sb, ["doctor", "--json", ...args], HOOKED).stdout);
const pipCheck = (report: Report) => report.checks.find((c) => c.id.startsWith("pip:"))!;
const binPip = (sb: Sandbox, ...args: string[]) => sh([join(venv(sb), "bin", "pip"), ...args], sb);

describe("doctor and a venv whose pip does not run", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "beta==1.0"));
  });

  test("after `pip uninstall pip`, --fix brings back a bin/pip that runs", () => {
    ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "uninstall", "-q", "-y", "pip"], sb));
    expect(pipCheck(doctor(sb))).toMatchObject({ ok: false, fixable: true });
    const fixed = doctor(sb, "--fix");
    expect(fixed.fixed?.map((f) => f.message)).toContainEqual(expect.stringMatching(/^reinstalled pip in /));
    expect(pipCheck(fixed).ok).toBe(true);
    expect(binPip(sb, "--version").code).toBe(0);
    expect(binPip(sb, "list", "--disable-pip-version-check").stdout).toMatch(/^beta +1\.0$/m);
  });

  test("a bin/pip that is gone while pip is installed is a problem, and --fix makes it run", () => {
    rmSync(join(venv(sb), "bin", "pip"));
    const found = pipCheck(doctor(sb));
    expect(found).toMatchObject({ ok: false, fixable: true, message: `${join(venv(sb), "bin", "pip")} does not run` });
    // The hint names what works: ensurepip passes over an installed pip and leaves bin/pip missing.
    expect(found.fix).toContain("`pyctl doctor --fix`");
    ok(sh([join(venv(sb), "bin", "python"), "-m", "ensurepip", "--default-pip"], sb));
    expect(existsSync(join(venv(sb), "bin", "pip"))).toBe(false);
    expect(pipCheck(doctor(sb, "--fix")).ok).toBe(true);
    expect(binPip(sb, "--version").code).toBe(0);
    expect(pipCheck(doctor(sb)).ok).toBe(true);
  });
});
