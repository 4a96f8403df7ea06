// Unowned-file arithmetic, RECORD lines, pip's stash names, snapshot explicit marks and store entry
// names of direct installs: no Python started.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareUnowned, isStash, recordPath, type UnownedFile } from "../../src/core/packages/accounting.ts";
import { applyExplicitMarks, parseSnapshotText } from "../../src/core/recording/snapshots.ts";
import { ANY_DIRECT, entryName, pruneStore, versionOfEntry } from "../../src/core/recording/store.ts";

const f = (path: string, size = 1): UnownedFile => ({ path, size });

describe("compareUnowned", () => {
  test.each([
    ["nothing unowned, nothing wanted", [], [], [], []],
    ["a torn folder goes", [f("sp/big/")], [], ["sp/big/"], []],
    ["a file the goal has stays", [f("sp/x.py")], [f("sp/x.py")], [], []],
    ["a file inside a folder the goal has stays", [f("sp/d/a.py")], [f("sp/d/")], [], []],
    ["a folder the goal has as files is there", [f("sp/d/")], [f("sp/d/a.py")], [], []],
    ["a missing file comes back", [], [f("bin/tool")], [], ["bin/tool"]],
    ["the stash goes, the user's file stays", [f("sp/~lpha-1.0.dist-info/"), f("sp/mine.py")], [f("sp/mine.py")], ["sp/~lpha-1.0.dist-info/"], []],
  ] as [string, UnownedFile[], UnownedFile[], string[], string[]][])("%s", (_, current, goal, remove, restore) => {
    const change = compareUnowned(current, goal);
    expect(change.remove.map((u) => u.path)).toEqual(remove);
    expect(change.restore.map((u) => u.path)).toEqual(restore);
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
    const snap = parseSnapshotText("s.txt", `${header}# explicit: packages you asked for end with "# explicit"\nalpha==1.0\n`, "s");
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
    const direct = entryName({ version: "1.0", directUrl: { url: "file:///w/alpha-1.0-py3-none-any.whl", archive_info: {} } });
    const editable = entryName({ version: "1.0", directUrl: { url: "file:///src/alpha", dir_info: { editable: true } } });
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
    expect(entries.filter((e) => existsSync(join(store, e)))).toEqual(["alpha/1.0", "alpha/1.0@aaaaaaaaaaaa", "beta/2.0@bbbbbbbbbbbb"]);
    rmSync(store, { recursive: true });
  });
});
