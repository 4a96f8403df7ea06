// A damaged file inside one dist-info (issue 21, item 3) is one finding, not a crash: a truncated
// direct_url.json, METADATA, RECORD or INSTALLER must not stop list, status, undo or the recorded
// pip install (pip warns and carries on), and doctor names it.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, type Result, type Sandbox } from "../support/env.ts";
import { initSandbox, ok, pip, pipFreeze, sitePackages } from "../support/venv-fixtures.ts";

const noCrash = (r: Result) => expect(`${r.stdout}${r.stderr}`).not.toMatch(/internal error|\n\s+at .+:\d+|crash-/);

/** How each file is damaged: cut in the middle, as a full disk or a killed writer leaves it. */
const DAMAGE: Record<string, (old: string) => string> = {
  "direct_url.json": () => '{"url": "file:///tmp/x", "dir_in',
  METADATA: (old) => `${old.slice(0, old.indexOf("Version:"))}Vers`,
  RECORD: (old) => old.slice(0, Math.floor(old.length / 2)),
  INSTALLER: () => "\xff\xfe\x00",
};

describe.each(Object.keys(DAMAGE))("a damaged %s in alpha's dist-info", (file) => {
  let sb: Sandbox;
  let distInfo: string;
  beforeEach(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0", "delta"));
    distInfo = join(sitePackages(sb), "alpha-1.0.dist-info");
    const path = join(distInfo, file);
    let old = "";
    try {
      old = readFileSync(path, "latin1");
    } catch {
      /* direct_url.json: not there for an index install */
    }
    writeFileSync(path, Buffer.from(DAMAGE[file]!(old), "latin1"));
  });
  afterEach(() => sb.cleanup());

  test("list, status, doctor, undo and pip install carry on; doctor names it", () => {
    for (const args of [["list"], ["status"], ["list", "--json"]]) {
      const r = run(sb, args);
      noCrash(r);
      expect(r.code).toBe(0);
    }
    const doctor = run(sb, ["doctor"]);
    noCrash(doctor);
    expect(doctor.stdout).toContain(join(distInfo, file));
    const install = pip(sb, "install", "-q", "gamma");
    noCrash(install);
    expect(install.code).toBe(0);
    expect(pipFreeze(sb)).toContain("gamma==");
    const undo = run(sb, ["undo"]);
    noCrash(undo);
    expect(undo.code).toBe(0);
    expect(pipFreeze(sb)).not.toContain("gamma==");
  });
});
