// doctor --fix puts back from the store what pip can no longer manage (issue 20 item 7): a
// .dist-info without RECORD, and a package whose files are gone. Without a stored build, the
// hint is a pip command that works, followed here as written.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { PY, run, sh, targetOf, type RunOptions, type Sandbox } from "../support/env.ts";
import { initSandbox, lastEntry, ok, pip, sitePackages, venv } from "../support/venv-fixtures.ts";

interface Check {
  id: string;
  ok: boolean;
  message: string;
  fix?: string;
  fixable: boolean;
}

const hooked: RunOptions = {
  env: { PYCTL_HOOK_PID: String(process.pid), PYCTL_HOOK_SHELL: "bash", SHELL: "/bin/bash" },
};
const checks = (sb: Sandbox) =>
  Object.fromEntries(
    (JSON.parse(run(sb, ["doctor", "--json"], hooked).stdout) as { checks: Check[] }).checks.map((c) => [c.id, c]),
  );
const distInfo = `dist-info:${PY.version}`;
const files = `files:${PY.version}`;
const unowned = `unowned:${PY.version}`;

function pipCommandOf(fix: string): string[] {
  const command = /`pip ([^`]+)`/.exec(fix)?.[1];
  expect(command).toBeDefined();
  return command!.split(" ");
}

/** doctor --fix, then every check about packages passes and alpha runs. (Its exit code also
 * counts the sandbox's PATH, which is not the venv's: not asserted.) */
function fixAndExpectHealthy(sb: Sandbox, id: string): void {
  const fixed = run(sb, ["doctor", "--fix"], hooked);
  expect(fixed.stdout).toContain(`fixed    ${id}: put back alpha==1.0 from pyctl's store`);
  const after = checks(sb);
  for (const id of [distInfo, files, unowned]) expect(after[id]).toMatchObject({ ok: true });
  expect(ok(sh([join(venv(sb), "bin", "alpha")], sb)).stdout).toBe("alpha 1.0\n");
  expect(String(lastEntry(sb).command)).toContain("pyctl doctor --fix (restore alpha==1.0)");
}

const dist = (sb: Sandbox) => join(sitePackages(sb), "alpha-1.0.dist-info");
const forgetStored = (sb: Sandbox) => rmSync(join(targetOf(sb).storeDir, "alpha"), { recursive: true, force: true });

describe("doctor --fix from the store", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0"));
  });

  test("a dist-info without RECORD is replaced by the stored build, REQUESTED kept, in one recorded transaction", () => {
    rmSync(join(dist(sb), "RECORD"));
    const check = checks(sb)[distInfo]!;
    expect(check.message).toContain("alpha-1.0.dist-info has no RECORD");
    expect(check.fixable).toBe(true);
    expect(check.fix).toContain("`pyctl doctor --fix` puts the stored build back");
    fixAndExpectHealthy(sb, distInfo);
    expect(existsSync(join(dist(sb), "RECORD"))).toBe(true);
    expect(existsSync(join(dist(sb), "REQUESTED"))).toBe(true);
    expect(statSync(join(sitePackages(sb), "alpha.py")).nlink).toBeGreaterThan(1); // linked from the store
  });

  test("a package whose files are gone is reported and put back, REQUESTED kept", () => {
    rmSync(join(sitePackages(sb), "alpha.py"));
    const check = checks(sb)[files]!;
    expect(check.ok).toBe(false);
    expect(check.message).toContain("alpha==1.0 lacks 1 of its files");
    expect(check.fixable).toBe(true);
    fixAndExpectHealthy(sb, files);
    expect(existsSync(join(dist(sb), "REQUESTED"))).toBe(true);
  });

  test("without a stored build, the RECORD-less hint is the pip command, and following it works", () => {
    forgetStored(sb);
    rmSync(join(dist(sb), "RECORD"));
    const check = checks(sb)[distInfo]!;
    expect(check.fixable).toBe(false);
    ok(pip(sb, ...pipCommandOf(check.fix!)));
    expect(checks(sb)[distInfo]!.ok).toBe(true);
    expect(ok(sh([join(venv(sb), "bin", "alpha")], sb)).stdout).toBe("alpha 1.0\n");
  });

  test("without a stored build, files gone: the hint's pip command installs them again", () => {
    forgetStored(sb);
    rmSync(join(sitePackages(sb), "alpha.py"));
    const check = checks(sb)[files]!;
    expect(check.ok).toBe(false);
    expect(check.fixable).toBe(false);
    ok(pip(sb, ...pipCommandOf(check.fix!)));
    expect(checks(sb)[files]!.ok).toBe(true);
    expect(ok(sh([join(venv(sb), "bin", "alpha")], sb)).stdout).toBe("alpha 1.0\n");
  });
});
