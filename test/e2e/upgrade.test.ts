// pyctl upgrade: pip's resolver in staging, one recorded operation, one offline undo; conflicts change nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fixtures, run, startIndex, type Index, type Sandbox } from "../support/env.ts";
import {
  expectNothingChanged,
  historyFiles,
  initSandbox,
  inventory,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  script,
  sitePackages,
} from "../support/venv-fixtures.ts";

/** Which dists carry pip's REQUESTED marker. */
function requested(sb: Sandbox): string[] {
  return readdirSync(sitePackages(sb))
    .filter((d) => d.endsWith(".dist-info") && existsSync(join(sitePackages(sb), d, "REQUESTED")))
    .map((d) => d.replace(/-[^-]+\.dist-info$/, ""))
    .sort();
}

describe("pyctl upgrade", () => {
  let sb: Sandbox;
  let index: Index;
  beforeAll(async () => {
    sb = initSandbox();
    index = await startIndex((await fixtures()).wheelDir);
    sb.env.PIP_INDEX_URL = `${index.url}/simple`;
    ok(pip(sb, "install", "-q", "kappa==1.0", "lamda==1.0", "mu==1.0", "xi==1.0b1", "epsilon==1.0"));
  });
  afterAll(() => index.stop());

  test("--dry-run prints old → new for every package that would change, dependencies included, and records nothing", () => {
    expectNothingChanged(sb, () => {
      const r = ok(run(sb, ["upgrade", "--dry-run"]));
      const lines = r.stdout.split("\n").map((l) => l.trim());
      expect(lines).toContain("↑ kappa 1.0 → 1.1");
      expect(lines).toContain("↑ mu 1.0 → 2.0");
      expect(lines).toContain("↑ nu 1.0 → 2.0"); // a dependency mu 2.0 needs
      expect(lines).toContain("↑ xi 1.0b1 → 1.0b2");
      expect(lines).toContain("(kappa stays below 2.0: lamda 1.0 requires kappa<2)");
      expect(r.stdout).not.toContain("epsilon");
      expect(r.stdout).toContain("dry run: nothing changed");
    });
  });

  test("named packages only; what blocks a named upgrade is said, and nothing changes", () => {
    expectNothingChanged(sb, () => {
      const r = ok(run(sb, ["upgrade", "mu", "--dry-run"]));
      expect(r.stdout).toContain("↑ mu 1.0 → 2.0");
      expect(r.stdout).toContain("↑ nu 1.0 → 2.0");
      expect(r.stdout).not.toContain("kappa");
    });
    ok(pip(sb, "install", "-q", "kappa==1.1"));
    const before = pipFreeze(sb);
    expectNothingChanged(sb, () => {
      const r = run(sb, ["upgrade", "kappa"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        "pyctl: cannot upgrade, nothing changed: lamda 1.0 requires kappa<2, which blocks kappa>1.1\n",
      );
    });
    expect(pipFreeze(sb)).toBe(before);
  });

  test("upgrades every explicit package as one recorded operation; marks stay; one undo reverts it offline", () => {
    ok(pip(sb, "install", "-q", "kappa==1.0"));
    const before = pipFreeze(sb);
    const marks = requested(sb);
    const entries = historyFiles(sb).length;
    const r = ok(run(sb, ["upgrade"]));
    expect(r.stderr).toContain("done; recorded as");
    expect(historyFiles(sb).length).toBe(entries + 2); // one before + one after
    const entry = lastEntry(sb);
    expect(entry).toMatchObject({ kind: "upgrade", command: "pyctl upgrade", exit_code: 0 });
    expect(entry.changes).toEqual({
      added: [],
      removed: [],
      modified: [
        { name: "kappa", from: "1.0", to: "1.1" },
        { name: "mu", from: "1.0", to: "2.0" },
        { name: "nu", from: "1.0", to: "2.0" },
        { name: "xi", from: "1.0b1", to: "1.0b2" },
      ],
    });
    expect(script(sb, "kappa")).toBe("kappa 1.1"); // console scripts point at the live venv, not staging
    expect(requested(sb)).toEqual(marks);
    expect(ok(run(sb, ["list", "--json"])).stdout).toContain(
      '"name": "nu",\n    "version": "2.0",\n    "type": "dependency"',
    );

    index.stop();
    const undo = ok(run(sb, ["undo"]));
    expect(undo.stderr).not.toContain("download");
    expect(pipFreeze(sb)).toBe(before);
    expect(requested(sb)).toEqual(marks);
  });

  test("completion offers explicit packages to upgrade, and both commands' options", () => {
    const words = (...typed: string[]) =>
      ok(run(sb, ["complete", "--", ...typed]))
        .stdout.split("\n")
        .map((l) => l.split("\t")[0]);
    const upgradeable = words("upgrade", "");
    expect(upgradeable).toEqual(expect.arrayContaining(["kappa", "lamda", "mu", "xi"]));
    expect(upgradeable).not.toContain("nu"); // a dependency
    expect(words("upgrade", "kappa", "")).toContain("mu");
    expect(words("upgrade", "-")).toEqual(expect.arrayContaining(["--dry-run", "--python"]));
    expect(words("outdated", "-")).toEqual(expect.arrayContaining(["--all", "--json", "--python"]));
    expect(words("out")).toContain("outdated");
  });

  test("nothing newer, unknown names, and an unreachable index are one line", async () => {
    expectNothingChanged(sb, () => {
      const r = run(sb, ["upgrade", "epsilon"]);
      expect(r.code).toBe(1); // the index is stopped
      expect(r.stderr).toMatch(
        /^pyctl: cannot reach the package index http:\/\/127\.0\.0\.1:\d+\/simple\/epsilon\/ \(ECONNREFUSED\)\n/,
      );
    });
    index = await startIndex((await fixtures()).wheelDir);
    sb.env.PIP_INDEX_URL = `${index.url}/simple`;
    expectNothingChanged(sb, () => {
      expect(ok(run(sb, ["upgrade", "epsilon"])).stdout).toBe("epsilon: already the latest version\n");
      const r = run(sb, ["upgrade", "nosuch", "Kappa"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toStartWith("pyctl: not installed: nosuch\n");
    });
    expect(inventory(sb).length).toBeGreaterThan(0);
  });
});
