// pyctl undo through the real CLI: real venvs, real pip, the local fixture index.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, run, sh, type Sandbox } from "../support/env.ts";
import { writeProject } from "../support/project.ts";
import {
  buildCext,
  expectNothingChanged,
  historyFiles,
  initSandbox,
  inventory,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  python,
  script,
  sitePackages,
  venv,
} from "../support/venv-fixtures.ts";

describe("pyctl undo", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
  });

  test("undo after an install removes it; undo of that undo brings it back, console script and all", () => {
    const before = pipFreeze(sb);
    ok(pip(sb, "install", "-q", "alpha==1.0"));
    const installed = inventory(sb);
    const undo = ok(run(sb, ["undo"]));
    expect(undo.stdout).toContain("- alpha 1.0");
    expect(pipFreeze(sb)).toBe(before);
    expect(lastEntry(sb)).toMatchObject({
      kind: "undo",
      command: "pyctl undo",
      exit_code: 0,
      changes: { removed: ["alpha==1.0"] },
    });

    const redo = ok(run(sb, ["undo"]));
    expect(redo.stdout).toContain("+ alpha 1.0");
    expect(inventory(sb)).toEqual(installed);
    expect(script(sb, "alpha")).toBe("alpha 1.0");
    expect(python(sb, "import alpha; print(alpha.__version__)")).toBe("1.0");
    ok(run(sb, ["undo", "3"]));
    expect(pipFreeze(sb)).toBe(before);
  });

  test("undo after an upgrade and after a downgrade", () => {
    ok(pip(sb, "install", "-q", "alpha==1.0"));
    const old = inventory(sb);
    ok(pip(sb, "install", "-q", "--upgrade", "alpha"));
    expect(script(sb, "alpha")).toBe("alpha 2.0");
    expect(ok(run(sb, ["undo"])).stdout).toContain("↓ alpha 2.0 → 1.0");
    expect(inventory(sb)).toEqual(old);
    expect(script(sb, "alpha")).toBe("alpha 1.0");

    ok(pip(sb, "install", "-q", "alpha==2.0"));
    const newer = inventory(sb);
    ok(pip(sb, "install", "-q", "alpha==1.1"));
    expect(ok(run(sb, ["undo"])).stdout).toContain("↑ alpha 1.1 → 2.0");
    expect(inventory(sb)).toEqual(newer);
    expect(script(sb, "alpha")).toBe("alpha 2.0");
  });

  test("undo after an uninstall reinstalls it from the store", () => {
    ok(pip(sb, "install", "-q", "beta==2.0"));
    const withBeta = pipFreeze(sb);
    ok(pip(sb, "uninstall", "-y", "beta"));
    expect(ok(run(sb, ["undo"])).stdout).toContain("+ beta 2.0");
    expect(pipFreeze(sb)).toBe(withBeta);
    expect(script(sb, "beta")).toBe("beta 2.0");
    expect(python(sb, "import beta, alpha; print(beta.__version__, alpha.__version__)")).toBe("2.0 2.0");
    expect(ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "check"], sb)).stdout).toContain(
      "No broken requirements",
    );
  });

  test("undo after pip install -r requirements.txt", () => {
    const before = pipFreeze(sb);
    const req = join(sb.dir, "requirements.txt");
    writeFileSync(req, "gamma[fast]==1.0\nMixed_Case.Name==1.0\nzeta==2.0\n");
    ok(pip(sb, "install", "-q", "-r", req));
    expect(pipFreeze(sb)).toContain("Mixed_Case.Name==1.0");
    const undo = ok(run(sb, ["undo"]));
    for (const line of ["- gamma 1.0", "delta 1.5", "Mixed_Case.Name 1.0", "eta 1.0", "zeta 2.0"])
      expect(undo.stdout).toContain(line);
    expect(pipFreeze(sb)).toBe(before);
  });

  test("a failed install changed nothing: undo skips it and undoes the last operation that changed something", () => {
    const before = pipFreeze(sb);
    ok(pip(sb, "install", "-q", "filler010==1.0"));
    const failed = pip(sb, "install", "alpha==1.0", "no-such-project");
    expect(failed.code).toBe(1);
    expect(lastEntry(sb)).toMatchObject({ exit_code: 1, changes: { added: [], removed: [], modified: [] } });
    const undo = ok(run(sb, ["undo"]));
    expect(undo.stdout).toContain("(pip install -q filler010==1.0)");
    expect(undo.stdout).toContain("- filler010 1.0");
    expect(pipFreeze(sb)).toBe(before);
  });

  test("undo 3 goes back three operations; --dry-run shows the plan and changes nothing", () => {
    const before = pipFreeze(sb);
    ok(pip(sb, "install", "-q", "epsilon==1.0"));
    ok(pip(sb, "install", "-q", "delta==1.0"));
    ok(pip(sb, "install", "-q", "delta==1.5"));
    expectNothingChanged(sb, () => {
      const dry = ok(run(sb, ["undo", "3", "--dry-run"]));
      expect(dry.stdout).toContain("3 operations");
      expect(dry.stdout).toContain("- delta 1.5");
      expect(dry.stdout).toContain("- epsilon 1.0");
      expect(dry.stdout).toContain("dry run: nothing changed");
    });
    ok(run(sb, ["undo", "3"]));
    expect(pipFreeze(sb)).toBe(before);
  });

  test("drift made outside pyctl is shown before acting", () => {
    ok(pip(sb, "install", "-q", "alpha==2.0"));
    ok(pip(sb, "install", "-q", "alpha==1.1"));
    ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "install", "-q", "epsilon==1.0"], sb));
    const undo = ok(run(sb, ["undo"]));
    expect(undo.stderr).toContain("changed outside pyctl");
    expect(undo.stderr).toContain("+ epsilon 1.0");
    // The goal is the recorded state before the operation, so the drift goes too (it was shown).
    expect(undo.stdout).toContain("↑ alpha 1.1 → 2.0");
    expect(undo.stdout).toContain("- epsilon 1.0");
    expect(pipFreeze(sb)).toContain("alpha==2.0");
    expect(pipFreeze(sb)).not.toContain("epsilon");
    // What drifted in was stored when undo started, so undoing the undo brings it back.
    ok(run(sb, ["undo"]));
    expect(pipFreeze(sb)).toContain("alpha==1.1");
    expect(pipFreeze(sb)).toContain("epsilon==1.0");
  });

  test("a compiled extension works after undo", async () => {
    await buildCext(sb);
    ok(pip(sb, "install", "-q", "cext"));
    ok(pip(sb, "uninstall", "-y", "cext"));
    expect(sh([join(venv(sb), "bin", "python"), "-c", "import cext"], sb).code).not.toBe(0);
    ok(run(sb, ["undo"]));
    expect(python(sb, "import cext; print(cext.answer())")).toBe("42");
  });

  test("direct-URL and editable installs come back exactly as pip freeze showed them", async () => {
    const { wheelDir } = await fixtures();
    const project = writeProject(join(sb.dir, "proj"), "projx", "0.1", "projx");
    ok(pip(sb, "install", "-q", join(wheelDir, "delta-1.0-py3-none-any.whl"), "-e", project));
    const frozen = pipFreeze(sb);
    expect(frozen).toContain("delta @ file://");
    expect(frozen).toContain(`-e ${project}`);
    ok(pip(sb, "uninstall", "-q", "-y", "projx", "delta"));
    ok(run(sb, ["undo"]));
    expect(pipFreeze(sb)).toBe(frozen);
    expect(python(sb, "import projx; print(projx.VALUE)")).toBe("projx 0.1");
    ok(pip(sb, "install", "-q", "delta==1.5"));
    ok(run(sb, ["undo"]));
    expect(pipFreeze(sb)).toBe(frozen);
  });

  test("undo restores which packages you asked for (REQUESTED), even when no version changes", () => {
    pip(sb, "uninstall", "-q", "-y", "alpha", "beta");
    ok(pip(sb, "install", "-q", "beta==2.0"));
    const marker = join(sitePackages(sb), "alpha-2.0.dist-info", "REQUESTED");
    expect(existsSync(marker)).toBe(false);
    ok(pip(sb, "install", "-q", "--force-reinstall", "--no-deps", "alpha==2.0"));
    expect(existsSync(marker)).toBe(true);
    const undo = ok(run(sb, ["undo"]));
    expect(undo.stdout).toContain("only which packages you asked for changes: alpha");
    expect(existsSync(marker)).toBe(false);
    ok(run(sb, ["undo"]));
    expect(existsSync(marker)).toBe(true);
  });

  test.each([
    [["abc"], 2, "whole number"],
    [["0"], 2, "whole number"],
    [["-1"], 2, "whole number"],
    [["1.5"], 2, "whole number"],
    [["999"], 1, "cannot undo 999 operations"],
    [["1", "2"], 2, "unexpected argument"],
  ])("bad input %p is a clear error and changes nothing", (args, code, message) => {
    expectNothingChanged(sb, () => {
      const r = run(sb, ["undo", ...args]);
      expect(r.code).toBe(code);
      expect(r.stderr).toStartWith("pyctl: ");
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe("");
    });
  });
});

describe("pyctl undo with no history", () => {
  test("says there is nothing to undo", () => {
    const sb = initSandbox();
    expectNothingChanged(sb, () => {
      const r = run(sb, ["undo"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("nothing to undo: no operation that changed");
    });
    expect(historyFiles(sb)).toEqual([]);
    sb.cleanup();
  });
});
