// The Venv's contract with a real venv and real pip (issue 16, Deliver 4): its paths, its lock,
// and its one pip runner. "pip works" means bin/pip runs: `python -m pip` working is not enough,
// since the hook's pip function runs bin/pip; doctor reports that and ensurePip puts it back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Venv } from "../../src/core/python/venv.ts";
import { PY, type Sandbox, targetOf } from "../support/env.ts";
import { initSandbox } from "../support/venv-fixtures.ts";

/** The runner takes the environment pyctl runs in: here, the sandbox's pip settings. */
const PIP_SETTINGS = [
  "PIP_CONFIG_FILE",
  "PIP_INDEX_URL",
  "PIP_DISABLE_PIP_VERSION_CHECK",
  "PIP_NO_INPUT",
  "PIP_CACHE_DIR",
];

async function helpUsage(venv: Venv, binPip: boolean): Promise<string> {
  const child = venv.startPip(["--help"], { stdio: ["ignore", "pipe", "ignore"], as: "user", binPip });
  const text = await new Response(child.stdout as ReadableStream).text();
  expect(await child.exited).toBe(0);
  return /^Usage:\s*\n\s*(.*) <command>/m.exec(text)?.[1] ?? text;
}

describe("a Venv", () => {
  let sb: Sandbox;
  let venv: Venv;
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    sb = initSandbox();
    venv = targetOf(sb).env;
    for (const name of [...PIP_SETTINGS, "PIP_USER"]) saved.set(name, process.env[name]);
    for (const name of PIP_SETTINGS) process.env[name] = sb.env[name];
  });
  afterAll(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test("owns its paths; its staging copy keeps its version and lock", () => {
    expect(venv.python).toBe(join(venv.root, "bin", "python"));
    expect(venv.pip).toBe(join(venv.root, "bin", "pip"));
    expect(venv.sitePackages).toBe(join(venv.root, PY.site));
    expect(venv.cfg()?.version).toBe(PY.fullVersion);
    expect(venv.health()).toEqual({ ok: true });
    const staging = venv.at(targetOf(sb).staging);
    expect([staging.root, staging.version, staging.lockFile]).toEqual([
      targetOf(sb).staging,
      PY.version,
      venv.lockFile,
    ]);
  });

  test("its lock names its holder while held", async () => {
    const lock = await venv.lock("venv test");
    try {
      expect(venv.isLocked()).toBe(true);
      expect(venv.tryLock("another")).toBeUndefined();
      expect(venv.lockHolder()).toEqual({ pid: process.pid, command: "venv test" });
    } finally {
      lock.release();
    }
    expect(venv.isLocked()).toBe(false);
  });

  test("pyctl's own runs ignore the user's PIP_USER: dry runs, pip check, index versions", () => {
    process.env.PIP_USER = "1";
    try {
      const run = venv.dryRun(["--quiet", "beta==1.0"]);
      expect(run.status).toBe(0);
      const names = JSON.parse(run.report!).install.map((i: { metadata: { name: string } }) => i.metadata.name);
      expect(names.sort()).toEqual(["alpha", "beta"]);
      expect(venv.check()).toEqual({ ok: true, lines: ["No broken requirements found."] });
      expect(venv.indexVersions("alpha")).toEqual(["2.0", "1.1", "1.0"]);
      expect(venv.indexVersions("no-such-project")).toEqual([]);
    } finally {
      delete process.env.PIP_USER;
    }
  });

  test("the user's command runs bin/pip only when asked to and it is there", async () => {
    expect(await helpUsage(venv, true)).toBe("pip");
    expect(await helpUsage(venv, false)).toBe(`${venv.python} -m pip`);
  });

  test("pip does not work without bin/pip, though `python -m pip` runs; ensurePip makes it work", async () => {
    expect(venv.pipWorks()).toBe(true);
    rmSync(venv.pip);
    expect(venv.pipWorks()).toBe(false);
    expect(venv.runPip(["--version"]).status).toBe(0);
    expect(await helpUsage(venv, true)).toBe(`${venv.python} -m pip`);
    expect(venv.ensurePip().status).toBe(0);
    expect(existsSync(venv.pip)).toBe(true);
    expect(venv.pipWorks()).toBe(true);
  });
});
