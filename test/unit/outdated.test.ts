// Which packages are behind, what holds them back, and the pip arguments of an upgrade.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildGraph } from "../../src/core/packages/dependencies.ts";
import { readInventory } from "../../src/core/packages/inventory.ts";
import { outdatedPackages, queried } from "../../src/core/operations/outdated.ts";
import { markerEnvironment } from "../../src/core/packages/requirements.ts";
import { upgradeArguments } from "../../src/core/operations/upgrade.ts";

const root = mkdtempSync(join(tmpdir(), "pyctl-outdated-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** name, version, requested, Requires-Dist lines. */
function graphOf(...dists: [string, string, boolean, string[]][]) {
  const dir = mkdtempSync(join(root, "site-"));
  for (const [name, version, requested, requires] of dists) {
    const info = join(dir, `${name}-${version}.dist-info`);
    mkdirSync(info);
    writeFileSync(
      join(info, "METADATA"),
      `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n${requires.map((r) => `Requires-Dist: ${r}\n`).join("")}\n`,
    );
    writeFileSync(join(info, "INSTALLER"), "pip\n");
    if (requested) writeFileSync(join(info, "REQUESTED"), "");
  }
  return buildGraph(readInventory(dir), markerEnvironment("3.11.2"), new Map([["gamma", new Set(["fast"])]]));
}

const graph = graphOf(
  ["kappa", "1.0", true, []],
  ["lamda", "1.0", true, ["kappa<2", 'kappa<1.5 ; python_version < "3"']],
  ["mu", "1.0", true, ["nu<2"]],
  ["nu", "1.0", false, []],
  ["gamma", "1.0", false, ["nu"]],
  ["xi", "1.0b1", true, []],
);

describe("outdatedPackages", () => {
  const latest = new Map([
    ["kappa", "2.0"],
    ["lamda", "1.0"],
    ["mu", "2.0"],
    ["nu", "2.0"],
    ["gamma", undefined],
    ["xi", "1.0b2"],
  ]);
  test("explicit packages behind the index, each with what holds it back (markers evaluated)", () => {
    const found = outdatedPackages(graph, queried(graph, false), latest);
    expect(found.map((p) => [p.name, p.installed, p.latest, p.blockedBy])).toEqual([
      ["kappa", "1.0", "2.0", [{ from: "lamda", version: "1.0", requirement: "kappa<2" }]],
      ["mu", "1.0", "2.0", []],
      ["xi", "1.0b1", "1.0b2", []],
    ]);
  });
  test("all packages: dependencies too; a project the index lacks is not behind", () => {
    const found = outdatedPackages(graph, queried(graph, true), latest);
    expect(found.map((p) => `${p.name}${p.explicit ? "" : " (dep)"}`)).toEqual(["kappa", "mu", "nu (dep)", "xi"]);
    expect(found.find((p) => p.name === "nu")!.blockedBy).toEqual([
      { from: "mu", version: "1.0", requirement: "nu<2" },
    ]);
  });
});

describe("upgradeArguments", () => {
  const targets = outdatedPackages(
    graph,
    queried(graph, true),
    new Map([
      ["kappa", "2.0"],
      ["nu", "2.0"],
    ]),
  );
  test("named: those must go up; every other explicit package counts at its version or newer, extras kept", () => {
    expect(upgradeArguments(graph, targets, true)).toEqual([
      "kappa>1.0",
      "nu>1.0",
      "gamma[fast]>=1.0",
      "lamda>=1.0",
      "mu>=1.0",
      "xi>=1.0b1",
    ]);
  });
  test("everything: --upgrade over every explicit package", () => {
    expect(upgradeArguments(graph, targets, false)).toEqual([
      "--upgrade",
      "gamma[fast]>=1.0",
      "kappa>=1.0",
      "lamda>=1.0",
      "mu>=1.0",
      "xi>=1.0b1",
    ]);
  });
});
