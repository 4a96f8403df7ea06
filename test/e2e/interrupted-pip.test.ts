// Every file accounted for (issue 9, Deliver 4): a recorded `pip install` interrupted while pip
// extracts a package of 3,000 files (SIGINT to the group, SIGHUP, SIGKILL), then `pyctl undo`
// brings the venv's complete file set back: paths, sizes, REQUESTED markers, console scripts.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { literal, PY, pyctlBin, run, type Sandbox } from "../support/env.ts";
import { fileSet } from "../support/file-set.ts";
import {
  buildHuge,
  historyDir,
  initSandbox,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  python,
  script,
  sitePackages,
  venv,
} from "../support/venv-fixtures.ts";

/**
 * Starts `pyctl pip -- ARGS` as its own process group; resolves with its pid once pip is writing
 * huge `version`'s modules (mid-extraction), the whole group stopped there.
 */
async function stopMidExtraction(
  sb: Sandbox,
  args: string[],
  version = "2.0",
): Promise<{ pgid: number; exited: Promise<number> }> {
  const child = Bun.spawn(["setsid", pyctlBin(), "pip", "--", ...args], {
    env: sb.env,
    cwd: sb.home,
    stdio: ["ignore", "ignore", "ignore"],
  });
  const site = sitePackages(sb);
  const probe = join(site, "huge", "m0100.py");
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error("pip finished before it could be interrupted");
      if (existsSync(probe) && readFileSync(probe, "utf8").includes(version)) {
        process.kill(-child.pid, "SIGSTOP");
        break;
      }
      await Bun.sleep(2);
    }
    expect(existsSync(join(site, `huge-${version}.dist-info`, "RECORD"))).toBe(false); // really mid-extraction
    expect(readdirSync(join(site, "huge")).length).toBeLessThan(3001);
  } catch (error) {
    process.kill(-child.pid, "SIGKILL");
    throw error;
  }
  return { pgid: child.pid, exited: child.exited };
}

describe("undo of a pip install interrupted mid-extraction", () => {
  let sb: Sandbox;
  let before: Record<string, string>;
  beforeAll(async () => {
    sb = initSandbox();
    await buildHuge(sb);
    ok(pip(sb, "install", "-q", "huge==1.0", "beta==1.0"));
    before = fileSet(venv(sb));
    expect(before[`${PY.site}/huge-1.0.dist-info/REQUESTED`]).toBe("0 bytes");
    expect(Object.keys(before).filter((f) => f.startsWith(`${PY.site}/huge/m`)).length).toBe(3000);
  });

  test.each([
    ["SIGINT to the process group", "SIGINT"],
    ["SIGHUP (a closed terminal)", "SIGHUP"],
    ["SIGKILL of the process group", "SIGKILL"],
  ] as const)("%s: doctor says what is torn; undo restores every file", async (_, signal) => {
    const frozen = pipFreeze(sb);
    const { pgid, exited } = await stopMidExtraction(sb, ["install", "--upgrade", "huge==2.0"]);
    process.kill(-pgid, signal);
    if (signal !== "SIGKILL") process.kill(-pgid, "SIGCONT");
    const code = await exited;
    expect(code).not.toBe(0);
    const site = sitePackages(sb);
    expect(readdirSync(site).some((n) => n.startsWith("~"))).toBe(true); // pip's stash is left
    // pip freeze ignores the stash; so does pyctl: huge is gone from the package set, not "no change"
    expect(pipFreeze(sb)).not.toContain("huge==1.0");
    const ids = readdirSync(historyDir(sb)).filter((f) => f.endsWith("_before.json"));
    const last = JSON.parse(readFileSync(join(historyDir(sb), ids.sort().at(-1)!), "utf8"));
    expect(last.command).toBe("pip install --upgrade huge==2.0");
    if (signal !== "SIGKILL") {
      expect(lastEntry(sb)).toMatchObject({ id: last.id, interrupted: true });
      expect(lastEntry(sb).changes).toMatchObject({ removed: ["huge==1.0"] });
    }

    const doctor = run(sb, ["doctor"]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(
      new RegExp(
        String.raw`problem {2}unowned:${literal(PY.version)}: .*lib\/python${literal(PY.version)}\/site-packages\/huge\/ \(\d+ files, \d+ bytes\)`,
      ),
    );
    expect(doctor.stdout).toContain("pip's uninstall stash");
    expect(doctor.stdout).toContain(`left by #${last.id} (pip install --upgrade huge==2.0, interrupted)`);

    const undo = ok(run(sb, ["undo"]));
    expect(undo.stdout).toContain("+ huge 1.0");
    expect(undo.stdout).toContain("no package owns");
    expect(fileSet(venv(sb))).toEqual(before);
    expect(pipFreeze(sb)).toBe(frozen);
    expect(script(sb, "huge")).toBe("huge 1.0");
    expect(python(sb, "import huge.m2999 as m; print(m.VERSION)")).toBe("1.0");
    expect(run(sb, ["doctor"]).stdout).toContain(`ok       unowned:${PY.version}`);
    before = fileSet(venv(sb)); // the imports just wrote bytecode
  });

  test("undo of that undo puts the torn state back exactly (the store kept the leftovers)", () => {
    const clean = fileSet(venv(sb));
    ok(run(sb, ["undo"]));
    expect(fileSet(venv(sb))).not.toEqual(clean);
    expect(readdirSync(sitePackages(sb)).some((n) => n.startsWith("~"))).toBe(true);
    ok(run(sb, ["undo"]));
    expect(fileSet(venv(sb))).toEqual(clean);
  });
});

describe("undo of a fresh pip install killed mid-extraction", () => {
  test("SIGKILL of the group while a new 3,000-file package is written: undo removes every file of it", async () => {
    const sb = initSandbox();
    await buildHuge(sb);
    ok(pip(sb, "install", "-q", "alpha==1.0"));
    const before = fileSet(venv(sb));
    const { pgid, exited } = await stopMidExtraction(sb, ["install", "huge==1.0"], "1.0");
    process.kill(-pgid, "SIGKILL");
    await exited;
    expect(existsSync(join(sitePackages(sb), "huge"))).toBe(true);
    const doctor = run(sb, ["doctor"]).stdout;
    expect(doctor).toMatch(
      new RegExp(
        String.raw`unowned:${literal(PY.version)}: .*site-packages\/huge\/ \(\d+ files, \d+ bytes\), left by #\d+ \(pip install huge==1\.0, interrupted\)`,
      ),
    );
    const undo = ok(run(sb, ["undo"]));
    expect(undo.stdout).toContain("no package owns");
    expect(fileSet(venv(sb))).toEqual(before);
    expect(script(sb, "alpha")).toBe("alpha 1.0");
    sb.cleanup();
  });
});

describe("a .dist-info torn by a full disk (an empty METADATA, no RECORD)", () => {
  test("is recorded as unowned, shown by doctor, removed by undo and by doctor --fix", async () => {
    const sb = initSandbox();
    await buildHuge(sb);
    ok(pip(sb, "install", "-q", "alpha==1.0"));
    const before = fileSet(venv(sb));
    const torn = join(sitePackages(sb), "huge-1.0.dist-info");
    const { pgid, exited } = await stopMidExtraction(sb, ["install", "huge==1.0"], "1.0");
    // what pip leaves when the disk fills as it writes the metadata (the fault matrix's case)
    mkdirSync(torn);
    writeFileSync(join(torn, "METADATA"), "");
    process.kill(-pgid, "SIGINT");
    process.kill(-pgid, "SIGCONT");
    expect(await exited).not.toBe(0);
    const entry = lastEntry(sb) as unknown as {
      interrupted: boolean;
      unowned: { path: string; size: number; files?: number }[];
    };
    expect(entry.interrupted).toBe(true);
    expect(entry.unowned).toContainEqual({
      path: `lib/python${PY.version}/site-packages/huge-1.0.dist-info/`,
      size: 0,
      files: 1,
    });
    const doctor = run(sb, ["doctor"]);
    expect(doctor.stdout).toMatch(
      new RegExp(
        String.raw`unowned:${literal(PY.version)}: .*site-packages\/huge-1\.0\.dist-info\/ \(1 files, 0 bytes\), left by #\d+ \(pip install huge==1\.0, interrupted\)`,
      ),
    );
    ok(run(sb, ["undo"]));
    expect(existsSync(torn)).toBe(false);
    expect(fileSet(venv(sb))).toEqual(before);
    // one left outside any recorded operation: doctor --fix takes it out, recorded
    mkdirSync(torn);
    writeFileSync(join(torn, "METADATA"), "");
    const fix = run(sb, ["doctor", "--fix"]);
    expect(fix.stdout).toContain("removed 1 unowned file(s)/folder(s)");
    expect(existsSync(torn)).toBe(false);
    expect(fileSet(venv(sb))).toEqual(before);
    expect(script(sb, "alpha")).toBe("alpha 1.0");
    sb.cleanup();
  });
});

describe("doctor and files no package owns", () => {
  test("reports them with sizes; --fix removes them as a recorded transaction that undo reverts", () => {
    const sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0"));
    const site = sitePackages(sb);
    expect(run(sb, ["doctor"]).stdout).toContain(`ok       unowned:${PY.version}`); // nothing unowned in a fresh venv
    Bun.spawnSync(["mkdir", "-p", join(site, "stray", "sub")]);
    Bun.write(join(site, "stray", "sub", "x.py"), "X = 1\n");
    Bun.write(join(site, "stray.py"), "Y = 2\n");
    Bun.write(join(venv(sb), "bin", "stray-tool"), "#!/bin/sh\n");
    const withStray = fileSet(venv(sb));
    // clean leaves them behind (a fresh venv); its undo puts them back from the store
    ok(run(sb, ["clean", "--yes"]));
    expect(existsSync(join(site, "stray.py"))).toBe(false);
    ok(run(sb, ["undo"]));
    expect(fileSet(venv(sb))).toEqual(withStray);
    const doctor = run(sb, ["doctor"]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain("bin/stray-tool (10 bytes)");
    expect(doctor.stdout).toContain(`lib/python${PY.version}/site-packages/stray/ (1 files, 6 bytes)`);
    expect(doctor.stdout).toContain(`lib/python${PY.version}/site-packages/stray.py (6 bytes)`);
    const fix = run(sb, ["doctor", "--fix"]);
    expect(fix.stdout).toContain("removed 3 unowned file(s)/folder(s)");
    expect(fix.stdout).toContain(`ok       unowned:${PY.version}`);
    expect(existsSync(join(site, "stray"))).toBe(false);
    expect(lastEntry(sb)).toMatchObject({ kind: "doctor", exit_code: 0 });
    expect(pipFreeze(sb)).toContain("alpha==1.0");
    ok(run(sb, ["undo"]));
    expect(fileSet(venv(sb))).toEqual(withStray);
    sb.cleanup();
  });
});
