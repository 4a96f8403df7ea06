// A removed base interpreter (issue 9, Deliver 7, item 7): one `pyctl:` line naming it and the
// `pyctl rebuild --python …` that helps, exit 1, nothing recorded; and no command ever shows a
// JavaScript stack: an unexpected error is one line naming the report file.
import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { literal, makeSandbox, PY, type Result, run, type Sandbox } from "../support/env.ts";
import { historyFiles, ok, pip, PYTHON, versionDir } from "../support/venv-fixtures.ts";

/** A sandbox whose venv was made from a copy of the Python under test, which is then deleted. */
function orphanedSandbox(): { sb: Sandbox; base: string } {
  const sb = makeSandbox();
  const base = join(sb.dir, "python", "bin", `python${PY.version}`);
  mkdirSync(join(sb.dir, "python", "bin"), { recursive: true });
  copyFileSync(PYTHON, base);
  ok(run(sb, ["init", "--python", base]));
  ok(run(sb, ["snapshot", "before"]));
  ok(pip(sb, "install", "-q", "epsilon"));
  rmSync(base);
  return { sb, base };
}

function expectNoStack(r: Result): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain("internal error");
  expect(r.stdout).not.toMatch(/^\s+at /m);
}

describe("a venv whose base interpreter was removed", () => {
  test("every command that needs it says so in one line, exits 1 and records nothing; the others still work", () => {
    const { sb, base } = orphanedSandbox();
    const history = historyFiles(sb);
    const needsPython = [
      ["pip", "--", "install", "alpha"],
      ["pip", "--python", PY.version, "--as", `pip${PY.version}`, "--", "install", "click"],
      ["pip", "--", "list"],
      ["pip", "--", "uninstall", "-y", "epsilon"],
      ["undo"],
      ["restore", "before"],
      ["clean", "--yes"],
      ["explain-missing"],
      ["explain-missing", "--python", PY.version],
    ];
    const line = new RegExp(
      `^${literal(`pyctl: the Python ${PY.version} interpreter ${base} is gone, so `)}.*${literal(`${PY.key}/venv cannot run; run \`pyctl rebuild --python ${PY.version}\` to rebuild it with ${PY.exe}`)}\n$`,
    );
    for (const args of needsPython) {
      const r = run(sb, args);
      expectNoStack(r);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 1, stderr: expect.stringMatching(line) });
    }
    for (const args of [
      ["history"],
      ["diff"],
      ["status"],
      ["list"],
      ["list-deps", "epsilon"],
      ["export"],
      ["snapshot", "after"],
      ["doctor"],
      ["autoremove"],
    ]) {
      const r = run(sb, args);
      expectNoStack(r);
      if (args[0] !== "doctor" && args[0] !== "autoremove") expect({ args, code: r.code }).toEqual({ args, code: 0 });
    }
    expect(run(sb, ["status"]).stdout).toContain(`its base interpreter ${base} is gone`);
    expect(historyFiles(sb)).toEqual(history); // no "incomplete" entry from any of them
    expect(run(sb, ["history"]).stdout).not.toContain("incomplete");
  });

  test("the rebuild it names brings pip back", () => {
    const { sb } = orphanedSandbox();
    const r = run(sb, ["rebuild", "--python", PY.version]);
    expectNoStack(r);
    expect(r.code).toBe(0);
    expect(run(sb, ["explain-missing"])).toEqual({ code: 0, stdout: "", stderr: "" });
    ok(pip(sb, "install", "-q", "alpha==1.0"));
  });

  test("a pip write for a version with no venv and no interpreter is one line", () => {
    const sb = makeSandbox();
    ok(run(sb, ["init", "--python", PYTHON]));
    for (const args of [
      ["pip", "--python", "3.99", "--", "install", "alpha"],
      ["pip", "--python", "3.99", "--", "list"],
    ]) {
      const r = run(sb, args);
      expectNoStack(r);
      expect(r.code).toBe(1);
      expect(r.stderr).toStartWith("pyctl: no Python 3.99 found");
    }
    expect(existsSync(join(sb.pyctlHome, "py399"))).toBe(false);
  });
});

describe("unexpected errors", () => {
  test("are one line naming a report file that holds the stack; history stays readable", () => {
    const sb = makeSandbox();
    ok(run(sb, ["init", "--python", PYTHON]));
    // Damage no check foresees: a file where the store keeps epsilon's builds.
    const store = join(versionDir(sb), "store");
    mkdirSync(store, { recursive: true });
    writeFileSync(join(store, "epsilon"), "not a folder\n");
    const r = pip(sb, "install", "-q", "epsilon");
    expect(r.code).toBe(1);
    const m = /^pyctl: internal error: (.+) \(full report: (\S+)\)\n$/.exec(r.stderr);
    expect(m).not.toBeNull();
    const report = readFileSync(m![2]!, "utf8");
    expect(m![2]!).toStartWith(join(sb.env.XDG_CACHE_HOME!, "pyctl", "crash-"));
    expect(report).toContain("command: pyctl pip -- install -q epsilon");
    expect(report).toMatch(/^\s+at /m);
    expect(run(sb, ["history"]).code).toBe(0);
    rmSync(versionDir(sb), { recursive: true });
  });
});
