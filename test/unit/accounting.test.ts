// Unowned-file arithmetic, RECORD lines, pip's stash names, snapshot explicit marks and store entry
// names of direct installs: no Python started.
import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  compareUnowned,
  isStash,
  recordPath,
  unownedFiles,
  type UnownedFile,
} from "../../src/core/packages/accounting.ts";
import { readInventory } from "../../src/core/packages/inventory.ts";
import { applyExplicitMarks, parseSnapshotText } from "../../src/core/recording/snapshots.ts";
import { ANY_DIRECT, entryName, pruneStore, versionOfEntry } from "../../src/core/recording/store.ts";
import { PY } from "../support/env.ts";

const f = (path: string, size = 1): UnownedFile => ({ path, size });

describe("compareUnowned", () => {
  test.each([
    ["nothing unowned, nothing wanted", [], [], [], []],
    ["a torn folder goes", [f("sp/big/")], [], ["sp/big/"], []],
    ["a file the goal has stays", [f("sp/x.py")], [f("sp/x.py")], [], []],
    ["a file inside a folder the goal has stays", [f("sp/d/a.py")], [f("sp/d/")], [], []],
    ["a folder the goal has as files is there", [f("sp/d/")], [f("sp/d/a.py")], [], []],
    ["a missing file comes back", [], [f("bin/tool")], [], ["bin/tool"]],
    [
      "the stash goes, the user's file stays",
      [f("sp/~lpha-1.0.dist-info/"), f("sp/mine.py")],
      [f("sp/mine.py")],
      ["sp/~lpha-1.0.dist-info/"],
      [],
    ],
  ] as [string, UnownedFile[], UnownedFile[], string[], string[]][])("%s", (_, current, goal, remove, restore) => {
    const change = compareUnowned(current, goal);
    expect(change.remove.map((u) => u.path)).toEqual(remove);
    expect(change.restore.map((u) => u.path)).toEqual(restore);
  });
});

describe("metadata folders that are no distribution's", () => {
  const sp = PY.site;
  const put = (root: string, rel: string, text = "") => {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  const metadata = (name: string) => `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.0\n\n`;
  const distInfo = (root: string, folder: string, name: string, files: string[]) => {
    put(root, `${sp}/${folder}/METADATA`, metadata(name));
    put(
      root,
      `${sp}/${folder}/RECORD`,
      [...files, `${folder}/METADATA`, `${folder}/RECORD`].map((f) => `${f},,`).join("\n"),
    );
    for (const f of files) put(root, `${sp}/${f}`, "x = 1\n");
  };

  test.each([
    [
      "torn by a full disk: an empty METADATA and no RECORD",
      { "gamma-1.0.dist-info/METADATA": "" },
      [`${sp}/gamma-1.0.dist-info/`],
    ],
    [
      "a second readable folder of an installed project, without RECORD, is a duplicate",
      { "alpha-2.0.dist-info/METADATA": metadata("alpha") },
      [],
    ],
    [
      "no RECORD and a METADATA without a version",
      { "gamma-1.0.dist-info/METADATA": "Name: gamma\n" },
      [`${sp}/gamma-1.0.dist-info/`],
    ],
    [
      "a RECORD but no readable name",
      { "gamma-1.0.dist-info/METADATA": "Version: 1.0\n", "gamma-1.0.dist-info/RECORD": "" },
      [`${sp}/gamma-1.0.dist-info/`],
    ],
    [
      "no METADATA at all, beside a torn package",
      { "gamma-1.0.dist-info/INSTALLER": "pip\n", "gamma/__init__.py": "" },
      [`${sp}/gamma-1.0.dist-info/`, `${sp}/gamma/`],
    ],
    ["an egg-info whose PKG-INFO has no name", { "gamma-1.0.egg-info/PKG-INFO": "" }, [`${sp}/gamma-1.0.egg-info/`]],
    [
      "pip's stash",
      { "~lpha-1.0.dist-info/METADATA": metadata("alpha"), "~lpha-1.0.dist-info/RECORD": "" },
      [`${sp}/~lpha-1.0.dist-info/`],
    ],
    [
      "a complete second metadata folder is a duplicate, not a leftover",
      { "alpha-2.0.dist-info/METADATA": metadata("alpha"), "alpha-2.0.dist-info/RECORD": "" },
      [],
    ],
  ] as [string, Record<string, string>, string[]][])("%s", (_, files, unowned) => {
    const venv = mkdtempSync(join(tmpdir(), "pyctl-venv-"));
    distInfo(venv, "alpha-1.0.dist-info", "alpha", ["alpha/__init__.py"]);
    for (const [rel, text] of Object.entries(files)) put(venv, `${sp}/${rel}`, text);
    const dists = readInventory(join(venv, sp));
    expect(dists.map((d) => d.name)).toEqual(["alpha"]);
    const units = unownedFiles(venv, join(venv, sp), dists);
    expect(units.map((u) => u.path)).toEqual(unowned);
    // recorded with sizes and file counts, like any leftover
    for (const u of units)
      expect(u.files).toBe(Object.keys(files).filter((f) => `${sp}/${f}`.startsWith(u.path)).length);
    rmSync(venv, { recursive: true });
  });
});

describe("the scan cache", () => {
  test("an unchanged venv is answered from the last result; a file added deep down, or a torn .dist-info, is not missed", () => {
    const venv = mkdtempSync(join(tmpdir(), "pyctl-venv-"));
    const sp = join(venv, PY.site);
    mkdirSync(join(sp, "alpha-1.0.dist-info"), { recursive: true });
    mkdirSync(join(sp, "alpha", "sub"), { recursive: true });
    mkdirSync(join(venv, "bin"));
    writeFileSync(join(sp, "alpha-1.0.dist-info", "METADATA"), "Name: alpha\nVersion: 1.0\n\n");
    writeFileSync(
      join(sp, "alpha-1.0.dist-info", "RECORD"),
      "alpha/__init__.py,,\nalpha/sub/x.py,,\nalpha-1.0.dist-info/METADATA,,\nalpha-1.0.dist-info/RECORD,,\n",
    );
    writeFileSync(join(sp, "alpha", "__init__.py"), "");
    writeFileSync(join(sp, "alpha", "sub", "x.py"), "");
    const cacheFile = join(venv, "files-cache.json");
    const scan = (file = cacheFile) => unownedFiles(venv, sp, readInventory(sp), file).map((u) => u.path);
    expect(scan()).toEqual([]);
    expect(existsSync(join(venv, "files-cache.result.json"))).toBe(true);
    expect(scan()).toEqual([]);
    writeFileSync(join(sp, "alpha", "sub", "stray.py"), "X = 1\n");
    expect(scan()).toEqual([`${PY.site}/alpha/sub/stray.py`]);
    mkdirSync(join(sp, "gamma-1.0.dist-info"));
    writeFileSync(join(sp, "gamma-1.0.dist-info", "METADATA"), "");
    const expected = [`${PY.site}/alpha/sub/stray.py`, `${PY.site}/gamma-1.0.dist-info/`];
    expect(scan()).toEqual(expected);
    // another process reads the saved files (this one keeps its last scan in memory)
    for (const name of ["files-cache.json", "files-cache.result.json"])
      copyFileSync(join(venv, name), join(venv, `copy-${name}`));
    expect(scan(join(venv, "copy-files-cache.json"))).toEqual(expected);
    writeFileSync(join(venv, "copy-files-cache.result.json"), "{");
    expect(scan(join(venv, "copy-files-cache.json"))).toEqual(expected);
    rmSync(venv, { recursive: true });
  });
});

test.each([
  ["alpha/__init__.py,sha256=abc,12", "alpha/__init__.py"],
  ["alpha-1.0.dist-info/RECORD,,", "alpha-1.0.dist-info/RECORD"],
  ['"odd,name.py",sha256=abc,3', "odd,name.py"],
  ["../../../bin/alpha,sha256=abc,200", "../../../bin/alpha"],
  ["", undefined],
])("recordPath(%p) = %p", (line, path) => {
  expect(recordPath(line)).toBe(path);
});

test.each([
  ["~lpha-1.0.dist-info", true],
  ["~-pha", true],
  ["alpha-1.0.dist-info", false],
  ["_distutils_hack", false],
])("isStash(%p) = %p", (name, stash) => {
  expect(isStash(name)).toBe(stash);
});

describe("snapshot explicit marks", () => {
  const header = "# pyctl snapshot: s\n# python: 3.11.2\n# date: 2026-01-01T00:00:00.000Z\n";

  test("a marked snapshot says for every line, and the mark is not part of the requirement", () => {
    const snap = parseSnapshotText(
      "s.txt",
      `${header}# explicit: packages you asked for end with "# explicit"\nalpha==1.0\nbeta==2.0  # explicit\ndelta @ file:///w/delta-1.0-py3-none-any.whl  # explicit\n`,
      "s",
    );
    expect(snap.lines).toEqual(["alpha==1.0", "beta==2.0", "delta @ file:///w/delta-1.0-py3-none-any.whl"]);
    const wanted = snap.lines.map(() => ({}) as { requested?: boolean });
    applyExplicitMarks(wanted, snap);
    expect(wanted.map((w) => w.requested)).toEqual([false, true, true]);
  });

  test("a marked snapshot with nothing explicit still says so", () => {
    const snap = parseSnapshotText(
      "s.txt",
      `${header}# explicit: packages you asked for end with "# explicit"\nalpha==1.0\n`,
      "s",
    );
    const wanted = [{} as { requested?: boolean }];
    applyExplicitMarks(wanted, snap);
    expect(wanted[0]!.requested).toBe(false);
  });

  test("an older snapshot without marks leaves them undefined", () => {
    const snap = parseSnapshotText("s.txt", `${header}alpha==1.0\nbeta==2.0\n`, "s");
    expect(snap.explicit).toBeUndefined();
    const wanted = [{}, {}] as { requested?: boolean }[];
    applyExplicitMarks(wanted, snap);
    expect(wanted.map((w) => w.requested)).toEqual([undefined, undefined]);
  });
});

describe("store entries of direct installs", () => {
  test("a direct-URL install has its own entry name; the version is read back from it", () => {
    const plain = entryName({ version: "1.0" });
    const direct = entryName({
      version: "1.0",
      directUrl: { url: "file:///w/alpha-1.0-py3-none-any.whl", archive_info: {} },
    });
    const editable = entryName({
      version: "1.0",
      directUrl: { url: "file:///src/alpha", dir_info: { editable: true } },
    });
    expect(plain).toBe("1.0");
    expect(direct).toMatch(/^1\.0@[0-9a-f]{12}$/);
    expect(editable).not.toBe(direct);
    expect(versionOfEntry(direct)).toBe("1.0");
    expect(versionOfEntry("2.0")).toBe("2.0");
  });

  test("pruning keeps a kept version's direct entries, and every direct entry of a project a snapshot names by URL", () => {
    const store = mkdtempSync(join(tmpdir(), "pyctl-store-"));
    const entries = ["alpha/1.0", "alpha/1.0@aaaaaaaaaaaa", "alpha/2.0", "beta/2.0@bbbbbbbbbbbb", "beta/3.0"];
    for (const e of entries) mkdirSync(join(store, e), { recursive: true });
    const removed = pruneStore(
      store,
      new Map([
        ["alpha", new Set(["1.0"])],
        ["beta", new Set([ANY_DIRECT])],
      ]),
    );
    expect(removed).toBe(2);
    expect(entries.filter((e) => existsSync(join(store, e)))).toEqual([
      "alpha/1.0",
      "alpha/1.0@aaaaaaaaaaaa",
      "beta/2.0@bbbbbbbbbbbb",
    ]);
    rmSync(store, { recursive: true });
  });
});
