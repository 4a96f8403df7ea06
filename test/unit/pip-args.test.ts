import { describe, expect, test } from "bun:test";
import { parsePipArgs, withoutUserFlag } from "../../src/core/packages/pip-args.ts";

describe("parsePipArgs finds the subcommand behind pip's global options", () => {
  test.each([
    [["install", "x"], "install", true],
    [["uninstall", "-y", "x"], "uninstall", true],
    [["-q", "install", "x"], "install", true],
    [["--no-color", "uninstall", "-y", "x"], "uninstall", true],
    [["--timeout", "5", "install", "x"], "install", true],
    [["--timeout=5", "install", "x"], "install", true],
    [["--log", "install", "list"], "list", false], // --log takes a value: "install" is the log file
    [["--python", "/usr/bin/python3", "list"], "list", false],
    [["list"], "list", false],
    [["freeze", "--all"], "freeze", false],
    [["download", "x"], "download", false],
    [["--version"], undefined, false],
    [[], undefined, false],
    [["install", "--target", "/tmp/t", "x"], "install", false],
    [["install", "--prefix=/tmp/p", "x"], "install", false],
    [["install", "--dry-run", "x"], "install", false],
    [["install", "--help"], "install", false],
  ] as [string[], string | undefined, boolean][])("%j -> %s (writes: %s)", (args, subcommand, writes) => {
    const parsed = parsePipArgs(args);
    expect(parsed.subcommand).toBe(subcommand);
    expect(parsed.writes).toBe(writes);
  });
});

test("withoutUserFlag drops every --user and says so", () => {
  expect(withoutUserFlag(["install", "--user", "x", "--user"])).toEqual({ args: ["install", "x"], dropped: true });
  expect(withoutUserFlag(["install", "x"])).toEqual({ args: ["install", "x"], dropped: false });
});
