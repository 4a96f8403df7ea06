// Named snapshots: pyctl snapshot, list-snapshots, delete-snapshot, and the round trip through restore.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { literal, PY, run, type Sandbox } from "../support/env.ts";
import { expectNothingChanged, initSandbox, ok, pip, pipFreeze, script } from "../support/venv-fixtures.ts";

const snapshots = (sb: Sandbox) => join(sb.pyctlHome, "snapshots");

describe("named snapshots", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
  });

  test("round trip: snapshot, change everything, restore gives pip freeze back line for line", () => {
    ok(pip(sb, "install", "-q", "beta==1.0", "alpha==1.1", "Mixed_Case.Name==1.0", "gamma[fast]==1.0"));
    const frozen = pipFreeze(sb);
    const saved = ok(run(sb, ["snapshot", "work"]));
    expect(saved.stdout).toContain("saved snapshot work");
    const text = readFileSync(join(snapshots(sb), "work.txt"), "utf8");
    const [name, python, date, marks, ...lines] = text.split("\n");
    expect(name).toBe("# pyctl snapshot: work");
    expect(python).toMatch(new RegExp(String.raw`^# python: ${literal(PY.version)}\.\d+$`));
    expect(Date.parse(date!.replace("# date: ", ""))).toBeGreaterThan(Date.now() - 60_000);
    expect(marks).toBe('# explicit: packages you asked for end with "# explicit"');
    // pip freeze --all, line for line, with what you asked for marked (delta is only a dependency)
    expect(lines.map((l) => l.replace(/ {2}# explicit$/, "")).join("\n")).toBe(frozen);
    expect(lines).toContain("beta==1.0  # explicit");
    expect(lines).toContain("delta==1.5");

    ok(pip(sb, "uninstall", "-q", "-y", "gamma", "Mixed_Case.Name"));
    ok(pip(sb, "install", "-q", "beta==2.0", "alpha==2.0", "zeta==1.0"));
    const restored = ok(run(sb, ["restore", "work"]));
    expect(restored.stdout).toContain("↓ beta 2.0 → 1.0");
    expect(restored.stdout).toContain("- zeta 1.0");
    expect(restored.stdout).toContain("+ gamma 1.0");
    expect(pipFreeze(sb)).toBe(frozen);
    expect(script(sb, "beta")).toBe("beta 1.0");
    expect(script(sb, "alpha")).toBe("alpha 1.1");
  });

  test("list-snapshots shows name, date, Python version and package count; --json too", () => {
    const table = ok(run(sb, ["list-snapshots"])).stdout;
    // What a fresh venv holds differs between versions (3.12 dropped setuptools): counted, not assumed.
    const count = (name: string) =>
      readFileSync(join(snapshots(sb), `${name}.txt`), "utf8")
        .split("\n")
        .filter((l) => l && !l.startsWith("#")).length;
    expect(table.split("\n")[0]).toMatch(/^NAME\s+DATE\s+PYTHON\s+PACKAGES$/);
    expect(table).toMatch(
      new RegExp(
        String.raw`^baseline\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Python ${literal(PY.version)}\.\d+\s+${count("baseline")} package${count("baseline") === 1 ? "" : "s"}$`,
        "m",
      ),
    );
    const rows = JSON.parse(ok(run(sb, ["list-snapshots", "--json"])).stdout);
    const work = rows.find((r: { name: string }) => r.name === "work");
    expect(work).toMatchObject({
      name: "work",
      python: expect.stringMatching(new RegExp(String.raw`^${literal(PY.version)}\.`)),
      packages: count("work"),
      path: join(snapshots(sb), "work.txt"),
    });
    expect(Number.isNaN(Date.parse(work.date))).toBe(false);
  });

  test("an existing name is kept unless --force", () => {
    const before = readFileSync(join(snapshots(sb), "work.txt"), "utf8");
    const again = run(sb, ["snapshot", "work"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('snapshot "work" exists');
    expect(readFileSync(join(snapshots(sb), "work.txt"), "utf8")).toBe(before);
    ok(pip(sb, "install", "-q", "epsilon==1.0"));
    ok(run(sb, ["snapshot", "work", "--force"]));
    expect(readFileSync(join(snapshots(sb), "work.txt"), "utf8")).toContain("epsilon==1.0");
  });

  test("delete-snapshot removes it; an unknown name is an error", () => {
    ok(run(sb, ["snapshot", "scratch"]));
    ok(run(sb, ["delete-snapshot", "scratch"]));
    expect(existsSync(join(snapshots(sb), "scratch.txt"))).toBe(false);
    expect(ok(run(sb, ["list-snapshots"])).stdout).not.toContain("scratch");
    const missing = run(sb, ["delete-snapshot", "scratch"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no snapshot named "scratch"');
  });

  for (const bad of ["../x", ".hidden", "a/b", "-dash", "x".repeat(65), "sp ace"]) {
    test(`bad name ${JSON.stringify(bad.slice(0, 12))} is a usage error that changes nothing`, () => {
      const files = readdirSync(snapshots(sb)).sort();
      expectNothingChanged(sb, () => {
        for (const command of ["snapshot", "delete-snapshot"]) {
          const r = run(sb, [command, "--", bad]);
          expect(r.code).toBe(2);
          expect(r.stderr).toContain("invalid snapshot name");
        }
      });
      expect(readdirSync(snapshots(sb)).sort()).toEqual(files);
      expect(existsSync(join(sb.pyctlHome, "x.txt"))).toBe(false);
    });
  }
});
