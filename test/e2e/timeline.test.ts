// History as a timeline (issue 19): points (#ID, @DATE, now, snapshots), diff A B, restore of a
// point, bisect and why, through the real CLI with real pip and a history of a dozen operations.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pyctlBin, run, sh, type Sandbox } from "../support/env.ts";
import { fileSet } from "../support/file-set.ts";
import { historyDir, initSandbox, inventory, ok, pip, venv } from "../support/venv-fixtures.ts";

/** app imports `helper` from lib, which lib 2.0 no longer has: the upgrade to lib 2.0 breaks `import app`. */
function buildTimelineWheels(sb: Sandbox): string {
  const dir = join(sb.dir, "timeline-wheels");
  const support = resolve(import.meta.dir, "..", "support");
  const wheel = (name: string, version: string, requires: string[], files: Record<string, string>) =>
    `wheels.build(d, ${JSON.stringify(name)}, ${JSON.stringify(version)}, requires=${JSON.stringify(requires)}, files=${JSON.stringify(files)})`;
  const calls = [
    wheel("app", "1.0", ["lib>=1"], { "app/__init__.py": "from lib import helper\n" }),
    wheel("lib", "1.0", [], { "lib/__init__.py": "def helper():\n    return 1\n" }),
    wheel("lib", "1.1", [], { "lib/__init__.py": "def helper():\n    return 11\n" }),
    wheel("lib", "2.0", [], { "lib/__init__.py": "def renamed():\n    return 2\n" }),
    wheel("top", "1.0", ["mid"], { "top.py": "" }),
    wheel("mid", "1.0", ["leaf"], { "mid.py": "" }),
    wheel("leaf", "1.0", [], { "leaf.py": "" }),
    ...[1, 2, 3, 4, 5].map((i) => wheel(`filler${i}`, "1.0", [], { [`filler${i}.py`]: "" })),
  ];
  const code = `import os, sys; sys.path.insert(0, ${JSON.stringify(support)}); import wheels; d = ${JSON.stringify(dir)}; os.makedirs(d, exist_ok=True); ${calls.join("; ")}`;
  ok(sh([join(venv(sb), "bin", "python"), "-c", code], sb));
  return dir;
}

/** Every history file with its text: "unchanged" means byte for byte. */
function historyText(sb: Sandbox): Record<string, string> {
  const dir = historyDir(sb);
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

/** Spread the operations over days (local time): operation k ran on 2026-01-(k+1) at 10:00–10:01. */
function spreadOverDays(sb: Sandbox, ids: number[]): void {
  for (const [k, id] of ids.entries()) {
    for (const [phase, minute] of [
      ["before", 0],
      ["after", 1],
    ] as const) {
      const file = join(historyDir(sb), `${String(id).padStart(3, "0")}_${phase}.json`);
      const entry = JSON.parse(readFileSync(file, "utf8"));
      entry.timestamp = new Date(2026, 0, k + 1, 10, minute).toISOString();
      writeFileSync(file, JSON.stringify(entry, null, 2));
    }
  }
}

const lastLine = (text: string) => text.trim().split("\n");

describe("history as a timeline", () => {
  let sb: Sandbox;
  let wheels: string;
  /** Operation id and the inventory right after it, in order. */
  const ops: { id: number; inventory: string[] }[] = [];
  let culprit = 0;

  const step = (...args: string[]) => {
    ok(pip(sb, ...args));
    const ids = readdirSync(historyDir(sb))
      .filter((f) => f.endsWith("_after.json"))
      .map((f) => Number.parseInt(f, 10));
    ops.push({ id: Math.max(...ids), inventory: inventory(sb) });
  };

  beforeAll(() => {
    sb = initSandbox();
    wheels = buildTimelineWheels(sb);
    const install = (...what: string[]) => step("install", "-q", "--no-index", "--find-links", wheels, ...what);
    install("app==1.0", "lib==1.0");
    install("filler1");
    install("top");
    install("lib==1.1");
    install("filler2");
    install("filler3");
    install("lib==2.0");
    culprit = ops.at(-1)!.id;
    install("filler4");
    step("uninstall", "-y", "filler1");
    install("filler5");
    step("uninstall", "-y", "filler2");
    install("filler2");
    spreadOverDays(
      sb,
      ops.map((o) => o.id),
    );
    // Offline from here on: every state must come from the store.
    renameSync(wheels, `${wheels}.gone`);
  });

  test("bisect names the operation that broke the import, in at most ⌈log2 n⌉+2 builds, touching nothing", () => {
    const files = fileSet(venv(sb));
    const history = historyText(sb);
    const result = run(sb, ["bisect", "--json", "--", "python", "-c", "import app"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.culprit).toMatchObject({ id: culprit, command: expect.stringContaining("lib==2.0") });
    expect(report.culprit.changes.upgraded).toEqual([{ name: "lib", from: "1.1", to: "2.0" }]);
    const candidates = ops.length; // the after-state of each operation
    expect(report.steps.length).toBeLessThanOrEqual(Math.ceil(Math.log2(candidates)) + 2);
    expect(fileSet(venv(sb))).toEqual(files);
    expect(historyText(sb)).toEqual(history);
    expect(readdirSync(join(venv(sb), "..")).filter((f) => f.startsWith("venv.bisect"))).toEqual([]);
  });

  test("bisect in words: each step, then the operation and its diff", () => {
    const good = ops[2]!.id;
    const result = ok(run(sb, ["bisect", "--good", `#${good}`, "--", "python", "-c", "import app"]));
    expect(result.stdout).toContain(`first bad: #${culprit}`);
    expect(result.stdout).toContain("↑ lib 1.1 → 2.0");
    expect(result.stdout).toMatch(/#\d+ +(good|bad) +exit \d/);
  });

  test("bisect says so when the command fails at the good point too", () => {
    const result = run(sb, ["bisect", "--", "python", "-c", "import nothing_has_this"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("no operation to blame");
  });

  test("restore #ID and @DATE land on the recorded sets, offline, as one undoable operation", () => {
    const target = ops[4]!;
    ok(run(sb, ["restore", `#${target.id}`]));
    expect(inventory(sb)).toEqual(target.inventory);
    // @DATE is the end of that local day: operation k ran on day k+1.
    ok(run(sb, ["restore", "@2026-01-02"]));
    expect(inventory(sb)).toEqual(ops[1]!.inventory);
    ok(run(sb, ["restore", "@2026-01-07T10:00:30"])); // after op 7's start, before its end: the state before it
    expect(inventory(sb)).toEqual(ops[5]!.inventory);
    ok(run(sb, ["undo", "3"]));
    expect(inventory(sb)).toEqual(ops.at(-1)!.inventory);
  });

  test("diff between two points: upgrades, additions, removals and marks", () => {
    const [a, b] = [ops[0]!.id, ops[6]!.id];
    const json = JSON.parse(ok(run(sb, ["diff", `#${a}`, `#${b}`, "--json"])).stdout);
    expect(json.upgraded).toEqual([{ name: "lib", from: "1.0", to: "2.0" }]);
    expect(json.added).toEqual(expect.arrayContaining(["top==1.0", "mid==1.0", "leaf==1.0", "filler1==1.0"]));
    expect(json.removed).toEqual([]);
    const text = ok(run(sb, ["diff", String(a), String(b)])).stdout;
    expect(text).toContain("↑ lib 1.0 → 2.0");
    expect(ok(run(sb, ["diff", `#${b}`, `#${a}`])).stdout).toContain("↓ lib 2.0 → 1.0");
    // `pyctl diff N` keeps its meaning: what operation N changed.
    expect(ok(run(sb, ["diff", String(culprit)])).stdout).toContain("↑ lib 1.1 → 2.0");
  });

  test("why: asked for since when, brought by which operation, needed by which chains", () => {
    const leaf = JSON.parse(ok(run(sb, ["why", "leaf", "--json"])).stdout);
    expect(leaf.explicit).toBe(false);
    expect(leaf.brought_by).toMatchObject({ id: ops[2]!.id, command: expect.stringContaining("top") });
    expect(leaf.needed_by).toEqual([["top", "mid", "leaf"]]);
    const lib = JSON.parse(ok(run(sb, ["why", "lib", "--json"])).stdout);
    expect(lib.explicit).toBe(true);
    expect(lib.brought_by.id).toBe(ops[0]!.id);
    expect(lib.needed_by).toEqual([["app", "lib"]]);
    expect(ok(run(sb, ["why", "leaf"])).stdout).toContain("top → mid → leaf");
  });

  for (const signal of ["SIGINT", "SIGKILL"] as const) {
    test(`bisect stopped by ${signal} while COMMAND runs leaves no scratch venv the next write keeps`, async () => {
      const ready = join(sb.dir, `ready-${signal}`);
      const scratch = () => readdirSync(join(venv(sb), "..")).filter((f) => f.startsWith("venv.bisect"));
      // COMMAND says it started, then waits until it is stopped (the test never sleeps).
      const wait = `echo $$ > ${ready}; exec sleep 600`;
      const child = Bun.spawn([pyctlBin(), "bisect", "--", "sh", "-c", wait], {
        env: sb.env,
        cwd: sb.home,
        stdout: "ignore",
        stderr: "pipe",
      });
      while (!existsSync(ready)) await Bun.sleep(20);
      expect(scratch()).toHaveLength(1);
      const commandPid = Number(readFileSync(ready, "utf8"));
      child.kill(signal);
      if (signal === "SIGINT") process.kill(commandPid, "SIGINT"); // a terminal's Ctrl-C reaches the whole group
      const code = await child.exited;
      if (signal === "SIGKILL") {
        process.kill(commandPid, "SIGKILL");
        expect(scratch()).toHaveLength(1);
        ok(pip(sb, "uninstall", "-y", "filler5"));
        ok(run(sb, ["undo"]));
      } else expect(code).toBe(130);
      expect(scratch()).toEqual([]);
    });
  }

  test("bad points are one pyctl: line each", () => {
    for (const args of [
      ["restore", "#999"],
      ["diff", "@2001-01-01", "now"],
      ["restore", "@2026-13-45"],
      ["diff", "@yesterday"],
      ["bisect", "--good", "#999", "--", "true"],
      ["why", "not-installed"],
    ]) {
      const result = run(sb, args);
      expect(result.code, args.join(" ")).not.toBe(0);
      const lines = lastLine(result.stderr).filter((l) => !l.startsWith("pyctl: hint:"));
      expect(lines, args.join(" ")).toHaveLength(1);
      expect(lines[0]).toStartWith("pyctl: ");
    }
  });
});
