// Issue 16, bug 3: a snapshot line with extras (`gamma[fast]==1.0`) means the same to restore,
// to the store's retention and to export, because all of them read it with one parser.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../support/env.ts";
import { initSandbox, ok, pip, pipFreeze, versionDir } from "../support/venv-fixtures.ts";

const OFFLINE = { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_RETRIES: "0", PIP_TIMEOUT: "2" };

describe("a snapshot line with extras", () => {
  test("is kept by store pruning, restored offline, and exported as written", () => {
    const sb = initSandbox();
    ok(run(sb, ["config", "history.max_entries", "1"]));
    ok(pip(sb, "install", "-q", "gamma[fast]==1.0"));
    ok(run(sb, ["snapshot", "fast"]));
    const file = join(sb.pyctlHome, "snapshots", "fast.txt");
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(/^gamma==1\.0 {2}# explicit$/m);
    writeFileSync(file, text.replace(/^gamma==1\.0/m, "gamma[fast]==1.0"));
    const frozen = pipFreeze(sb);

    // history keeps one entry: after these, only the snapshot names gamma 1.0
    ok(pip(sb, "uninstall", "-q", "-y", "gamma"));
    ok(pip(sb, "install", "-q", "zeta==1.0"));
    // one build of gamma 1.0 kept (entries are VERSION#BUILD)
    expect(readdirSync(join(versionDir(sb), "store", "gamma")).map((e) => e.replace(/#.*$/, ""))).toEqual(["1.0"]);

    const restored = ok(run(sb, ["restore", "fast"], { env: OFFLINE }));
    expect(restored.stdout).toContain("+ gamma 1.0");
    expect(pipFreeze(sb)).toBe(frozen);

    const exported = ok(run(sb, ["export", "fast"])).stdout;
    expect(exported).toMatch(/^gamma\[fast\]==1\.0( {2}# explicit)?$/m);
    expect(exported).toMatch(/^delta==1\.5$/m);
    sb.cleanup();
  });
});
