// The store never serves bytes other than what RECORD says (issue 21, Deliver 1), every venv
// pyctl makes or changes passes a RECORD check, clean + undo is byte for byte, and a pin
// compares as pip compares it (Deliver 7).
import { beforeAll, describe, expect, test } from "bun:test";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { makeSandbox, PY, run, sh, type Sandbox } from "../support/env.ts";
import { byteSet } from "../support/file-set.ts";
import { writeProject } from "../support/project.ts";
import { recordProblems } from "../support/record-check.ts";
import { initSandbox, ok, pip, pipFreeze, python, sitePackages, venv, versionDir } from "../support/venv-fixtures.ts";

const OFFLINE = { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_RETRIES: "0", PIP_TIMEOUT: "1" };

function expectRecordsHold(sb: Sandbox): void {
  expect(recordProblems(venv(sb))).toEqual([]);
}

/** Rewrite the project's module so its next build differs, same version. */
function rebuildSource(project: string, module: string, value: string): void {
  writeFileSync(join(project, `${module}.py`), `VALUE = "${value}"\n\n\ndef main():\n    print(VALUE)\n`);
}

/**
 * `name` 1.0, a local project, installed as build `a`, then changed and installed again as build
 * `b` (same version). Returns its store folder and the entries each install added.
 */
function installTwoBuilds(
  sb: Sandbox,
  name: string,
  a: string,
  b: string,
): { store: string; first: string[]; second: string[] } {
  const project = writeProject(join(sb.dir, name), name, "1.0", name);
  rebuildSource(project, name, a);
  ok(pip(sb, "install", "-q", project));
  const store = join(versionDir(sb), "store", name);
  const first = readdirSync(store);
  rebuildSource(project, name, b);
  ok(pip(sb, "install", "-q", "--force-reinstall", "--no-deps", project));
  return { store, first, second: readdirSync(store).filter((e) => !first.includes(e)) };
}

describe("the store serves what RECORD says", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
  });

  test("a fresh venv passes a RECORD check (pip's own bin/pip* included)", () => {
    expectRecordsHold(sb);
  });

  test("a local project rebuilt at the same version: uninstall + undo brings back the new build", () => {
    const project = writeProject(join(sb.dir, "proj"), "rebuiltlib", "1.0", "rebuiltlib");
    ok(pip(sb, "install", "-q", project));
    expect(python(sb, "import rebuiltlib; print(rebuiltlib.VALUE)")).toBe("rebuiltlib 1.0");
    rebuildSource(project, "rebuiltlib", "second build");
    ok(pip(sb, "install", "-q", "--force-reinstall", "--no-deps", project));
    expect(python(sb, "import rebuiltlib; print(rebuiltlib.VALUE)")).toBe("second build");
    ok(pip(sb, "uninstall", "-y", "rebuiltlib"));
    ok(run(sb, ["undo"], { env: OFFLINE }));
    expect(python(sb, "import rebuiltlib; print(rebuiltlib.VALUE)")).toBe("second build");
    expectRecordsHold(sb);
    // Both builds are kept, each as its own entry.
    expect(readdirSync(join(versionDir(sb), "store", "rebuiltlib")).filter((e) => e.includes("#"))).toHaveLength(2);
  });

  test("a local wheel rebuilt under the same file name: uninstall + undo brings back the new build", () => {
    const project = writeProject(join(sb.dir, "wheelproj"), "wheellib", "1.0", "wheellib");
    const wheels = join(sb.dir, "built");
    mkdirSync(wheels, { recursive: true });
    const pipOf = [join(venv(sb), "bin", "python"), "-m", "pip"];
    ok(sh([...pipOf, "wheel", "-q", "--no-deps", "-w", wheels, project], sb));
    const wheel = join(wheels, readdirSync(wheels).find((f) => f.startsWith("wheellib-"))!);
    ok(pip(sb, "install", "-q", wheel));
    rebuildSource(project, "wheellib", "rebuilt wheel");
    ok(sh([...pipOf, "wheel", "-q", "--no-deps", "-w", wheels, project], sb));
    expect(readdirSync(wheels)).toHaveLength(1);
    ok(pip(sb, "install", "-q", "--force-reinstall", "--no-deps", wheel));
    ok(pip(sb, "uninstall", "-y", "wheellib"));
    ok(run(sb, ["undo"], { env: OFFLINE }));
    expect(python(sb, "import wheellib; print(wheellib.VALUE)")).toBe("rebuilt wheel");
    expectRecordsHold(sb);
  });

  test("undo of a reinstall of the same version brings back the build installed before it", () => {
    installTwoBuilds(sb, "twobuilds", "build A", "build B");
    expect(python(sb, "import twobuilds; print(twobuilds.VALUE)")).toBe("build B");
    // History records the reinstall as a change, not as nothing.
    expect(run(sb, ["history", "--limit", "1"]).stdout).toContain("~1");
    expect(run(sb, ["diff"]).stdout).toContain("twobuilds 1.0 (another build)");
    const undo = run(sb, ["undo"], { env: OFFLINE });
    ok(undo);
    expect(undo.stdout).toContain("twobuilds 1.0 (another build)");
    expect(python(sb, "import twobuilds; print(twobuilds.VALUE)")).toBe("build A");
    expectRecordsHold(sb);
    // And the redo (undo of the undo) brings build B back.
    ok(run(sb, ["undo"], { env: OFFLINE }));
    expect(python(sb, "import twobuilds; print(twobuilds.VALUE)")).toBe("build B");
    expectRecordsHold(sb);
  });

  test("an uninstall undone when its build is gone from the store: another build comes back, and undo says so", () => {
    const { store, second } = installTwoBuilds(sb, "gonebuild", "build A", "build B, installed last");
    ok(pip(sb, "uninstall", "-y", "gonebuild"));
    for (const entry of second) rmSync(join(store, entry), { recursive: true });
    const undo = run(sb, ["undo"], { env: OFFLINE });
    ok(undo);
    expect(undo.stderr).toContain(
      "the build installed then is no longer in the local package store; another build of that version is installed",
    );
    expect(python(sb, "import gonebuild; print(gonebuild.VALUE)")).toBe("build A");
    expectRecordsHold(sb);
  });

  test("rebuild keeps the installed build, even when another build of its version was served since", () => {
    const { store, first } = installTwoBuilds(sb, "keptbuild", "build A", "build B, the one installed");
    // Build A's entry is the newest one in the store, as after an undo to it and back.
    expect(first).toHaveLength(1);
    for (const entry of first)
      utimesSync(join(store, entry, "manifest.json"), new Date(), new Date(Date.now() + 60_000));
    ok(run(sb, ["rebuild"], { env: OFFLINE }));
    expect(python(sb, "import keptbuild; print(keptbuild.VALUE)")).toBe("build B, the one installed");
    expectRecordsHold(sb);
  });

  test("a build the store no longer holds: undo says so, and keeps the build it can have", () => {
    const { store, first } = installTwoBuilds(sb, "lostbuild", "build A", "build B");
    for (const entry of first) rmSync(join(store, entry), { recursive: true });
    const undo = run(sb, ["undo"], { env: OFFLINE });
    ok(undo);
    expect(undo.stderr).toContain("lostbuild");
    expect(undo.stderr).toContain(
      "the build installed then is no longer in the local package store; the build installed now stays",
    );
    expect(undo.stdout).toContain(
      "nothing to change, the venv is already in that state, but for the build named above",
    );
    expect(python(sb, "import lostbuild; print(lostbuild.VALUE)")).toBe("build B");
    expectRecordsHold(sb);
  });

  test("an installed file edited in place is not served by undo, and doctor names it", () => {
    ok(pip(sb, "install", "-q", "alpha==1.0"));
    const module = join(sitePackages(sb), "alpha.py");
    const original = readFileSync(module, "utf8");
    appendFileSync(module, "EDITED_IN_PLACE = True\n");
    ok(pip(sb, "install", "-q", "alpha==1.1"));
    const undo = run(sb, ["undo"]);
    // Either a good copy came back (from the index here), or undo named alpha 1.0 as missing.
    if (undo.code === 0) {
      expect(readFileSync(module, "utf8")).toBe(original);
    } else expect(`${undo.stdout}${undo.stderr}`).toContain("alpha");
    expectRecordsHold(sb);
    const doctor = run(sb, ["doctor"]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`store-files:${PY.version}`);
    expect(doctor.stdout).toContain("alpha.py");
    // --fix removes the entry: doctor is quiet about it afterwards.
    run(sb, ["doctor", "--fix"]);
    expect(run(sb, ["doctor"]).stdout).not.toContain("written in place");
  });

  test("an undo that makes a package a dependency again leaves no REQUESTED in its RECORD", () => {
    ok(pip(sb, "install", "-q", "alpha==1.1"));
    ok(pip(sb, "uninstall", "-y", "alpha"));
    const constraints = join(sb.dir, "c.txt");
    writeFileSync(constraints, "alpha==1.1\n");
    ok(pip(sb, "install", "-q", "beta==1.0", "-c", constraints));
    ok(pip(sb, "uninstall", "-y", "beta", "alpha"));
    ok(run(sb, ["undo"]));
    expect(pipFreeze(sb)).toContain("alpha==1.1");
    expect(recordProblems(venv(sb)).filter((p) => p.includes("REQUESTED"))).toEqual([]);
    expectRecordsHold(sb);
  });
});

describe("clean + undo", () => {
  test("restore and clean + undo pass the RECORD check, and clean + undo is byte for byte", () => {
    // Made with a second name of the Python under test (as Debian's /usr/bin/python3 is of its python3.X): the
    // venv's links and pyvenv.cfg name it.
    const sb = makeSandbox();
    const alias = join(sb.dir, "alias", "python3");
    mkdirSync(join(sb.dir, "alias"));
    symlinkSync(PY.real, alias);
    ok(run(sb, ["init", "--python", alias]));
    expect(readlinkSync(join(venv(sb), "bin", "python3"))).toBe(alias);
    expect(readFileSync(join(venv(sb), "pyvenv.cfg"), "utf8")).toContain(`home = ${join(sb.dir, "alias")}`);
    ok(pip(sb, "install", "-q", "gamma[fast]"));
    const requirements = join(sb.dir, "req.txt");
    writeFileSync(requirements, "alpha==1.0\nbeta==1.0\n");
    ok(run(sb, ["restore", requirements]));
    expectRecordsHold(sb);
    ok(run(sb, ["undo"]));
    const before = byteSet(venv(sb));
    ok(run(sb, ["clean", "--yes"]));
    expectRecordsHold(sb);
    ok(run(sb, ["undo"]));
    expectRecordsHold(sb);
    expect(byteSet(venv(sb))).toEqual(before);
  });
});

/** Turn the store into the layout of pyctl before build keys: NAME/VERSION[@HASH], no build, no stamps. */
function toOldLayout(store: string): void {
  for (const name of readdirSync(store).filter((n) => !n.startsWith("~"))) {
    for (const entry of readdirSync(join(store, name))) {
      const old = entry.replace(/#.*$/, "");
      if (old !== entry && existsSync(join(store, name, old))) {
        rmSync(join(store, name, entry), { recursive: true });
        continue;
      }
      const manifestPath = join(store, name, entry, "manifest.json");
      const { build: _b, stamps: _s, entry: _e, ...manifest } = JSON.parse(readFileSync(manifestPath, "utf8"));
      if (old.includes("@")) manifest.entry = old;
      writeFileSync(manifestPath, JSON.stringify(manifest));
      if (old !== entry) renameSync(join(store, name, entry), join(store, name, old));
    }
  }
}

describe("a store written before build keys", () => {
  test("is still served offline, and an entry whose file was edited in place is not", () => {
    const sb = initSandbox();
    const store = join(versionDir(sb), "store");
    ok(pip(sb, "install", "-q", "alpha==1.0"));
    ok(pip(sb, "install", "-q", "alpha==1.1"));
    toOldLayout(store);
    expect(readdirSync(join(store, "alpha")).sort()).toEqual(["1.0", "1.1"]);
    ok(run(sb, ["undo"], { env: OFFLINE }));
    expect(pipFreeze(sb)).toContain("alpha==1.0");
    expectRecordsHold(sb);
    toOldLayout(store);
    appendFileSync(join(sitePackages(sb), "alpha.py"), "EDITED_IN_PLACE = True\n");
    ok(pip(sb, "install", "-q", "alpha==1.1"));
    const undo = run(sb, ["undo"], { env: OFFLINE });
    expect(undo.code).not.toBe(0);
    expect(undo.stderr).toContain("alpha");
    expect(readFileSync(join(sitePackages(sb), "alpha.py"), "utf8")).not.toContain("EDITED_IN_PLACE");
    expect(pipFreeze(sb)).toContain("alpha==1.1");
  });
});

describe("pins compare as pip compares them", () => {
  test("restore of x==1.0 leaves an installed 1.0+abc.1 as it is", () => {
    const sb = initSandbox();
    const project = writeProject(join(sb.dir, "local"), "labelled", "1.0+abc.1", "labelled");
    const wheels = join(sb.dir, "wheels");
    ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, project], sb));
    // From --find-links, not a path: an index-like install of 1.0+abc.1 (no direct_url.json).
    ok(pip(sb, "install", "-q", "--no-index", "--find-links", wheels, "labelled"));
    const frozen = pipFreeze(sb);
    expect(frozen).toContain("labelled==1.0+abc.1");
    const requirements = join(sb.dir, "pins.txt");
    writeFileSync(requirements, frozen.replace("labelled==1.0+abc.1", "labelled==1.0"));
    const r = run(sb, ["restore", requirements], { env: OFFLINE });
    expect(r.code).toBe(0);
    expect(pipFreeze(sb)).toBe(frozen);
  });
});
