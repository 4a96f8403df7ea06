// pyctl restore: minimal changes, offline from the package store, pip only for what the store lacks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, type Index, PY, run, type Sandbox, startIndex } from "../support/env.ts";
import {
  buildCext,
  expectNothingChanged,
  initSandbox,
  inventory,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  python,
  script,
  seededFreeze,
  sitePackages,
  staging,
} from "../support/venv-fixtures.ts";

describe("pyctl restore", () => {
  let sb: Sandbox;
  let index: Index;
  beforeAll(async () => {
    sb = initSandbox();
    await buildCext(sb);
    // A private index, so this file can stop it.
    index = await startIndex((await fixtures()).wheelDir);
    sb.env.PIP_INDEX_URL = `${index.url}/simple`;
  });
  afterAll(() => index.stop());

  test("with the index stopped, a snapshot comes back from the store, touching only what differs", () => {
    ok(pip(sb, "install", "-q", "alpha==1.0", "beta==1.0", "epsilon==1.0", "cext"));
    const frozen = pipFreeze(sb);
    ok(run(sb, ["snapshot", "before"]));
    ok(pip(sb, "install", "-q", "alpha==2.0", "delta==1.5"));
    ok(pip(sb, "uninstall", "-q", "-y", "cext", "epsilon"));
    const untouched = statSync(join(sitePackages(sb), "beta.py")).ino;

    index.stop();
    const r = ok(run(sb, ["restore", "before"]));
    expect(r.stdout).toContain("↓ alpha 2.0 → 1.0");
    expect(r.stdout).toContain("- delta 1.5");
    expect(r.stdout).toContain("+ cext 1.0");
    expect(r.stderr).not.toContain("download");
    expect(pipFreeze(sb)).toBe(frozen);
    expect(statSync(join(sitePackages(sb), "beta.py")).ino).toBe(untouched);
    expect(script(sb, "alpha")).toBe("alpha 1.0");
    expect(script(sb, "beta")).toBe("beta 1.0");
    expect(python(sb, "import cext, epsilon; print(cext.answer(), epsilon.__version__)")).toBe("42 1.0");
    expect(lastEntry(sb)).toMatchObject({ kind: "restore", command: "pyctl restore before", exit_code: 0 });
  });

  test("--dry-run shows the plan and changes nothing", () => {
    ok(pip(sb, "uninstall", "-q", "-y", "epsilon"));
    expectNothingChanged(sb, () => {
      const dry = ok(run(sb, ["restore", "before", "--dry-run"]));
      expect(dry.stdout).toContain("+ epsilon 1.0");
      expect(dry.stdout).toContain("dry run: nothing changed");
    });
  });

  test("a version the store lacks fails cleanly while the index is unreachable", () => {
    const file = join(sb.dir, "needs-big.txt");
    writeFileSync(file, `${pipFreeze(sb)}big==1.0\n`);
    expectNothingChanged(sb, () => {
      const dry = ok(run(sb, ["restore", file, "--dry-run"]));
      expect(dry.stdout).toContain("to download with pip: big==1.0");
    });
    const before = inventory(sb);
    const r = run(sb, ["restore", file], { env: { PIP_RETRIES: "0", PIP_TIMEOUT: "2" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("so pip downloads: big==1.0");
    expect(r.stderr).toContain("restore failed");
    expect(r.stderr).toContain("is unchanged");
    expect(inventory(sb)).toEqual(before);
    expect(existsSync(staging(sb))).toBe(false);
    expect(lastEntry(sb)).toMatchObject({
      kind: "restore",
      exit_code: 1,
      changes: { added: [], removed: [], modified: [] },
    });
  });

  test("--allow-missing restores the rest and names exactly what it left out; undo reverts it", () => {
    const before = pipFreeze(sb);
    expect(before).toContain("alpha==1.0\n");
    const file = join(sb.dir, "alpha2-and-big.txt");
    writeFileSync(file, `${before.replace("alpha==1.0\n", "alpha==2.0\n")}big==1.0\n`);
    const r = run(sb, ["restore", file, "--allow-missing"], { env: { PIP_RETRIES: "0", PIP_TIMEOUT: "2" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("--allow-missing: ");
    expect(r.stderr).toMatch(/ lacks big==1\.0\n/);
    expect(pipFreeze(sb)).toBe(before.replace("alpha==1.0\n", "alpha==2.0\n"));
    expect(lastEntry(sb)).toMatchObject({
      kind: "restore",
      exit_code: 0,
      changes: { added: [], removed: [], modified: [{ name: "alpha", from: "1.0", to: "2.0" }] },
      missing: [{ name: "big", version: "1.0" }],
    });
    const id = String(lastEntry(sb).id);
    expect(ok(run(sb, ["diff", id])).stdout).toContain("\nmissing (left out with --allow-missing): big 1.0\n");
    expect(JSON.parse(ok(run(sb, ["diff", id, "--json"])).stdout).missing).toEqual([{ name: "big", version: "1.0" }]);
    expect(ok(run(sb, ["history", "--limit", "1"])).stdout).toContain("~1, 1 missing");
    expect(JSON.parse(ok(run(sb, ["history", "--json", "--limit", "1"])).stdout)[0].missing).toEqual([
      { name: "big", version: "1.0" },
    ]);
    ok(run(sb, ["undo"]));
    expect(lastEntry(sb).missing).toBeUndefined();
    expect(pipFreeze(sb)).toBe(before);
  });

  test("a version the store lacks is installed through pip, with a message naming it", async () => {
    index = await startIndex((await fixtures()).wheelDir);
    sb.env.PIP_INDEX_URL = `${index.url}/simple`;
    const file = join(sb.dir, "requirements.txt");
    writeFileSync(file, "alpha==1.1\nbeta==2.0\n");
    const before = pipFreeze(sb);
    const r = ok(run(sb, ["restore", file]));
    expect(r.stderr).toContain("so pip downloads: alpha==1.1, beta==2.0");
    // A file that does not name pip is a plain `pip freeze`: the venv's own pip (and setuptools) stay as they are.
    expect(pipFreeze(sb)).toMatch(new RegExp(String.raw`^alpha==1\.1\nbeta==2\.0\n${seededFreeze()}$`));
    expect(script(sb, "beta")).toBe("beta 2.0");
    index.stop();
    ok(run(sb, ["undo"]));
    expect(pipFreeze(sb)).toBe(before);
    ok(run(sb, ["undo"]));
    expect(script(sb, "alpha")).toBe("alpha 1.1");
  });

  test("bad input is a clear error and changes nothing", () => {
    mkdirSync(join(sb.pyctlHome, "snapshots"), { recursive: true });
    writeFileSync(join(sb.pyctlHome, "snapshots", "corrupt.txt"), "# pyctl snapshot: corrupt\nalpha==1.0\nbeta>=1.0\n");
    writeFileSync(join(sb.pyctlHome, "snapshots", "empty.txt"), "# pyctl snapshot: empty\n");
    const cases: [string[], number, string][] = [
      [["restore", "nope"], 1, 'no snapshot named "nope"'],
      [["restore", "corrupt"], 1, "corrupt.txt:3: not a pinned requirement"],
      [["restore", "empty"], 1, "names no packages"],
      [["restore", "./missing.txt"], 1, "cannot read ./missing.txt"],
      [["restore", "../x"], 1, "cannot read ../x"],
      [["restore", ".hidden"], 2, "invalid snapshot name"],
      [["restore", "--", "-x"], 2, "invalid snapshot name"],
      [["restore"], 2, "missing NAME|FILE"],
    ];
    for (const [args, code, message] of cases) {
      expectNothingChanged(sb, () => {
        const r = run(sb, args);
        expect({ args, code: r.code }).toEqual({ args, code });
        expect(r.stderr).toContain(message);
      });
    }
  });
});

describe("the package store", () => {
  test("keeps what history and snapshots name when history is pruned, so old snapshots restore offline", () => {
    const sb = initSandbox();
    ok(run(sb, ["config", "history.max_entries", "3"]));
    ok(pip(sb, "install", "-q", "alpha==1.0"));
    ok(run(sb, ["snapshot", "keep"]));
    for (const spec of ["alpha==1.1", "alpha==2.0", "epsilon==1.0", "delta==1.0", "zeta==1.0"])
      ok(pip(sb, "install", "-q", spec));
    const store = join(sb.pyctlHome, PY.key, "store");
    expect(
      readdirSync(join(store, "alpha"))
        .map((e) => e.replace(/#.*$/, ""))
        .sort(),
    ).toEqual(["1.0", "2.0"]);
    expect(readdirSync(store)).toContain("pip");
    const r = ok(run(sb, ["restore", "keep"], { env: { PIP_INDEX_URL: "http://127.0.0.1:9/simple" } }));
    expect(r.stderr).not.toContain("download");
    expect(script(sb, "alpha")).toBe("alpha 1.0");
    sb.cleanup();
  });
});
