// The pip step of a transaction (spec.pip): `pip install ARGS` with pip's resolver in the staging
// venv, from the local index, then verify and swap; a failing pip or check swaps nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type Config } from "../../src/core/base/config.ts";
import { Layout } from "../../src/core/base/paths.ts";
import type { Dist } from "../../src/core/packages/inventory.ts";
import { targetFor, type Target } from "../../src/core/recording/target.ts";
import { goalFromLines } from "../../src/core/transaction/plan.ts";
import { runTransaction, type TransactionSpec } from "../../src/core/transaction/transaction.ts";
import { PY, type Sandbox } from "../support/env.ts";
import { fileSet } from "../support/file-set.ts";
import {
  initSandbox,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  script,
  sitePackages,
  staging,
  venv,
} from "../support/venv-fixtures.ts";

describe("the pip step of a transaction", () => {
  let sb: Sandbox;
  let target: Target;
  let config: Config;
  const saved = new Map<string, string | undefined>();

  beforeAll(async () => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0", "beta==1.0"));
    // The transaction runs in this process: its pip must see the sandbox's PIP_* settings only, as pyctl's would.
    for (const key of Object.keys(process.env).filter((k) => k.startsWith("PIP_"))) saved.set(key, process.env[key]);
    for (const key of Object.keys(sb.env).filter((k) => k.startsWith("PIP_"))) saved.set(key, process.env[key]);
    for (const key of saved.keys()) delete process.env[key];
    for (const [key, value] of Object.entries(sb.env)) if (key.startsWith("PIP_")) process.env[key] = value;
    const layout = new Layout("user", sb.pyctlHome);
    target = targetFor(layout, PY.version);
    config = await loadConfig(layout.configFile);
  });
  afterAll(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    sb.cleanup();
  });

  const hasAlpha = (version: string) => (staged: Dist[]) =>
    staged.some((d) => d.key === "alpha" && d.version === version) ? [] : [`alpha is not ${version}`];

  test("a failing pip leaves the venv's whole file set unchanged and names pip's error", async () => {
    const before = fileSet(venv(sb));
    const spec: TransactionSpec = {
      kind: "upgrade",
      command: "test: pip install no-such-project",
      goal: () => undefined,
      pip: ["no-such-project"],
    };
    const result = await runTransaction(target, config, spec);
    expect(result.committed).toBe(false);
    expect(result.error!.message).toContain("pip install no-such-project failed (exit 1)");
    expect(result.error!.message).toContain("No matching distribution found for no-such-project");
    expect(fileSet(venv(sb))).toEqual(before);
    expect(existsSync(staging(sb))).toBe(false);
    expect(lastEntry(sb)).toMatchObject({
      kind: "upgrade",
      exit_code: 1,
      changes: { added: [], removed: [], modified: [] },
    });
  });

  test("a check that fails after pip succeeded swaps nothing", async () => {
    const before = fileSet(venv(sb));
    const result = await runTransaction(target, config, {
      kind: "upgrade",
      command: "test: pip install --upgrade alpha, wanting 1.1",
      goal: () => undefined,
      pip: ["--upgrade", "alpha"],
      check: hasAlpha("1.1"),
    });
    expect(result.error!.message).toBe("the new venv does not match its goal: alpha is not 1.1");
    expect(fileSet(venv(sb))).toEqual(before);
  });

  test("pip install --upgrade in staging, then swapped in: scripts name the venv, explicit marks stay", async () => {
    const seen: string[][] = [];
    const result = await runTransaction(
      target,
      config,
      {
        kind: "upgrade",
        command: "test: pip install --upgrade alpha",
        goal: () => undefined,
        pip: ["--upgrade", "alpha"],
        check: hasAlpha("2.0"),
      },
      { pipping: (args) => seen.push(args) },
    );
    expect(result.error).toBeUndefined();
    expect(result.committed).toBe(true);
    expect(seen).toEqual([["--upgrade", "alpha"]]);
    expect(pipFreeze(sb)).toContain("alpha==2.0\nbeta==1.0\n");
    expect(script(sb, "alpha")).toBe("alpha 2.0");
    expect(readFileSync(join(venv(sb), "bin", "alpha"), "utf8").split("\n")[0]).toBe(`#!${venv(sb)}/bin/python`);
    expect(existsSync(join(sitePackages(sb), "beta-1.0.dist-info", "REQUESTED"))).toBe(true);
    expect(existsSync(join(sitePackages(sb), "alpha-2.0.dist-info", "REQUESTED"))).toBe(true);
    expect(lastEntry(sb)).toMatchObject({
      kind: "upgrade",
      exit_code: 0,
      changes: { modified: [{ name: "alpha", from: "1.0", to: "2.0" }] },
    });
    expect(existsSync(staging(sb))).toBe(false);
  });

  test("a dependency upgraded by pip keeps its explicit mark", async () => {
    // beta==2.0 needs alpha>=1.0: with --upgrade-strategy eager pip reinstalls alpha, which was explicit
    ok(pip(sb, "install", "-q", "alpha==1.1"));
    const result = await runTransaction(target, config, {
      kind: "upgrade",
      command: "test: eager upgrade of beta",
      goal: () => undefined,
      pip: ["--upgrade", "--upgrade-strategy", "eager", "beta"],
      check: hasAlpha("2.0"),
    });
    expect(result.error).toBeUndefined();
    expect(pipFreeze(sb)).toContain("alpha==2.0\nbeta==2.0\n");
    expect(existsSync(join(sitePackages(sb), "alpha-2.0.dist-info", "REQUESTED"))).toBe(true);
  });

  test("a goal that cannot be had: no swap and the missing line named; allowMissing accepts it and names it", async () => {
    const lines = pipFreeze(sb).trim().split("\n");
    const goal = goalFromLines([...lines, "nothere==1.0"]);
    const before = fileSet(venv(sb));
    const refused = await runTransaction(target, config, {
      kind: "restore",
      command: "test: restore with nothere",
      goal: () => goal,
    });
    expect(refused.error!.message).toContain("pip could not install nothere==1.0");
    expect(fileSet(venv(sb))).toEqual(before);

    const accepted = await runTransaction(target, config, {
      kind: "restore",
      command: "test: restore with nothere",
      goal: () => goal,
      allowMissing: true,
    });
    expect(accepted.error).toBeUndefined();
    expect(accepted.missing).toEqual(["nothere==1.0"]);
  });
});
