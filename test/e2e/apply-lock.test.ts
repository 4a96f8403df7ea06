// pyctl apply as cron or Ansible runs it: no terminal, no hook; it waits for the venv's lock
// (here held by another apply, paused in its transaction) and then does its work.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Sandbox } from "../support/env.ts";
import { initSandbox, ok, pip, pipFreeze, startPaused, startUntil } from "../support/venv-fixtures.ts";

describe("pyctl apply and the venv's lock", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0", "kappa==1.0"));
  });
  afterAll(() => sb.cleanup());

  test("waits for the holder, then applies; never asks", async () => {
    const first = join(sb.dir, "first.txt");
    const second = join(sb.dir, "second.txt");
    writeFileSync(first, "alpha==2.0\n");
    writeFileSync(second, "kappa==2.0\n");
    const holder = await startPaused(sb, ["apply", first], "staged");
    const waiter = await startUntil(sb, ["apply", second, "--detailed-exitcodes"], "waiting for");
    expect(waiter.stderr).toContain(`waiting for pid ${holder.pid} (pyctl apply ${first})`);
    process.kill(holder.pid, "SIGINT"); // the holder stops before its switch: the venv is as it was
    expect((await holder.finish()).code).toBe(130);
    const done = await waiter.finish();
    expect(done.code).toBe(2);
    expect(pipFreeze(sb)).toMatch(/^alpha==1\.0\nkappa==2\.0\n/);
  });
});
