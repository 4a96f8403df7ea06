import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildGraph, orphans } from "../../src/core/packages/dependencies.ts";
import { readInventory } from "../../src/core/packages/inventory.ts";
import { namedRequirements } from "../../src/core/recording/explicit.ts";
import { markerEnvironment, parseRequirement } from "../../src/core/packages/requirements.ts";

const root = mkdtempSync(join(tmpdir(), "pyctl-deps-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Fake {
  name: string;
  version?: string;
  requires?: string[];
  requested?: boolean;
  installer?: string;
  egg?: string;
}

/** A site-packages holding only metadata: enough for the inventory and the graph. */
function site(...dists: Fake[]): string {
  const dir = mkdtempSync(join(root, "site-"));
  for (const d of dists) {
    const version = d.version ?? "1.0";
    if (d.egg !== undefined) {
      const info = join(dir, `${d.name}-${version}.egg-info`);
      mkdirSync(info);
      writeFileSync(join(info, "PKG-INFO"), `Metadata-Version: 1.1\nName: ${d.name}\nVersion: ${version}\n\n`);
      writeFileSync(join(info, "requires.txt"), d.egg);
      continue;
    }
    const info = join(dir, `${d.name}-${version}.dist-info`);
    mkdirSync(info);
    const requires = (d.requires ?? []).map((r) => `Requires-Dist: ${r}\n`).join("");
    writeFileSync(
      join(info, "METADATA"),
      `Metadata-Version: 2.1\nName: ${d.name}\nVersion: ${version}\n${requires}\nbody text\nRequires-Dist: not-a-header\n`,
    );
    writeFileSync(join(info, "INSTALLER"), `${d.installer ?? "pip"}\n`);
    if (d.requested) writeFileSync(join(info, "REQUESTED"), "");
  }
  return dir;
}

const env = markerEnvironment("3.11.2");
const graphOf = (dir: string, named = new Map<string, Set<string>>()) => buildGraph(readInventory(dir), env, named);
const orphanNames = (dir: string, named?: Map<string, Set<string>>) =>
  orphans(graphOf(dir, named))
    .map((n) => n.dist.key)
    .sort();

describe("buildGraph", () => {
  test("requires and required-by, with installed versions and unmet specifiers", () => {
    const g = graphOf(
      site(
        { name: "beta", requires: ["alpha>=2.0", "missing-pkg"], requested: true },
        { name: "alpha", version: "1.1" },
      ),
    );
    const beta = g.get("beta")!;
    expect(beta.requires.map((e) => [e.requirement.key, e.installed?.version ?? null, e.satisfied])).toEqual([
      ["alpha", "1.1", false],
      ["missing-pkg", null, false],
    ]);
    expect(g.get("alpha")!.requiredBy.map((e) => e.from)).toEqual(["beta"]);
    expect(g.get("alpha")!.explicit).toBe(false);
    expect(beta.explicit).toBe(true);
  });

  test("markers that fail for the venv's Python do not count", () => {
    const g = graphOf(site({ name: "delta", requires: ['epsilon ; python_version < "3.0"'] }, { name: "epsilon" }));
    expect(g.get("delta")!.requires).toEqual([]);
    expect(g.get("epsilon")!.requiredBy).toEqual([]);
  });

  test("an extra's dependencies count only when something asks for that extra", () => {
    const dists: Fake[] = [
      { name: "gamma", requires: ["beta", 'delta ; extra == "fast"'], requested: true },
      { name: "beta" },
      { name: "delta" },
    ];
    expect(
      graphOf(site(...dists))
        .get("gamma")!
        .requires.map((e) => e.requirement.key),
    ).toEqual(["beta"]);
    const asked = graphOf(site(...dists, { name: "app", requires: ["gamma[fast]"], requested: true }));
    const edge = asked.get("gamma")!.requires.find((e) => e.requirement.key === "delta")!;
    expect(edge.viaExtra).toBe("fast");
    const fromHistory = graphOf(site(...dists), new Map([["gamma", new Set(["fast"])]]));
    expect(fromHistory.get("delta")!.requiredBy.map((e) => e.from)).toEqual(["gamma"]);
  });

  test("extras propagate through chains", () => {
    const g = graphOf(
      site(
        { name: "app", requires: ["mid[x]"], requested: true },
        { name: "mid", requires: ['leaf[y] ; extra == "x"'] },
        { name: "leaf", requires: ['deep ; extra == "y"'] },
        { name: "deep" },
      ),
    );
    expect(g.get("deep")!.requiredBy.map((e) => e.from)).toEqual(["leaf"]);
  });

  test("egg-info requires.txt sections become markers", () => {
    const g = graphOf(
      site(
        { name: "legacy", egg: 'alpha>=1\n\n[fast]\ndelta\n\n[:python_version < "3"]\nepsilon\n' },
        { name: "alpha" },
        { name: "delta" },
        { name: "epsilon" },
      ),
    );
    expect(g.get("legacy")!.requires.map((e) => e.requirement.key)).toEqual(["alpha"]);
    expect(g.get("legacy")!.explicit).toBe(true);
  });
});

describe("orphans", () => {
  test("dependencies of explicit packages are kept, transitively", () => {
    expect(
      orphanNames(
        site(
          { name: "app", requires: ["beta"], requested: true },
          { name: "beta", requires: ["alpha"] },
          { name: "alpha" },
          { name: "stray" },
        ),
      ),
    ).toEqual(["stray"]);
  });

  test("a cycle nothing explicit needs is removed whole; one that is needed is kept whole", () => {
    const cycle: Fake[] = [
      { name: "zeta", requires: ["eta"] },
      { name: "eta", requires: ["zeta"] },
    ];
    expect(orphanNames(site(...cycle))).toEqual(["eta", "zeta"]);
    expect(orphanNames(site(...cycle, { name: "app", requires: ["eta"], requested: true }))).toEqual([]);
  });

  test("pip, setuptools and wheel are never orphans; nor is what history says the user named", () => {
    expect(orphanNames(site({ name: "pip" }, { name: "setuptools" }, { name: "wheel" }))).toEqual([]);
    expect(orphanNames(site({ name: "alpha" }, { name: "beta" }), new Map([["alpha", new Set<string>()]]))).toEqual([
      "beta",
    ]);
  });

  test("installs with no INSTALLER record are treated as explicit", () => {
    expect(orphanNames(site({ name: "copied", installer: "" }))).toEqual([]);
  });
});

describe("namedRequirements", () => {
  const cases: [string[], string | undefined, [string, string[]][]][] = [
    [
      ["install", "alpha", "gamma[fast]>=1"],
      "install",
      [
        ["alpha", []],
        ["gamma", ["fast"]],
      ],
    ],
    [["-q", "install", "-U", "-r", "req.txt", "Mixed_Case.Name"], "install", [["mixed-case-name", []]]],
    [["install", "-e", "./proj", "./local.whl", "--index-url", "http://x/simple", "beta"], "install", [["beta", []]]],
    [["uninstall", "-y", "alpha"], "uninstall", [["alpha", []]]],
    [["--version"], undefined, []],
  ];
  for (const [args, sub, names] of cases) {
    test(args.join(" "), () => {
      const got = namedRequirements(args);
      expect(got.subcommand).toBe(sub);
      expect([...got.names]).toEqual(names);
    });
  }

  // plain numeric specifiers are read without the PEP 440 library: the same names either way
  test.each([
    "alpha==1.0",
    "Gamma[Fast, Extra_2]==1.0.*",
    "beta>=2,<3",
    "beta!=2.*",
    "alpha~=1",
    "alpha~=1.4",
    "alpha>=1.*",
    "alpha==1.0rc1",
    "alpha[x]",
    "alpha==",
    "alpha=1",
  ])("%s reads as parseRequirement reads it", (arg) => {
    let expected: [string, string[]][] = [];
    try {
      const req = parseRequirement(arg);
      expected = [[req.key, req.extras]];
    } catch {
      // skipped either way
    }
    expect([...namedRequirements(["install", arg]).names]).toEqual(expected);
  });
});
