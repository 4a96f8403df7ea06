// One version (package.json's) everywhere, CHANGELOG.md as the Debian changelog, and the one-line
// setup-shell hint a user of the .deb sees until the hook is on.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { debianChangelog, parseChangelog } from "../../scripts/debian-changelog.ts";
import { VERSION } from "../../src/core/base/version.ts";
import { makeSandbox, run, type Sandbox } from "../support/env.ts";

const REPO = resolve(import.meta.dir, "..", "..");

test("package.json's version is pyctl's, and CHANGELOG.md has an entry for it", () => {
  expect(VERSION).toBe(pkg.version);
  expect(readFileSync(join(REPO, "src", "cli.ts"), "utf8")).not.toMatch(/\d+\.\d+\.\d+/);
  const releases = parseChangelog(readFileSync(join(REPO, "CHANGELOG.md"), "utf8"));
  expect(releases[0]?.version).toBe(VERSION);
});

test.each([
  [
    "## 1.2.0 - 2026-12-01\n\n- one\n- two, wrapped\n  onto a second line\n\n## 1.1.0 - 2026-11-02\n- old\n",
    "pyctl (1.2.0) unstable; urgency=medium\n\n  * one\n  * two, wrapped onto a second line\n\n -- M <m@x>  Tue, 01 Dec 2026 00:00:00 +0000\n\n" +
      "pyctl (1.1.0) unstable; urgency=medium\n\n  * old\n\n -- M <m@x>  Mon, 02 Nov 2026 00:00:00 +0000\n",
  ],
  ["# Changelog\nno releases yet\n", "\n"],
])("CHANGELOG.md → Debian changelog", (markdown, expected) => {
  expect(debianChangelog(parseChangelog(markdown), "M <m@x>")).toBe(expected);
});

describe("until setup-shell", () => {
  let sb: Sandbox;
  // makeSandbox compiles pyctl the first time: minutes on a busy machine.
  beforeAll(() => {
    sb = makeSandbox();
  }, 600_000);
  afterAll(() => sb?.cleanup());

  test("`pyctl --version` says a copy run from the tree is built from source", () => {
    expect(run(sb, ["--version"]).stdout).toBe(`pyctl ${VERSION} (built from source)\n`);
  });

  test("`pyctl status` says in one line how to turn the hook on, and stops once it is on", () => {
    // Nothing under /etc counts here, whatever this machine's /etc/bash.bashrc holds.
    const env = { PYCTL_SYSTEM_ROOT: join(sb.dir, "no-system-files") };
    const before = run(sb, ["status"], { env })
      .stdout.split("\n")
      .filter((l) => l.startsWith("hook:"));
    expect(before).toEqual(["hook:      the shell hook is not set up: run `pyctl setup-shell`, then open a new shell"]);
    expect(run(sb, ["setup-shell", "--", join(sb.home, ".bashrc")], { env }).code).toBe(0);
    expect(run(sb, ["status"], { env }).stdout).toContain("hook:      not active in this shell\n");
  });
});
