// pyctl clean and clean --keep-baseline: recreate the venv, recorded and undoable.
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { literal, pyctlBin, run, sh, type Sandbox } from "../support/env.ts";
import {
  expectNothingChanged,
  initSandbox,
  inventory,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  script,
  venv,
} from "../support/venv-fixtures.ts";

/** Runs `pyctl ARGS` on a pseudo-terminal (util-linux script), answering `answer`. */
function onTty(sb: Sandbox, args: string[], answer: string) {
  return sh(["script", "-qec", [pyctlBin(), ...args].join(" "), "/dev/null"], sb, { stdin: `${answer}\n` });
}

describe("pyctl clean", () => {
  let sb: Sandbox;
  let fresh: string[];
  beforeAll(() => {
    sb = initSandbox();
    fresh = inventory(sb);
    ok(pip(sb, "install", "-q", "beta==2.0", "epsilon==1.0"));
  });

  test("without a terminal and without --yes it refuses and changes nothing", () => {
    expectNothingChanged(sb, () => {
      const r = run(sb, ["clean"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("pass --yes");
    });
  });

  test("on a terminal it asks; anything but yes changes nothing", () => {
    expectNothingChanged(sb, () => {
      const r = onTty(sb, ["clean"], "n");
      expect(r.stdout).toContain("recreate it? [y/N]");
      expect(r.stdout).toContain("nothing changed");
      expect(r.code).toBe(1);
    });
  });

  test("clean --yes leaves what a fresh venv holds, and undo brings everything back", () => {
    const full = pipFreeze(sb);
    const r = ok(run(sb, ["clean", "--yes"]));
    expect(r.stdout).toContain("- beta 2.0");
    expect(r.stdout).toContain("- alpha 2.0");
    expect(inventory(sb)).toEqual(fresh);
    expect(lastEntry(sb)).toMatchObject({ kind: "clean", command: "pyctl clean", exit_code: 0 });
    // Built in the staging folder, it names its final path everywhere.
    // (3.12's activate quotes it: VIRTUAL_ENV="…")
    const activate = readFileSync(join(venv(sb), "bin", "activate"), "utf8");
    expect(activate).toMatch(new RegExp(`VIRTUAL_ENV=("?)${literal(venv(sb))}\\1\n`));
    expect(activate).not.toContain("staging");
    expect(readFileSync(join(venv(sb), "bin", "activate"), "utf8")).not.toContain("staging");
    expect(ok(sh([join(venv(sb), "bin", "pip"), "--version"], sb)).stdout).toContain(venv(sb));

    ok(run(sb, ["undo"]));
    expect(pipFreeze(sb)).toBe(full);
    expect(script(sb, "beta")).toBe("beta 2.0");
  });

  test("on a terminal, yes cleans", () => {
    const r = onTty(sb, ["clean"], "y");
    expect(r.code).toBe(0);
    expect(inventory(sb)).toEqual(fresh);
    ok(run(sb, ["undo"]));
  });

  test("clean --keep-baseline goes back to the baseline snapshot", () => {
    ok(pip(sb, "install", "-q", "alpha==1.1"));
    ok(pip(sb, "uninstall", "-q", "-y", "beta", "epsilon"));
    ok(run(sb, ["snapshot", "baseline", "--force"]));
    const baseline = pipFreeze(sb);
    ok(pip(sb, "install", "-q", "beta==1.0", "zeta==2.0"));
    const r = ok(run(sb, ["clean", "--keep-baseline", "--yes"]));
    expect(r.stdout).toContain("- beta 1.0");
    expect(pipFreeze(sb)).toBe(baseline);
    expect(script(sb, "alpha")).toBe("alpha 1.1");
    expect(lastEntry(sb)).toMatchObject({ kind: "clean", command: "pyctl clean --keep-baseline" });
  });

  test("clean --keep-baseline without a baseline is an error that changes nothing", () => {
    rmSync(join(sb.pyctlHome, "snapshots", "baseline.txt"));
    expectNothingChanged(sb, () => {
      const r = run(sb, ["clean", "--keep-baseline", "--yes"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no snapshot named "baseline"');
    });
  });
});
