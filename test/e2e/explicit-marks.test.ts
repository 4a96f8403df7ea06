// Explicit marks survive (issue 9, Deliver 5): the explicit set is history and REQUESTED together,
// and undo, clean + undo and snapshot + clean + restore keep it.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PY, run, type Sandbox, sh } from "../support/env.ts";
import { initSandbox, ok, pip, pipFreeze, sitePackages, venv } from "../support/venv-fixtures.ts";

function kinds(sb: Sandbox): Record<string, string> {
  const rows = JSON.parse(ok(run(sb, ["list", "--json"])).stdout) as { name: string; type: string }[];
  return Object.fromEntries(rows.filter((r) => !["pip", "setuptools"].includes(r.name)).map((r) => [r.name, r.type]));
}

const snapshotFile = (sb: Sandbox, name: string) => join(sb.pyctlHome, "snapshots", `${name}.txt`);

describe("explicit marks survive", () => {
  let sb: Sandbox;
  const expected = { alpha: "explicit", beta: "explicit", eta: "dependency", zeta: "explicit" };
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "beta==2.0", "zeta==2.0"));
    // alpha is already there (beta needs it): pip writes no REQUESTED, only the history knows.
    ok(pip(sb, "install", "-q", "alpha"));
    expect(existsSync(join(sitePackages(sb), "alpha-2.0.dist-info", "REQUESTED"))).toBe(false);
  });

  test("pip uninstall + undo keeps a package explicit that only the history marked", () => {
    expect(kinds(sb)).toEqual(expected);
    ok(pip(sb, "uninstall", "-y", "alpha"));
    ok(run(sb, ["undo"]));
    expect(kinds(sb)).toEqual(expected);
    // The transaction wrote the mark as REQUESTED, listed in RECORD so pip uninstall removes it all.
    const info = join(sitePackages(sb), "alpha-2.0.dist-info");
    expect(existsSync(join(info, "REQUESTED"))).toBe(true);
    expect(readFileSync(join(info, "RECORD"), "utf8")).toContain("alpha-2.0.dist-info/REQUESTED,sha256=");
  });

  test("clean + undo keeps the explicit set", () => {
    ok(run(sb, ["clean", "--yes"]));
    ok(run(sb, ["undo"]));
    expect(kinds(sb)).toEqual(expected);
    // autoremove finds nothing to remove: eta is needed by zeta, the rest is explicit
    expect(ok(run(sb, ["autoremove", "--dry-run"])).stdout).not.toContain("alpha");
  });

  test("snapshot + clean + restore keeps it; the snapshot marks it and stays a requirements file", () => {
    ok(run(sb, ["snapshot", "marks"]));
    const text = readFileSync(snapshotFile(sb, "marks"), "utf8");
    expect(text).toContain("alpha==2.0  # explicit\n");
    expect(text).toContain("eta==1.0\n");
    expect(text).not.toContain("eta==1.0  # explicit");
    // pip reads it as a requirements file (the mark is a comment)
    const check = sh(
      [
        join(venv(sb), "bin", "python"),
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--no-deps",
        "-q",
        "-r",
        snapshotFile(sb, "marks"),
      ],
      sb,
    );
    expect(check.code).toBe(0);
    ok(run(sb, ["clean", "--yes"]));
    const restored = ok(run(sb, ["restore", "marks"]));
    expect(restored.stdout).toContain("+ alpha 2.0");
    // restoring no longer marks everything requested: eta stays a dependency
    expect(kinds(sb)).toEqual(expected);
    expect(existsSync(join(sitePackages(sb), "eta-1.0.dist-info", "REQUESTED"))).toBe(false);
  });

  test("an older snapshot without marks still restores, keeping the marks of what stays", () => {
    const frozen = pipFreeze(sb);
    writeFileSync(
      snapshotFile(sb, "old"),
      `# pyctl snapshot: old\n# python: ${PY.version}\n# date: 2026-01-01T00:00:00.000Z\n${frozen.replace(/^zeta==.*\n/m, "")}`,
    );
    ok(run(sb, ["restore", "old"]));
    expect(pipFreeze(sb)).not.toContain("zeta");
    const { zeta: _, ...rest } = expected;
    expect(kinds(sb)).toEqual(rest);
  });

  test("undo does not bring back REQUESTED for a dependency whose RECORD lists it while the file is absent", () => {
    ok(run(sb, ["undo"])); // the old snapshot's restore: zeta is back
    expect(kinds(sb)).toEqual(expected);
    // eta: installed as a dependency; give it a RECORD that lists REQUESTED while the file is absent
    const info = join(sitePackages(sb), "eta-1.0.dist-info");
    ok(
      sh(
        [join(venv(sb), "bin", "python"), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", "eta==1.0"],
        sb,
      ),
    );
    expect(readFileSync(join(info, "RECORD"), "utf8")).toContain("eta-1.0.dist-info/REQUESTED");
    ok(run(sb, ["snapshot", "with-marker"])); // the store now holds eta 1.0 with its REQUESTED
    rmSync(join(info, "REQUESTED"));
    ok(pip(sb, "uninstall", "-y", "zeta", "eta"));
    ok(run(sb, ["undo"]));
    expect(existsSync(join(info, "REQUESTED"))).toBe(false);
    expect(kinds(sb)).toEqual(expected);
  });

  test("store pruning keeps a local-file version that a snapshot names", () => {
    const wheel = join(sb.dir, "epsilon-1.0-py3-none-any.whl");
    ok(sh(["cp", join(sb.dir, "..", "wheels", "epsilon-1.0-py3-none-any.whl"), wheel], sb));
    ok(pip(sb, "install", "-q", wheel));
    ok(run(sb, ["snapshot", "direct"]));
    expect(readFileSync(snapshotFile(sb, "direct"), "utf8")).toContain(`epsilon @ file://${wheel}`);
    const frozen = pipFreeze(sb);
    rmSync(wheel);
    ok(run(sb, ["config", "history.max_entries", "1"]));
    ok(pip(sb, "uninstall", "-y", "epsilon"));
    ok(pip(sb, "install", "-q", "delta==1.0")); // prunes history, and the store with it
    const storeEpsilon = join(sb.pyctlHome, PY.key, "store", "epsilon");
    expect(existsSync(storeEpsilon)).toBe(true);
    ok(pip(sb, "uninstall", "-y", "delta"));
    const restored = ok(
      run(sb, ["restore", "direct"], { env: { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_RETRIES: "0" } }),
    );
    expect(restored.stderr).not.toContain("pip downloads");
    expect(pipFreeze(sb)).toBe(frozen);
  });
});
