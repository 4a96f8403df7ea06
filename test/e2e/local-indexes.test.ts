// Every index form pip accepts, for outdated, upgrade and the update notice: a file:// simple tree
// (a local mirror), --find-links folders, and several indexes where one lacks a project.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { fixtures, run, type Sandbox } from "../support/env.ts";
import { writeFindLinks, writeSimpleTree } from "../support/package-index.ts";
import { initSandbox, ok, pip, pipFreeze } from "../support/venv-fixtures.ts";

const latest = (sb: Sandbox, env: Record<string, string | undefined>) =>
  (JSON.parse(ok(run(sb, ["outdated", "--json"], { env })).stdout) as { name: string; latest: string }[])
    .map((r) => `${r.name} ${r.latest}`)
    .sort();

describe("local mirrors and several indexes", () => {
  let sb: Sandbox;
  let wheels: string;
  let httpIndex: string;
  let tree: string;
  beforeAll(async () => {
    sb = initSandbox();
    ({ wheelDir: wheels } = await fixtures());
    httpIndex = `${(await fixtures()).index.url}/simple`;
    tree = writeSimpleTree(wheels, join(sb.dir, "mirror"));
    ok(pip(sb, "install", "-q", "kappa==1.0", "mu==1.0", "epsilon==1.0"));
  });

  test("a file:// simple tree answers outdated as the same index over http does", () => {
    expect(latest(sb, { PIP_INDEX_URL: tree })).toEqual(latest(sb, {}));
    expect(latest(sb, { PIP_INDEX_URL: tree })).toEqual(["kappa 2.0", "mu 2.0"]);
    // pip also takes the tree as a plain path
    expect(latest(sb, { PIP_INDEX_URL: join(sb.dir, "mirror", "simple") })).toEqual(["kappa 2.0", "mu 2.0"]);
  });

  test("upgrade --dry-run and upgrade install from the file:// tree", () => {
    const env = { PIP_INDEX_URL: tree };
    expect(ok(run(sb, ["upgrade", "--dry-run"], { env })).stdout).toContain("mu");
    ok(run(sb, ["upgrade", "mu"], { env }));
    expect(pipFreeze(sb)).toContain("mu==2.0");
    ok(run(sb, ["undo"]));
  });

  test("an index that lacks a project: the other index answers for it", () => {
    const noKappa = writeSimpleTree(wheels, join(sb.dir, "no-kappa"), (p) => p !== "kappa");
    expect(latest(sb, { PIP_INDEX_URL: noKappa, PIP_EXTRA_INDEX_URL: httpIndex })).toEqual(["kappa 2.0", "mu 2.0"]);
    expect(latest(sb, { PIP_INDEX_URL: httpIndex, PIP_EXTRA_INDEX_URL: noKappa })).toEqual(["kappa 2.0", "mu 2.0"]);
  });

  test("find-links folders, as a path and as a file:// URL, beside an index and with no index", () => {
    const onlyMu = writeSimpleTree(wheels, join(sb.dir, "only-mu"), (p) => p === "mu");
    // a folder gives no Requires-Python nor yanked marks: leave out the files that need them
    const folder = writeFindLinks(wheels, join(sb.dir, "links"), (f) => /^kappa-(1|2\.0)/.test(f));
    for (const links of [folder, `file://${folder}`]) {
      expect(latest(sb, { PIP_INDEX_URL: onlyMu, PIP_FIND_LINKS: links })).toEqual(["kappa 2.0", "mu 2.0"]);
      expect(latest(sb, { PIP_NO_INDEX: "1", PIP_FIND_LINKS: links })).toEqual(["kappa 2.0"]);
    }
    // pip agrees: with that folder the newest kappa it installs is the one outdated named
    ok(pip(sb, "install", "-q", "--no-index", "--find-links", folder, "kappa>1"));
    expect(pipFreeze(sb)).toContain("kappa==2.0");
    ok(run(sb, ["undo"]));
  });

  test("the update notice fires with a file:// index", () => {
    ok(run(sb, ["config", "updates.notify", "true"]));
    const env = { PIP_INDEX_URL: tree };
    const said = ["alpha==1.0", "alpha==1.1", "alpha==1.0"].some((spec) =>
      /^pyctl: \d+ of your packages have newer versions: pyctl outdated$/m.test(
        ok(run(sb, ["pip", "--", "install", "-q", spec], { env })).stderr,
      ),
    );
    expect(said).toBe(true);
  });
});
