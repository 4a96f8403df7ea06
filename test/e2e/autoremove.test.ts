// `pyctl autoremove`: orphans (cycles included) removed through the venv's pip, recorded and undoable.
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { findCommand } from "../../src/commands/index.ts";
import { makeSandbox, run, sh, type Sandbox } from "../support/env.ts";
import { buildWheels } from "../support/interpreters.ts";

const pip = (sb: Sandbox, ...args: string[]) => run(sb, ["pip", "--", ...args]);
const venv = (sb: Sandbox) => join(sb.pyctlHome, "py311", "venv");
const freezeOf = (sb: Sandbox) => sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze", "--all"], sb).stdout;
const historyCount = (sb: Sandbox) => readdirSync(join(sb.pyctlHome, "py311", "history")).filter((f) => f.endsWith("_after.json")).length;
const names = (freeze: string) =>
  freeze
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split("==")[0]!.toLowerCase());

describe("autoremove", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = makeSandbox();
    expect(run(sb, ["init", "--python", "/usr/bin/python3.11"]).code).toBe(0);
    const extra = buildWheels(sb, [{ name: "omega", version: "1.0", requires: ["zeta"] }]); // zeta <-> eta: a cycle
    expect(pip(sb, "install", "-q", "--find-links", extra, "omega", "gamma[fast]").code).toBe(0);
    expect(pip(sb, "install", "-q", "alpha").code).toBe(0); // named by the user: explicit from now on
  });

  test("with nothing orphaned it says so and records nothing", () => {
    const count = historyCount(sb);
    const r = run(sb, ["autoremove"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("nothing to remove");
    expect(historyCount(sb)).toBe(count);
  });

  test("--dry-run lists the orphans, cycles included, and changes nothing", () => {
    expect(pip(sb, "uninstall", "-q", "-y", "omega", "gamma").code).toBe(0);
    const before = freezeOf(sb);
    const count = historyCount(sb);
    const r = run(sb, ["autoremove", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("would remove 4 package(s)");
    const listed = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("  "))
      .map((l) => l.trim().split(" ")[0]);
    expect(listed.sort()).toEqual(["beta", "delta", "eta", "zeta"]);
    expect(freezeOf(sb)).toBe(before);
    expect(historyCount(sb)).toBe(count);
  });

  test("removes exactly the orphans, keeps explicit packages and pip, records kind autoremove", () => {
    const r = run(sb, ["autoremove"]);
    expect(r.code).toBe(0);
    expect(names(freezeOf(sb)).sort()).toEqual(["alpha", "pip", "setuptools"]);
    const history = JSON.parse(run(sb, ["history", "--json", "--limit", "1"]).stdout);
    expect(history[0]).toMatchObject({ kind: "autoremove", command: "pyctl autoremove", status: "ok" });
    expect(history[0].changes.removed.sort()).toEqual(["beta==2.0", "delta==1.5", "eta==1.0", "zeta==2.0"]);
    expect(run(sb, ["autoremove", "--dry-run"]).stdout).toContain("nothing to remove");
  });

  test.if(findCommand("undo") !== undefined)("undo brings the removed packages back", () => {
    const r = run(sb, ["undo"]);
    expect(r.code).toBe(0);
    expect(names(freezeOf(sb))).toEqual(expect.arrayContaining(["beta", "delta", "eta", "zeta"]));
  });
});
