// The staging venv built from what the goal keeps (transaction/clone.ts) is, file for file, the
// full clone with the leaving distributions removed (staging.ts's removeDist): shared namespace
// folders, files two distributions own, bytecode, console scripts and RECORD-less metadata included,
// and a user's file inside a leaving package's folder (which is then not left out whole). With cp
// cloning the untouched folders alongside (bulk-link.ts), the result is the same byte for byte and
// mode for mode, also when cp fails part-way.
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { unownedFiles } from "../../src/core/packages/accounting.ts";
import { readInventory } from "../../src/core/packages/inventory.ts";
import {
  cloneKeeping,
  leavingFiles,
  nothingLeaves,
  type Bulk,
  type Leaving,
} from "../../src/core/transaction/clone.ts";
import { cloneTree, ownedFiles, removeDist } from "../../src/core/transaction/staging.ts";
import { sh, type Sandbox } from "../support/env.ts";
import { isRoot, titled } from "../support/skip.ts";
import { byteSet, fileSet } from "../support/file-set.ts";
import { initSandbox, ok, pip, venv } from "../support/venv-fixtures.ts";

/** Two distributions sharing the namespace folder `ns/`, and a third that also ships `shared.txt`. */
function buildNamespaceWheels(sb: Sandbox): string {
  const dir = join(sb.dir, "ns-wheels");
  const support = resolve(import.meta.dir, "..", "support");
  const code = `import os, sys; sys.path.insert(0, ${JSON.stringify(support)}); import wheels
d = ${JSON.stringify(dir)}; os.makedirs(d, exist_ok=True)
wheels.build(d, "ns-one", "1.0", files={"ns/one/__init__.py": "X = 1\\n", "shared.txt": "same\\n"})
wheels.build(d, "ns-two", "1.0", files={"ns/two/__init__.py": "X = 2\\n", "shared.txt": "same\\n"})`;
  ok(sh([join(venv(sb), "bin", "python"), "-c", code], sb));
  return dir;
}

function chattrOn(flag: string, path: string): boolean {
  return Bun.spawnSync(["chattr", flag, path], { stderr: "ignore" }).exitCode === 0;
}

/** Whether this machine's temp file system can make a file immutable. */
function chattrWorks(): boolean {
  const dir = mkdtempSync(join(tmpdir(), "pyctl-chattr-"));
  const file = join(dir, "f");
  writeFileSync(file, "");
  const works = chattrOn("+i", file);
  if (works) chattrOn("-i", file);
  rmSync(dir, { recursive: true, force: true });
  return works;
}

describe("cloning only what the goal keeps", () => {
  let sb: Sandbox;
  let site: string;

  beforeAll(() => {
    sb = initSandbox();
    const wheels = buildNamespaceWheels(sb);
    ok(pip(sb, "install", "-q", "alpha==1.0", "beta==1.0", "gamma[fast]==1.0", "big==1.0"));
    ok(pip(sb, "install", "-q", "--no-index", "--find-links", wheels, "ns-one", "ns-two"));
    // Bytecode Python writes at import, which no RECORD lists.
    ok(sh([join(venv(sb), "bin", "python"), "-c", "import alpha, beta, big.m1, ns.one, ns.two"], sb));
    const lib = readdirSync(join(venv(sb), "lib")).find((d) => d.startsWith("python"))!;
    site = join(venv(sb), "lib", lib, "site-packages");
    // A file of the user's inside a package folder that leaves: the folder is not left out whole.
    writeFileSync(join(site, "big", "my-notes.txt"), "mine\n");
  });

  const cases: [string[]][] = [
    [["beta"]],
    [["big", "gamma"]],
    [["ns-one"]],
    [["ns-one", "ns-two"]],
    [["alpha", "beta", "delta"]],
  ];
  test.each(cases)("leaving %p gives the file set of clone + removeDist", (names) => {
    const live = venv(sb);
    const sitePackages = site;
    const dists = readInventory(sitePackages);
    const leaving = dists.filter((d) => names.includes(d.name));
    expect(leaving).toHaveLength(names.length);
    const staying = dists.filter((d) => !leaving.includes(d));
    const work = mkdtempSync(join(sb.dir, "clone-"));
    const full = join(work, "full");
    cloneTree(live, full);
    const fullSite = sitePackages.replace(live, full);
    const fullDists = readInventory(fullSite);
    const gone = fullDists.filter((d) => names.includes(d.name));
    const shared = ownedFiles(
      full,
      fullDists.filter((d) => !gone.includes(d)),
    );
    for (const dist of gone) removeDist(full, fullSite, dist, shared);
    const kept = join(work, "kept");
    cloneKeeping(live, kept, leavingFiles(live, leaving, staying, unownedFiles(live, sitePackages, dists))!);
    expect(fileSet(kept)).toEqual(fileSet(full));
    rmSync(work, { recursive: true, force: true });
  });

  /** cloneKeeping with cp cloning the untouched folders, its fallback as build.ts runs it. */
  /** Also says which folders pyctl cloned again because cp did not. */
  async function bulkClone(live: string, dst: string, leaving: Leaving): Promise<{ bulk: Bulk; redone: string[] }> {
    const bulk: Bulk = { skip: new Set() };
    cloneKeeping(live, dst, leaving, "", bulk);
    const started = bulk.started!;
    const redone = await started.finish();
    for (const name of redone)
      cloneKeeping(join(started.src, name), join(started.dst, name), leaving, `${bulk.site}/${name}`);
    return { bulk, redone };
  }

  test.each(cases)("leaving %p with cp cloning the untouched folders: the same bytes and modes", async (names) => {
    const live = venv(sb);
    const dists = readInventory(site);
    const leaving = dists.filter((d) => names.includes(d.name));
    const staying = dists.filter((d) => !leaving.includes(d));
    const work = mkdtempSync(join(sb.dir, "bulk-"));
    const plan = () => leavingFiles(live, leaving, staying, unownedFiles(live, site, dists))!;
    cloneKeeping(live, join(work, "alone"), plan());
    const { bulk, redone } = await bulkClone(live, join(work, "bulk"), plan());
    expect(bulk.started!.names).toContain("pip");
    expect(redone).toEqual([]);
    expect(bulk.started!.names.some((n) => n.endsWith(".dist-info"))).toBe(false);
    expect(byteSet(join(work, "bulk"))).toEqual(byteSet(join(work, "alone")));
    rmSync(work, { recursive: true, force: true });
  });

  // An immutable file cannot be hardlinked, by root either: cp fails on it, pyctl copies it.
  const [canFail, failTitle] = titled(
    "a folder cp cannot clone (a file that cannot be linked) is cloned again by pyctl",
    {
      root: isRoot,
      "a file system with immutable files (chattr +i)": isRoot && chattrWorks(),
    },
  );
  test.if(canFail)(failTitle, async () => {
    const live = venv(sb);
    const work = mkdtempSync(join(sb.dir, "bulk-fail-"));
    const stuck = join(site, "big", "m1.py");
    const chattr = (flag: string) => expect(chattrOn(flag, stuck)).toBe(true);
    chattr("+i");
    try {
      const { bulk, redone } = await bulkClone(live, join(work, "bulk"), nothingLeaves());
      expect(bulk.started!.names).toContain("big");
      expect(redone).toContain("big");
      cloneKeeping(live, join(work, "alone"), nothingLeaves());
      expect(byteSet(join(work, "bulk"))).toEqual(byteSet(join(work, "alone")));
    } finally {
      chattr("-i");
      rmSync(work, { recursive: true, force: true });
    }
  });
});
