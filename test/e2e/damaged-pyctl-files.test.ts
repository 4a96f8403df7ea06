// Each damaged pyctl file gives one line that names it (issue 21, item 7), never an internal
// error: a lock or config.toml that is a folder, a history that is a file, caches holding `null`
// or another JSON value (a cache is only rebuilt: the command works).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, type Result, type Sandbox } from "../support/env.ts";
import { initSandbox, ok, pip, versionDir } from "../support/venv-fixtures.ts";

const noCrash = (r: Result) => expect(`${r.stdout}${r.stderr}`).not.toMatch(/internal error|\n\s+at .+:\d+|crash-/);

/** The `pyctl:` lines of a failure, hints aside: exactly one, naming `path`. */
function oneLineNaming(r: Result, path: string): void {
  noCrash(r);
  expect(r.code).not.toBe(0);
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("pyctl: ") && !l.startsWith("pyctl: hint:"));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(path);
}

const COMMANDS = [["list"], ["status"], ["history"], ["undo", "--dry-run"], ["doctor"]];

describe("damaged pyctl files", () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0"));
  });
  afterEach(() => sb.cleanup());

  test.each(["lock", "history"])("pyXY/%s of the wrong kind: one line naming it", (name) => {
    const path = join(versionDir(sb), name);
    rmSync(path, { recursive: true, force: true });
    if (name === "lock") mkdirSync(path);
    else writeFileSync(path, "not a folder\n");
    oneLineNaming(pip(sb, "install", "-q", "beta==1.0"), path);
    for (const args of COMMANDS) noCrash(run(sb, args));
  });

  test("config.toml that is a folder: one line naming it", () => {
    const path = join(sb.pyctlHome, "config.toml");
    rmSync(path);
    mkdirSync(path);
    for (const args of [["list"], ["config"], ["pip", "--", "install", "-q", "beta==1.0"]])
      oneLineNaming(run(sb, args), path);
    const doctor = run(sb, ["doctor"]);
    noCrash(doctor);
    expect(doctor.stdout).toContain(path);
  });

  test.each(["inventory-cache.json", "files-cache.json", "files-cache.result.json", "history-index.json"])(
    "pyXY/%s holding null, a number or an array: the command works",
    (name) => {
      for (const text of ["null", "42", "[1]", '{"x": null}', '"text"']) {
        writeFileSync(join(versionDir(sb), name), text);
        for (const args of COMMANDS) {
          const r = run(sb, args);
          noCrash(r);
        }
        const install = pip(sb, "install", "-q", "beta==1.0");
        noCrash(install);
        expect(install.code).toBe(0);
        ok(run(sb, ["undo"]));
      }
    },
  );
});
