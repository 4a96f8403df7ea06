import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  goalFromEntry,
  goalFromLines,
  mismatches,
  parseWanted,
  planChange,
  planChanges,
} from "../../src/core/transaction/plan.ts";
import { exchangeVenv, recoverTransaction } from "../../src/core/base/swap.ts";
import { Layout } from "../../src/core/base/paths.ts";
import { targetFor } from "../../src/core/recording/target.ts";
import type { Dist } from "../../src/core/packages/inventory.ts";
import type { BeforeEntry } from "../../src/core/recording/history.ts";

function dist(name: string, version: string, extra: Partial<Dist> = {}): Dist {
  return {
    name,
    key: name.toLowerCase().replace(/[-_.]+/g, "-"),
    version,
    pep440: true,
    metadataPath: `/sp/${name}-${version}.dist-info`,
    requested: false,
    installer: "pip",
    ...extra,
  };
}

describe("parseWanted", () => {
  test.each([
    ["alpha==1.0", { key: "alpha", version: "1.0", direct: false, line: "alpha==1.0" }],
    ["Mixed_Case.Name==1.0", { key: "mixed-case-name", name: "Mixed_Case.Name", version: "1.0" }],
    ["alpha==1.0.0rc1", { version: "1.0.0rc1", pep440: true }],
    ["alpha==01.0", { version: "1.0", line: "alpha==01.0" }],
    ["weird===not.pep440!", { version: "not.pep440!", pep440: false }],
    ["gamma[fast]==1.0", { key: "gamma", version: "1.0", line: "gamma==1.0" }],
    ["alpha==1.0 ; python_version > '3'", { version: "1.0" }],
    [
      "delta @ file:///w/delta-1.0-py3-none-any.whl",
      { key: "delta", direct: true, line: "delta @ file:///w/delta-1.0-py3-none-any.whl" },
    ],
    ["-e /src/projx", { key: "", direct: true, line: "-e /src/projx" }],
    ["-e git+https://x/y.git@abc#egg=projx", { key: "projx", direct: true }],
  ])("%s", (line, expected) => {
    expect(parseWanted(line)).toMatchObject(expected);
  });

  test("a range is not a pinned requirement", () => {
    expect(() => parseWanted("alpha>=1.0")).toThrow("not a pinned requirement");
  });
});

describe("planChange", () => {
  const installed = [
    dist("alpha", "2.0"),
    dist("beta", "1.0"),
    dist("pip", "23.0.1"),
    dist("setuptools", "66.1.1"),
    dist("zeta", "1.0"),
  ];

  test("removes, installs and replaces only what differs", () => {
    const plan = planChange(
      installed,
      goalFromLines(["alpha==1.0", "beta==1.0", "epsilon==1.0", "pip==23.0.1", "setuptools==66.1.1"]),
    );
    expect(planChanges(plan)).toEqual({
      added: ["epsilon==1.0"],
      removed: ["zeta==1.0"],
      modified: [{ name: "alpha", from: "2.0", to: "1.0" }],
    });
    expect(plan.unchanged).toBe(3);
  });

  test("a goal without pip (plain pip freeze) leaves pip and setuptools alone", () => {
    const plan = planChange(installed, goalFromLines(["alpha==2.0"]));
    expect(planChanges(plan).removed).toEqual(["beta==1.0", "zeta==1.0"]);
  });

  test("a goal with pip removes setuptools if it lacks it", () => {
    const plan = planChange(installed, goalFromLines(["alpha==2.0", "beta==1.0", "pip==23.0.1", "zeta==1.0"]));
    expect(planChanges(plan).removed).toEqual(["setuptools==66.1.1"]);
  });

  test("equal PEP 440 versions are the same version", () => {
    expect(mismatches([dist("alpha", "1.0")], goalFromLines(["alpha==1.0.0"]))).toEqual([]);
  });

  test("a direct-URL install is not the index's release of the same version", () => {
    const direct = dist("delta", "1.0", {
      directUrl: { url: "file:///w/delta-1.0-py3-none-any.whl", archive_info: {} },
    });
    expect(planChange([direct], goalFromLines(["delta==1.0"])).replace).toHaveLength(1);
    expect(planChange([direct], goalFromLines(["delta @ file:///w/delta-1.0-py3-none-any.whl"])).unchanged).toBe(1);
  });

  test("a history state also restores REQUESTED markers", () => {
    const entry = {
      freeze: "alpha==2.0\nbeta==1.0\n",
      packages: [
        { name: "alpha", version: "2.0", requested: true },
        { name: "beta", version: "1.0" },
      ],
    } as BeforeEntry;
    const plan = planChange([dist("alpha", "2.0"), dist("beta", "1.0", { requested: true })], goalFromEntry(entry));
    expect(plan.mark.map((m) => [m.dist.name, m.requested])).toEqual([
      ["alpha", true],
      ["beta", false],
    ]);
  });
});

describe("swap and recovery", () => {
  const homes: string[] = [];
  afterAll(() => {
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  function fakeTarget() {
    const home = mkdtempSync(join(tmpdir(), "pyctl-swap-"));
    homes.push(home);
    const target = targetFor(new Layout("user", home), "3.11");
    for (const [dir, tag] of [
      [target.venv, "old"],
      [`${target.venv}.staging`, "new"],
    ] as const) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "tag"), tag);
    }
    return target;
  }

  test("exchangeVenv swaps staging and live in one step", () => {
    const target = fakeTarget();
    const old = exchangeVenv(target);
    expect(readFileSync(join(target.venv, "tag"), "utf8")).toBe("new");
    expect(readFileSync(join(old, "tag"), "utf8")).toBe("old");
  });

  test("recovery drops a stale staging venv", () => {
    const target = fakeTarget();
    recoverTransaction(target);
    expect(existsSync(`${target.venv}.staging`)).toBe(false);
    expect(readFileSync(join(target.venv, "tag"), "utf8")).toBe("old");
  });

  test("recovery puts the old venv back if the two-rename fallback died in between", () => {
    const target = fakeTarget();
    renameSync(target.venv, `${target.venv}.staging.old`);
    recoverTransaction(target);
    expect(readFileSync(join(target.venv, "tag"), "utf8")).toBe("old");
    expect(existsSync(`${target.venv}.staging`)).toBe(false);
    expect(existsSync(`${target.venv}.staging.old`)).toBe(false);
  });
});
