// `pyctl list` and `pyctl list-deps` on a real venv filled by real pip from the local index.
import { beforeAll, describe, expect, test } from "bun:test";
import { makeSandbox, PY, run, type Sandbox } from "../support/env.ts";

const pip = (sb: Sandbox, ...args: string[]) => run(sb, ["pip", "--", ...args]);
const json = (sb: Sandbox, ...args: string[]) => {
  const r = run(sb, [...args, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

describe("list and list-deps", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = makeSandbox();
    expect(run(sb, ["init", "--python", PY.exe]).code).toBe(0);
    expect(pip(sb, "install", "-q", "gamma[fast]").code).toBe(0); // gamma -> beta -> alpha; [fast] -> delta
    expect(pip(sb, "install", "-q", "zeta").code).toBe(0); // zeta <-> eta
    expect(pip(sb, "install", "-q", "alpha").code).toBe(0); // already there: pip writes no REQUESTED, history knows
  });

  test("list --json: explicit from REQUESTED and history, dependencies, install dates", () => {
    const rows: { name: string; version: string; type: string; installed: string }[] = json(sb, "list");
    const types = Object.fromEntries(rows.map((r) => [r.name, r.type]));
    expect(types).toMatchObject({
      gamma: "explicit",
      zeta: "explicit",
      alpha: "explicit",
      beta: "dependency",
      delta: "dependency",
      eta: "dependency",
      pip: "dependency", // ensurepip put it there: nobody asked for it (issue 20)
    });
    expect(types.epsilon).toBeUndefined(); // delta's marker (python_version < "3.0") does not hold
    const gamma = rows.find((r) => r.name === "gamma")!;
    expect(gamma.version).toBe("1.0");
    expect(Math.abs(Date.parse(gamma.installed) - Date.now())).toBeLessThan(3_600_000);
  });

  test("list prints a table and a summary line", () => {
    const r = run(sb, ["list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Package\s+Version\s+Type\s+Installed$/m);
    expect(r.stdout).toMatch(/^beta\s+2\.0\s+dependency\s+\d{4}-\d\d-\d\d$/m);
    const total = json(sb, "list").length;
    const explicit = json(sb, "list").filter((x: { type: string }) => x.type === "explicit").length;
    expect(r.stdout).toContain(`${total} package(s): ${explicit} explicit, ${total - explicit} dependencies`);
  });

  test("list-deps: requirements with installed versions, the extra that brings one in, and who requires it", () => {
    const gamma = json(sb, "list-deps", "gamma");
    expect(gamma).toMatchObject({ name: "gamma", version: "1.0", type: "explicit", extras: ["fast"], required_by: [] });
    expect(gamma.requires).toEqual([
      { name: "beta", requirement: "beta", marker: null, extra: null, installed: "2.0", satisfied: true },
      {
        name: "delta",
        requirement: 'delta ; extra == "fast"',
        marker: 'extra == "fast"',
        extra: "fast",
        installed: "1.5",
        satisfied: true,
      },
    ]);
    const beta = json(sb, "list-deps", "BETA");
    expect(beta.required_by).toEqual([{ name: "gamma", version: "1.0", requirement: "beta" }]);
    expect(beta.requires[0]).toMatchObject({ name: "alpha", requirement: "alpha>=1.0", installed: "2.0" });
    const text = run(sb, ["list-deps", "beta"]).stdout;
    expect(text).toContain("beta==2.0 (dependency) depends on:");
    expect(text).toMatch(/^ {2}alpha==2\.0\s+for alpha>=1\.0$/m);
    expect(text).toMatch(/Required by:\n {2}gamma==1\.0\n/);
    expect(run(sb, ["list-deps", "gamma"]).stdout).toMatch(/delta==1\.5\s+\(extra "fast"\)/);
  });

  test("list-deps shows unmet and missing requirements, and cycles", () => {
    expect(pip(sb, "install", "-q", "--no-deps", "alpha==1.0").code).toBe(0);
    expect(pip(sb, "uninstall", "-q", "-y", "delta").code).toBe(0);
    const gamma = json(sb, "list-deps", "gamma");
    expect(gamma.requires[1]).toMatchObject({ name: "delta", installed: null, satisfied: false });
    expect(run(sb, ["list-deps", "gamma"]).stdout).toMatch(/delta: missing/);
    const eta = json(sb, "list-deps", "eta");
    expect(eta.requires[0]).toMatchObject({ name: "zeta", installed: "2.0" });
    expect(eta.required_by[0]).toMatchObject({ name: "zeta" });
  });

  test("an unknown package is an error; a missing argument a usage error", () => {
    const r = run(sb, ["list-deps", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pyctl: nope is not installed in");
    expect(run(sb, ["list-deps"]).code).toBe(2);
  });
});
