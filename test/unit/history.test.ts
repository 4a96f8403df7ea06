// History entries validated when read, no-change operations in pruning, and stale temp files.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { sweepStaleTemps } from "../../src/core/base/atomic.ts";
import {
  changedSomething,
  entryFile,
  isValidEntry,
  listHistory,
  missingPackage,
  pruneHistory,
  type AfterEntry,
} from "../../src/core/recording/history.ts";
import { HistoryIndex } from "../../src/core/recording/history-index.ts";

const NONE = { added: [], removed: [], modified: [] };

function entry(id: number, patch: Partial<AfterEntry> = {}): AfterEntry {
  return {
    id,
    timestamp: "2026-11-01T10:30:15.000Z",
    user: "u",
    kind: "pip",
    command: `pip install x${id}`,
    pip_args: ["install", `x${id}`],
    python: "3.11.2",
    venv: "/v",
    freeze: "",
    packages: [{ name: "a", version: "1.0" }],
    changes: NONE,
    exit_code: 0,
    duration_ms: 1,
    interrupted: false,
    ...patch,
  };
}

describe("isValidEntry", () => {
  test.each([
    ["a good after-state", entry(1), "after", true],
    ["a good before-state", { ...entry(1), changes: undefined }, "before", true],
    ["changes a string", entry(1, { changes: "x" as never }), "after", false],
    ["packages a number", entry(1, { packages: 5 as never }), "before", false],
    ["a package without a version", entry(1, { packages: [{ name: "a" }] as never }), "before", false],
    ["added not a list", entry(1, { changes: { ...NONE, added: "a==1" as never } }), "after", false],
    [
      "modified without to",
      entry(1, { changes: { ...NONE, modified: [{ name: "a", from: "1" }] as never } }),
      "after",
      false,
    ],
    ["exit_code a string", entry(1, { exit_code: "0" as never }), "after", false],
    ["id a string", entry("1" as never), "before", false],
    ["missing packages", entry(1, { missing: [{ name: "big", version: "1.0" }, { name: "proj" }] }), "after", true],
    ["missing a string", entry(1, { missing: "big==1.0" as never }), "after", false],
    ["missing without a name", entry(1, { missing: [{ version: "1.0" }] as never }), "after", false],
    ["missing with a numeric version", entry(1, { missing: [{ name: "big", version: 1 }] as never }), "after", false],
    ["an array", [], "before", false],
    ["null", null, "after", false],
  ])("%s", (_name, value, phase, valid) => {
    expect(isValidEntry(value, phase as "before" | "after")).toBe(valid);
  });
});

test.each([
  ["big==1.0", { name: "big", version: "1.0" }],
  ["Big_Pkg[x]===1.0-custom", { name: "Big_Pkg", version: "1.0-custom" }],
  ["big @ https://h/big-1.0-py3-none-any.whl", { name: "big" }],
  ["-e /src/proj#egg=proj", { name: "proj" }],
  ["-e /src/proj", { name: "-e /src/proj" }],
])("missingPackage(%p)", (line, record) => {
  expect(missingPackage(line)).toEqual(record);
});

describe("changedSomething", () => {
  const before = entry(1);
  test.each([
    ["no change", entry(1), false],
    ["a package added", entry(1, { changes: { ...NONE, added: ["b==1"] } }), true],
    ["only REQUESTED changed", entry(1, { packages: [{ name: "a", version: "1.0", requested: true }] }), true],
    ["an interrupted pip with no package change", entry(1, { interrupted: true }), true],
    ["an interrupted undo with no change", entry(1, { interrupted: true, kind: "undo" }), false],
    ["a failed undo", entry(1, { kind: "undo", exit_code: 1 }), false],
  ])("%s", (_name, after, changed) => {
    expect(changedSomething({ id: 1, before, after, corrupt: [] })).toBe(changed);
  });
  test("an incomplete or corrupt entry counts", () => {
    expect(changedSomething({ id: 1, before, corrupt: [] })).toBe(true);
    expect(changedSomething({ id: 1, before, after: entry(1), corrupt: ["x"] })).toBe(true);
  });
});

function historyWith(changed: boolean[]): string {
  const dir = mkdtempSync(join(tmpdir(), "pyctl-history-"));
  for (const [i, c] of changed.entries()) {
    const e = entry(i + 1, c ? { changes: { ...NONE, added: [`p${i}==1`] } } : {});
    writeFileSync(entryFile(dir, e.id, "before"), JSON.stringify({ ...e, changes: undefined }));
    writeFileSync(entryFile(dir, e.id, "after"), JSON.stringify(e));
  }
  return dir;
}

describe("pruneHistory", () => {
  test.each([
    ["under the limit: nothing goes", [true, false, true], 3, []],
    ["no-change entries newer than the kept ones stay and do not count", [true, true, false, false, true], 2, [1]],
    ["everything older than the kept changes goes", [false, true, false, true, true], 2, [1, 2, 3]],
    ["at most `keep` no-change entries stay", [true, false, false, false, true], 2, [2]],
  ])("%s", (_name, changed, keep, removed) => {
    const dir = historyWith(changed as boolean[]);
    expect(pruneHistory(dir, keep as number)).toEqual(removed as number[]);
    const left = listHistory(dir).map((i) => i.id);
    expect(left.every((id) => !(removed as number[]).includes(id))).toBe(true);
    expect(left.length).toBe(changed.length - (removed as number[]).length);
    rmSync(dir, { recursive: true });
  });
});

describe("pruning with the history index", () => {
  const viaIndex = (dir: string, keep: number, file: string) => {
    const index = new HistoryIndex(dir, file);
    const removed = pruneHistory(dir, keep, (id) => index.summary(id).changed);
    index.save();
    return removed;
  };

  test("removes what reading every entry removes, and the next pruning reads no entry", () => {
    const changes = [true, false, true, true, false, false, true, true];
    const plain = historyWith(changes);
    const indexed = historyWith(changes);
    const file = join(indexed, "..", `${basename(indexed)}-index.json`);
    const after = entryFile(indexed, 6, "after");
    const time = new Date("2026-11-01T10:30:15.000Z");
    utimesSync(after, time, time);
    expect(viaIndex(indexed, 3, file)).toEqual(pruneHistory(plain, 3));
    expect(existsSync(file)).toBe(true);
    // the index answers without reading: #6 (no change) overwritten in place, same size and
    // time, with what would read as corrupt (and so as a change) still counts as no change
    writeFileSync(after, "x".repeat(statSync(after).size));
    utimesSync(after, time, time);
    expect(new HistoryIndex(indexed, file).summary(6).changed).toBe(false);
    expect(new HistoryIndex(indexed).summary(6).changed).toBe(true);
    rmSync(plain, { recursive: true });
    rmSync(indexed, { recursive: true });
    rmSync(file);
  });

  test("an entry rewritten under a reused id, or a torn index, is read afresh", () => {
    const dir = historyWith([false, false, false, false]);
    const file = join(dir, "..", `${basename(dir)}-index.json`);
    const index = new HistoryIndex(dir, file);
    for (const id of [4, 3, 1]) index.summary(id);
    expect(index.summary(2)).toEqual({ changed: false, pins: [["a", "1.0"]], unowned: [] });
    index.save();
    expect(existsSync(file)).toBe(true);
    // #2 discarded and claimed again by an install that changed something
    const changed = entry(2, {
      changes: { ...NONE, added: ["b==2"] },
      packages: [{ name: "B", version: "2" }],
      unowned: [{ path: "sp/x.py", size: 3 }],
    });
    writeFileSync(entryFile(dir, 2, "after"), JSON.stringify(changed, null, 2));
    expect(new HistoryIndex(dir, file).summary(2)).toEqual({
      changed: true,
      pins: [
        ["a", "1.0"],
        ["b", "2"],
      ],
      unowned: ["sp/x.py\u00003"],
    });
    // what the writer learns is what a reader would read
    const learnt = new HistoryIndex(dir, file);
    learnt.learn(changed, listHistory(dir).find((i) => i.id === 2)!.before);
    const plain = ({ changed, pins, unowned }: ReturnType<HistoryIndex["summary"]>) => ({ changed, pins, unowned });
    expect(plain(learnt.summary(2))).toEqual(plain(new HistoryIndex(dir).summary(2)));
    for (const torn of [
      '{"pins": [',
      '{"pins": [], "sets": [[7]], "ids": {}}',
      '{"pins": [], "sets": [], "ids": {"1": {"set": 3}}}',
    ]) {
      writeFileSync(file, torn);
      expect(new HistoryIndex(dir, file).summary(1).changed).toBe(false);
    }
    rmSync(dir, { recursive: true });
    rmSync(file);
  });
});

describe("sweepStaleTemps", () => {
  test("removes the temp files and folders of dead processes, in every naming form, and keeps live ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "pyctl-temps-"));
    const dead = Bun.spawnSync(["true"]).pid;
    const names = {
      gone: [
        `.002_before.json.${dead}.1.tmp`,
        `.002_before.json.${dead}.tmp`,
        `1.1.${dead}.tmp`,
        `venv.new.${dead}.tmp`,
      ],
      kept: [`.x.json.${process.pid}.3.tmp`, `1.1.${process.pid}.tmp`, "1.1", "002_before.json", `.x.json.1.${dead}`],
    };
    for (const name of [...names.gone, ...names.kept]) {
      if (name.startsWith("venv.new.")) mkdirSync(join(dir, name));
      else writeFileSync(join(dir, name), "");
    }
    expect(sweepStaleTemps(dir).sort()).toEqual([...names.gone].sort());
    expect(readdirSync(dir).sort()).toEqual([...names.kept].sort());
    expect(sweepStaleTemps(dir, true).sort()).toEqual(
      [`.x.json.${process.pid}.3.tmp`, `1.1.${process.pid}.tmp`].sort(),
    );
    expect(existsSync(join(dir, "1.1"))).toBe(true);
    rmSync(dir, { recursive: true });
  });
});
