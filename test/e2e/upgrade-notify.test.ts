// [updates] notify: off by default; when on, at most once a day a pip write says how many of your
// packages have newer versions, from an index query that ran while pip did.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, type Result, type Sandbox } from "../support/env.ts";
import { initSandbox, ok, pip, versionDir } from "../support/venv-fixtures.ts";

const LINE = /^pyctl: (\d+) of your packages have newer versions: pyctl outdated$/m;

describe("the once-a-day update notice", () => {
  let sb: Sandbox;
  const stamp = () => join(versionDir(sb), "updates-checked");
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "kappa==1.0", "mu==1.0", "epsilon==1.0"));
  });

  /**
   * A pip write whose notice answer was ready when pip finished. The query runs while pip does and
   * is dropped (unanswered, no stamp) if it is not done by then, so a busy machine may need another write.
   */
  function writeUntilAnswered(args: string[][]): Result {
    for (const argv of args) {
      const r = ok(pip(sb, ...argv));
      if (LINE.test(r.stderr) || existsSync(stamp())) return r;
    }
    throw new Error("the notice never got its answer");
  }

  test("is off by default: no line, no query", () => {
    const r = ok(pip(sb, "install", "-q", "alpha==1.0"));
    expect(r.stderr).not.toMatch(LINE);
    expect(existsSync(stamp())).toBe(false);
  });

  test("when on: one line after a pip write, then not again the same day; again the next day", () => {
    ok(run(sb, ["config", "updates.notify", "true"]));
    const r = writeUntilAnswered([
      ["install", "-q", "alpha==1.1"],
      ["install", "-q", "alpha==1.0"],
      ["install", "-q", "alpha==1.1"],
    ]);
    // kappa and mu (and alpha) are explicit and below their newest version; epsilon is current
    expect(LINE.exec(r.stderr)?.[1]).toBe("3");
    expect(r.stderr.match(new RegExp(LINE.source, "gm"))?.length).toBe(1);
    expect(existsSync(stamp())).toBe(true);
    expect(ok(pip(sb, "install", "-q", "alpha==2.0")).stderr).not.toMatch(LINE);

    const yesterday = new Date(Date.now() - 25 * 3600 * 1000);
    utimesSync(stamp(), yesterday, yesterday);
    // alpha is now at its newest: it no longer counts (the count is of the venv after the write)
    const next = writeUntilAnswered([
      ["uninstall", "-q", "-y", "epsilon"],
      ["install", "-q", "epsilon==1.0"],
      ["uninstall", "-q", "-y", "epsilon"],
    ]);
    expect(LINE.exec(next.stderr)?.[1]).toBe("2");
  });

  test("an unreachable index costs the write nothing and says nothing", () => {
    const yesterday = new Date(Date.now() - 25 * 3600 * 1000);
    if (existsSync(stamp())) utimesSync(stamp(), yesterday, yesterday);
    const r = ok(
      run(sb, ["pip", "--", "uninstall", "-q", "-y", "alpha"], { env: { PIP_INDEX_URL: "http://127.0.0.1:9/simple" } }),
    );
    expect(r.stderr).not.toMatch(LINE);
    expect(r.stderr).not.toContain("cannot reach");
    expect(r.stderr).toContain("- alpha 2.0");
    expect(statSync(stamp()).mtimeMs).toBe(yesterday.getTime()); // unanswered: due again at the next write
  });

  test("the setting is validated like every other", () => {
    const bad = run(sb, ["config", "updates.notify", "maybe"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('pyctl: updates.notify takes true or false, not "maybe"\n');
    writeFileSync(join(sb.pyctlHome, "config.toml"), '[updates]\nnotify = "yes"\n');
    const r = run(sb, ["list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`pyctl: ${join(sb.pyctlHome, "config.toml")}:2: updates.notify must be a boolean\n`);
    writeFileSync(join(sb.pyctlHome, "config.toml"), "[updates]\nnotify = false\n");
    expect(ok(run(sb, ["config", "updates.notify"])).stdout).toContain("false");
  });
});
