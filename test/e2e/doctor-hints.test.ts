// Every doctor hint works when followed as written (issue 20): each test breaks a venv the way
// users do, reads the hint, runs it, and checks that doctor is then content.
import { beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PY, run, sh, type RunOptions, type Sandbox } from "../support/env.ts";
import { historyDir, initSandbox, ok, pip, sitePackages, venv } from "../support/venv-fixtures.ts";

interface Check {
  id: string;
  ok: boolean;
  message: string;
  fix?: string;
}

const hooked: RunOptions = {
  env: { PYCTL_HOOK_PID: String(process.pid), PYCTL_HOOK_SHELL: "bash", SHELL: "/bin/bash" },
};
const checks = (sb: Sandbox) =>
  Object.fromEntries(
    (JSON.parse(run(sb, ["doctor", "--json"], hooked).stdout) as { checks: Check[] }).checks.map((c) => [c.id, c]),
  );

/** The one `pip …` command a hint names in backquotes, as words to run through pyctl's pip. */
function pipCommandOf(fix: string): string[] {
  const command = /`pip ([^`]+)`/.exec(fix)?.[1];
  expect(command).toBeDefined();
  return command!.split(" ");
}

describe("doctor's hints, followed", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0", "epsilon==1.0"));
  });

  test("a dist-info without RECORD: the pip command in the hint gives it one", () => {
    rmSync(join(sitePackages(sb), "alpha-1.0.dist-info", "RECORD"));
    const check = checks(sb)[`dist-info:${PY.version}`]!;
    expect(check.message).toContain("alpha-1.0.dist-info has no RECORD");
    ok(pip(sb, ...pipCommandOf(check.fix!)));
    expect(checks(sb)[`dist-info:${PY.version}`]!.ok).toBe(true);
    expect(ok(sh([join(venv(sb), "bin", "alpha")], sb)).stdout).toBe("alpha 1.0\n");
  });

  test("duplicate metadata: the hint names the stale folder; deleting it and reinstalling as said settles it", () => {
    const stale = join(sitePackages(sb), "epsilon-0.9.dist-info");
    cpSync(join(sitePackages(sb), "epsilon-1.0.dist-info"), stale, { recursive: true });
    const check = checks(sb)[`dist-info:${PY.version}`]!;
    expect(check.fix).toContain(`delete ${stale},`);
    rmSync(stale, { recursive: true });
    ok(pip(sb, ...pipCommandOf(check.fix!)));
    expect(checks(sb)[`dist-info:${PY.version}`]!.ok).toBe(true);
    expect(readdirSync(sitePackages(sb)).filter((e) => e.startsWith("epsilon-"))).toEqual(["epsilon-1.0.dist-info"]);
  });

  test("an unreadable after-entry is called unreadable, not a killed pyctl", () => {
    const last = readdirSync(historyDir(sb))
      .filter((f) => f.endsWith("_after.json"))
      .sort()
      .at(-1)!;
    const path = join(historyDir(sb), last);
    rmSync(path);
    mkdirSync(path); // cannot be read as a file
    const found = checks(sb);
    expect(found[`history:${PY.version}`]!.message).toBe(`unreadable history files: ${path}`);
    expect(found[`crashed:${PY.version}`]).toBeUndefined();
    rmSync(path, { recursive: true });
  });

  test('eval "$(pyctl hook bash)" in ~/.bashrc, the set-up by hand, is recognised', () => {
    writeFileSync(join(sb.home, ".bashrc"), '# mine\neval "$(pyctl hook bash)"\n');
    const check = checks(sb)["rc-block:bash"]!;
    expect(check).toMatchObject({ ok: true });
    expect(check.message).toContain("loads the hook");
  });
});
