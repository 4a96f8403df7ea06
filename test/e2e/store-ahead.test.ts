// A recorded `pip install` stages what pip writes for the store while pip runs
// (core/recording/store-ahead.ts): by the time pip has ended, the files are linked already, and
// the store entry takes them whole. The entry is the same as one stored after pip: every file
// RECORD names, each the installed file (one inode), and undo and redo bring the same bytes back.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { type Sandbox, run } from "../support/env.ts";
import { byteSet } from "../support/file-set.ts";
import { buildHuge, initSandbox, ok, sitePackages, startPaused, venv, versionDir } from "../support/venv-fixtures.ts";

/** Every file below `dir`, relative to `root`. */
function filesUnder(dir: string, root: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const stagingFolders = (sb: Sandbox) => readdirSync(versionDir(sb)).filter((n) => n.startsWith("store-ahead."));

describe("the store filled while pip runs", () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = initSandbox();
    await buildHuge(sb);
  });

  test("pip's files are staged by the time pip ends, and the entry takes them: each the installed file", async () => {
    const paused = await startPaused(sb, ["pip", "--", "install", "-q", "huge==1.0"], "acted");
    const [folder] = stagingFolders(sb);
    expect(folder).toBeDefined();
    const staged = join(versionDir(sb), folder!);
    const installed = filesUnder(join(sitePackages(sb), "huge"), venv(sb));
    expect(installed.length).toBeGreaterThan(6000); // 3,000 modules and their bytecode
    for (const rel of installed)
      expect([rel, statSync(join(staged, rel)).ino]).toEqual([rel, statSync(join(venv(sb), rel)).ino]);
    process.kill(paused.pid, "SIGINT"); // ends the pause; the write is recorded as interrupted
    await paused.finish();

    expect(stagingFolders(sb)).toEqual([]);
    const storeDir = join(versionDir(sb), "store", "huge");
    const [entry] = readdirSync(storeDir).filter((n) => n.startsWith("1.0#"));
    const manifest = JSON.parse(readFileSync(join(storeDir, entry!, "manifest.json"), "utf8"));
    const recorded = readFileSync(join(sitePackages(sb), "huge-1.0.dist-info", "RECORD"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => relative(venv(sb), join(sitePackages(sb), line.split(",")[0]!)));
    expect([...manifest.files].sort()).toEqual([...recorded].sort());
    expect(Object.keys(manifest.stamps).length).toBe(recorded.length);
    for (const rel of recorded) {
      const [stored, live] = [statSync(join(storeDir, entry!, "files", rel)), statSync(join(venv(sb), rel))];
      expect([rel, stored.ino, manifest.stamps[rel]]).toEqual([rel, live.ino, [live.size, live.mtimeMs]]);
    }
  });

  test("undo and redo of it bring back the same bytes from that entry", () => {
    const withHuge = byteSet(venv(sb));
    ok(run(sb, ["undo"]));
    expect(existsSync(join(sitePackages(sb), "huge"))).toBe(false);
    ok(run(sb, ["undo"]));
    expect(byteSet(venv(sb))).toEqual(withHuge);
  });
});
