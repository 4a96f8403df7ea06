// `pyctl rebuild` as a transaction, with real interpreters: a copied pyenv build is made the
// venv's base, then removed or replaced. Same minor: every package back, offline, from the store.
// New minor: pure-Python wheels from the old store offline, the rest through pip.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  literal,
  makeSandbox,
  otherPyenvVersion,
  PY,
  run,
  type RunOptions,
  type Sandbox,
  sh,
  startIndex,
} from "../support/env.ts";
import { bytecode, fileSet } from "../support/file-set.ts";
import { buildWheels, copyPython, pyenvFullVersion, pyenvPython } from "../support/interpreters.ts";
import { pausedInGroup } from "../support/process-group.ts";
import { writeProject } from "../support/project.ts";
import { seeded } from "../support/venv-fixtures.ts";

const pip = (sb: Sandbox, ...args: string[]) => run(sb, ["pip", "--", ...args]);
/** Another minor version with a pyenv build (copied, so it can be removed), when there is one. */
const OTHER = otherPyenvVersion();
const OTHER_KEY = `py${OTHER?.replace(".", "")}`;
const venvOf = (sb: Sandbox, key = PY.key) => join(sb.pyctlHome, key, "venv");
const siteOf = (sb: Sandbox, key = PY.key) =>
  join(venvOf(sb, key), "lib", `python${key[2]}.${key.slice(3)}`, "site-packages");
const freezeOf = (sb: Sandbox, key = PY.key) =>
  sh([join(venvOf(sb, key), "bin", "python"), "-m", "pip", "freeze"], sb).stdout;
const config = (sb: Sandbox, key: string) => run(sb, ["config", key]).stdout.trim();
const lastEntry = (sb: Sandbox, ...python: string[]) =>
  JSON.parse(run(sb, ["history", "--json", "--limit", "1", ...python]).stdout)[0];
const types = (sb: Sandbox, ...python: string[]) =>
  Object.fromEntries(
    JSON.parse(run(sb, ["list", "--json", ...python]).stdout).map((p: { name: string; type: string }) => [
      p.name,
      p.type,
    ]),
  );
/** No index at all: whatever a rebuild gets, it gets from the store. */
const OFFLINE: RunOptions = { env: { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_RETRIES: "0", PIP_TIMEOUT: "2" } };
/** site-packages as files: paths and sizes, bytecode aside (importing writes it). */
const siteFiles = (sb: Sandbox, key = PY.key) => fileSet(siteOf(sb, key), { skip: bytecode });

describe.if(pyenvPython(PY.version) !== undefined)("rebuild for the same minor version", () => {
  let sb: Sandbox;
  let base: string;
  let before: Record<string, string>;
  let kinds: Record<string, string>;
  beforeAll(() => {
    sb = makeSandbox();
    base = copyPython(PY.version, join(sb.dir, `python-${PY.version}`));
    expect(run(sb, ["init", "--python", base]).code).toBe(0);
    const extra = buildWheels(sb, [
      { name: "lonely", version: "1.0" },
      { name: "zeta", version: "3.0", requires: ["eta"] },
    ]);
    expect(pip(sb, "install", "-q", "alpha==1.1", "gamma[fast]").code).toBe(0);
    expect(pip(sb, "install", "-q", "--find-links", extra, "lonely", "zeta==3.0").code).toBe(0);
    rmSync(extra, { recursive: true });
    before = siteFiles(sb);
    kinds = types(sb);
  });

  test("--dry-run shows the plan and changes nothing", () => {
    const r = run(sb, ["rebuild", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`rebuild ${venvOf(sb)} (Python ${pyenvFullVersion(PY.version)}, working)`);
    expect(r.stdout).toContain(`with Python ${PY.fullVersion} (${PY.exe})`);
    expect(r.stdout).toMatch(/every package of the old venv, \d+ in all, from the local package store/);
    expect(r.stdout).not.toContain("to download");
    expect(siteFiles(sb)).toEqual(before);
  });

  /** lonely can be had from nowhere: not from the index, not from the store, and (no RECORD) not stored again. */
  function unobtainable(): () => void {
    const entry = join(sb.pyctlHome, PY.key, "store", "lonely");
    const record = join(siteOf(sb), "lonely-1.0.dist-info", "RECORD");
    renameSync(entry, `${entry}.aside`);
    renameSync(record, `${record}.aside`);
    return () => {
      renameSync(`${entry}.aside`, entry);
      renameSync(`${record}.aside`, record);
    };
  }

  test("a package neither the store nor the index has: no swap, it is named, exit 1", () => {
    const putBack = unobtainable();
    try {
      const files = fileSet(venvOf(sb));
      const r = run(sb, ["rebuild"], OFFLINE);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("pip could not install lonely==1.0");
      expect(r.stderr).toContain(`${venvOf(sb)} is unchanged`);
      expect(fileSet(venvOf(sb))).toEqual(files);
      expect(existsSync(join(sb.pyctlHome, PY.key, "venv.staging"))).toBe(false);
      expect(lastEntry(sb)).toMatchObject({ kind: "rebuild", exit_code: 1 });
    } finally {
      putBack();
    }
  });

  test(`with the interpreter gone, it rebuilds on another ${PY.version} offline: every package, explicit or not, file for file`, () => {
    rmSync(join(sb.dir, `python-${PY.version}`), { recursive: true, force: true });
    expect(existsSync(join(venvOf(sb), "bin", "python"))).toBe(false); // a dangling symlink now
    const r = run(sb, ["rebuild"], OFFLINE);
    expect(r.stderr).not.toContain("pip downloads");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`rebuilt ${venvOf(sb)} for Python ${PY.fullVersion}`);
    expect(siteFiles(sb)).toEqual(before);
    expect(types(sb)).toEqual(kinds);
    expect(readFileSync(join(venvOf(sb), "pyvenv.cfg"), "utf8")).toContain(PY.fullVersion);
    expect(
      sh([join(venvOf(sb), "bin", "python"), "-c", "import alpha, beta, gamma, delta, zeta, eta, lonely"], sb).code,
    ).toBe(0);
    expect(sh([join(venvOf(sb), "bin", "alpha")], sb).stdout.trim()).toBe("alpha 1.1");
    expect(readFileSync(join(venvOf(sb), "bin", "alpha"), "utf8").split("\n")[0]).toMatch(
      new RegExp(`^#!${venvOf(sb)}/bin/python(${literal(PY.version)})?$`),
    );
    expect(existsSync(join(sb.pyctlHome, PY.key, "venv.staging"))).toBe(false);
    expect(config(sb, "python.interpreter")).toBe(PY.exe);
    expect(lastEntry(sb)).toMatchObject({
      kind: "rebuild",
      exit_code: 0,
      changes: { added: [], removed: [], modified: [] },
    });
  });

  test("bytecode names the final venv, not the staging folder", () => {
    const code =
      "import alpha, sys; print(alpha.__spec__.cached); print(open(alpha.__spec__.cached, 'rb').read().find(b'venv.staging'))";
    const r = sh([join(venvOf(sb), "bin", "python"), "-c", code], sb);
    expect(r.stdout.split("\n")[1]).toBe("-1");
  });

  test("--allow-missing accepts a smaller set and names exactly what is missing", () => {
    unobtainable();
    const r = run(sb, ["rebuild", "--allow-missing"], OFFLINE);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("--allow-missing: the rebuilt venv lacks lonely==1.0\n");
    const now = siteFiles(sb);
    expect(Object.keys(now).filter((p) => !(p in before))).toEqual([]);
    expect(Object.keys(before).filter((p) => !(p in now))).toEqual(
      Object.keys(before).filter((p) => p.startsWith("lonely")),
    );
    expect(lastEntry(sb)).toMatchObject({
      kind: "rebuild",
      exit_code: 0,
      changes: { removed: ["lonely==1.0"] },
      missing: [{ name: "lonely", version: "1.0" }],
    });
  });
});

describe("rebuild in place is one transaction", () => {
  test("killed with its process group before the switch nothing changed; after it, the venv is rebuilt whole", async () => {
    const sb = makeSandbox();
    expect(run(sb, ["init", "--python", PY.exe]).code).toBe(0);
    expect(pip(sb, "install", "-q", "beta==1.0", "gamma").code).toBe(0);
    const before = fileSet(venvOf(sb));
    const beforeSite = siteFiles(sb);
    for (const phase of ["staged", "applied", "fetched", "verified"]) {
      const paused = await pausedInGroup(sb, ["rebuild"], phase, OFFLINE.env as Record<string, string>);
      process.kill(-paused.pid, "SIGKILL");
      await paused.exited;
      expect(fileSet(venvOf(sb))).toEqual(before);
    }
    const paused = await pausedInGroup(sb, ["rebuild"], "exchanged", OFFLINE.env as Record<string, string>);
    process.kill(-paused.pid, "SIGKILL");
    await paused.exited;
    expect(siteFiles(sb)).toEqual(beforeSite);
    expect(sh([join(venvOf(sb), "bin", "beta")], sb).stdout.trim()).toBe("beta 1.0");
    expect(run(sb, ["pip", "--", "uninstall", "-y", "not-installed"]).code).toBe(0); // the next write clears the leftovers
    expect(existsSync(join(sb.pyctlHome, PY.key, "venv.staging"))).toBe(false);
    sb.cleanup();
  });
});

/** Build cext (a C extension) for one interpreter into `dir`, a find-links folder. */
function buildCext(sb: Sandbox, python: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const r = sh([python, resolve(import.meta.dir, "..", "support", "cext.py"), dir], sb);
  expect(r.code).toBe(0);
}

/** A wheel tagged for one CPython and this platform (not pure Python, so never carried across versions). */
function platformWheel(sb: Sandbox, dir: string, name: string, version: string, python: string): void {
  const support = resolve(import.meta.dir, "..", "support");
  const code = `import sys, sysconfig; sys.path.insert(0, ${JSON.stringify(support)}); import wheels; plat = sysconfig.get_platform().replace("-", "_").replace(".", "_"); wheels.build(${JSON.stringify(dir)}, ${JSON.stringify(name)}, ${JSON.stringify(version)}, tag="${python}-${python}-" + plat, root_is_purelib=False)`;
  expect(sh([PY.exe, "-c", code], sb).code).toBe(0);
}

describe.if(pyenvPython(PY.version) !== undefined && OTHER !== undefined)(
  `rebuild after a minor upgrade (${PY.version} replaced by ${OTHER})`,
  () => {
    /** A venv on a copied Python under test with pure-Python packages and one compiled package, the copy then replaced by OTHER. */
    function upgraded(
      more: string[] = [],
      cext: "explicit" | "dependency" = "explicit",
    ): { sb: Sandbox; python312: string } {
      const sb = makeSandbox();
      const dir = join(sb.dir, "python");
      expect(run(sb, ["init", "--python", copyPython(PY.version, dir)]).code).toBe(0);
      buildCext(sb, pyenvPython(PY.version)!, join(sb.dir, "cext-old"));
      platformWheel(sb, join(sb.dir, "cext-old"), "oldc", "1.0", `cp${PY.key.slice(2)}`);
      expect(pip(sb, "install", "-q", "beta==1.0", "Mixed_Case.Name").code).toBe(0);
      if (cext === "dependency") {
        // usesc pulls cext in; with usesc gone, cext is a dependency nothing needs (not explicit, not pure Python)
        const extra = buildWheels(sb, [{ name: "usesc", version: "1.0", requires: ["cext"] }]);
        expect(
          pip(sb, "install", "-q", "--find-links", join(sb.dir, "cext-old"), "--find-links", extra, "usesc", ...more)
            .code,
        ).toBe(0);
        expect(pip(sb, "uninstall", "-y", "usesc").code).toBe(0);
        expect(types(sb)).toMatchObject({ cext: "dependency" });
      } else {
        expect(pip(sb, "install", "-q", "--find-links", join(sb.dir, "cext-old"), "cext==1.0", ...more).code).toBe(0);
      }
      rmSync(dir, { recursive: true, force: true });
      return { sb, python312: copyPython(OTHER!, dir) };
    }

    test(`a compiled package the index lacks for ${OTHER}: nothing changes, it is named; --allow-missing moves the rest offline`, () => {
      const { sb, python312 } = upgraded();
      const plan = run(sb, ["rebuild", "--python", python312, "--dry-run"]);
      expect(plan.stdout).toContain(
        `take 3 pure-Python package(s) from the Python ${PY.version} store: alpha==2.0, beta==1.0, Mixed_Case.Name==1.0`,
      );
      expect(plan.stdout).toContain("install 3 package(s) you asked for: beta==1.0, cext==1.0, Mixed_Case.Name==1.0");
      expect(plan.stdout).toContain(
        `from the index only, so missing if it has no version for Python ${OTHER}: cext==1.0 (then nothing changes, unless --allow-missing)`,
      );

      const refused = run(sb, ["rebuild", "--python", python312], OFFLINE);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("cext");
      expect(refused.stderr).toContain("is unchanged");
      expect(existsSync(venvOf(sb, OTHER_KEY))).toBe(false);
      expect(config(sb, "python.default")).toBe(PY.version);

      const r = run(sb, ["rebuild", "--python", python312, "--allow-missing"], OFFLINE);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("--allow-missing: the rebuilt venv lacks cext==1.0");
      expect(freezeOf(sb, OTHER_KEY).split("\n").filter(Boolean).sort()).toEqual([
        "Mixed_Case.Name==1.0",
        "alpha==2.0",
        "beta==1.0",
      ]);
      expect(types(sb, "--python", `${OTHER}`)).toMatchObject({
        "Mixed_Case.Name": "explicit",
        beta: "explicit",
        alpha: "dependency",
      });
      expect(sh([join(venvOf(sb, OTHER_KEY), "bin", "beta")], sb).stdout.trim()).toBe("beta 1.0");
      expect(config(sb, "python.default")).toBe(`${OTHER}`);
      expect(config(sb, "python.interpreter")).toBe(python312);
      expect(existsSync(venvOf(sb, PY.key))).toBe(false);
      expect(readdirSync(join(sb.pyctlHome, PY.key, "history"))).toContain("001_after.json");
      expect(lastEntry(sb)).toMatchObject({
        kind: "rebuild",
        exit_code: 0,
        missing: [{ name: "cext", version: "1.0" }],
      });
      expect(run(sb, ["diff"]).stdout).toContain("missing (left out with --allow-missing): cext 1.0");
      expect(pip(sb, "install", "-q", "delta").code).toBe(0); // plain pip now goes to the 3.12 venv
      expect(freezeOf(sb, OTHER_KEY)).toContain("delta==1.5");
    });

    test(`the compiled package comes through pip for ${OTHER}, pure-Python ones from the store; the default follows`, () => {
      const { sb, python312 } = upgraded(["oldc==1.0"]);
      buildCext(sb, pyenvPython(OTHER!)!, join(sb.dir, "cext-new"));
      platformWheel(sb, join(sb.dir, "cext-new"), "oldc", "2.0", `cp${OTHER_KEY.slice(2)}`); // 1.0 is gone for 3.12
      const r = run(sb, ["rebuild", "--python", python312], {
        env: { ...OFFLINE.env, PIP_FIND_LINKS: join(sb.dir, "cext-new") },
      });
      expect(r.stderr).not.toContain("could not");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("reinstalled cext==1.0\n");
      expect(r.stdout).toContain("reinstalled oldc (its old version is not on the index any more)\n");
      expect(r.stdout).toContain(`default Python is now ${OTHER}`);
      expect(freezeOf(sb, OTHER_KEY).split("\n").filter(Boolean).sort()).toEqual([
        "Mixed_Case.Name==1.0",
        "alpha==2.0",
        "beta==1.0",
        "cext==1.0",
        "oldc==2.0",
      ]);
      expect(
        sh(
          [join(venvOf(sb, OTHER_KEY), "bin", "python"), "-c", "import cext, mixed_case; print(cext.answer())"],
          sb,
        ).stdout.trim(),
      ).toBe("42");
      expect(types(sb, "--python", `${OTHER}`)).toMatchObject({
        cext: "explicit",
        oldc: "explicit",
        beta: "explicit",
        alpha: "dependency",
      });
    });

    test("a compiled package nothing you asked for needs is part of the goal too: listed, refused while unobtainable, then reinstalled as a dependency", async () => {
      const { sb, python312 } = upgraded([], "dependency");
      const plan = run(sb, ["rebuild", "--python", python312, "--dry-run"]);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain("install 2 package(s) you asked for: beta==1.0, Mixed_Case.Name==1.0");
      expect(plan.stdout).toContain("install 1 more package(s) of the old venv that cannot be carried: cext==1.0");
      expect(plan.stdout).toContain(
        `from the index only, so missing if it has no version for Python ${OTHER}: cext==1.0`,
      );
      expect(plan.stdout).toMatch(
        new RegExp(
          String.raw`\nnot carried, the new venv has its own \(as Python ${literal(OTHER!)}'s venv makes it\): ` +
            seeded()
              .map((name) => String.raw`${name}==[\d.]+`)
              .join(", ") +
            String.raw`\n`,
        ),
      );
      expect(existsSync(venvOf(sb, OTHER_KEY))).toBe(false);

      const refused = run(sb, ["rebuild", "--python", python312], OFFLINE);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("cext");
      expect(refused.stderr).toContain("is unchanged");
      expect(existsSync(venvOf(sb, OTHER_KEY))).toBe(false);
      expect(config(sb, "python.default")).toBe(PY.version);

      buildCext(sb, pyenvPython(OTHER!)!, join(sb.dir, "cext-new"));
      const index = await startIndex(join(sb.dir, "cext-new")); // a local PEP 503 index that has cext for 3.12 only
      let r: ReturnType<typeof run>;
      try {
        r = run(sb, ["rebuild", "--python", python312], { env: { PIP_INDEX_URL: `${index.url}/simple` } });
      } finally {
        index.stop();
      }
      expect(r.stderr).not.toContain("could not");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("reinstalled cext==1.0\n");
      expect(freezeOf(sb, OTHER_KEY).split("\n").filter(Boolean).sort()).toEqual([
        "Mixed_Case.Name==1.0",
        "alpha==2.0",
        "beta==1.0",
        "cext==1.0",
      ]);
      expect(
        sh([join(venvOf(sb, OTHER_KEY), "bin", "python"), "-c", "import cext; print(cext.answer())"], sb).stdout.trim(),
      ).toBe("42");
      expect(types(sb, "--python", `${OTHER}`)).toMatchObject({
        "Mixed_Case.Name": "explicit",
        alpha: "dependency",
        beta: "explicit",
        cext: "dependency",
      });
      expect(lastEntry(sb).missing).toEqual([]);
    });

    test("an editable whose source folder is gone: nothing changes and it is named; --allow-missing records it as missing", () => {
      const sb = makeSandbox();
      const dir = join(sb.dir, "python");
      expect(run(sb, ["init", "--python", copyPython(PY.version, dir)]).code).toBe(0);
      const source = writeProject(join(sb.dir, "proj"), "proj", "0.1", "proj");
      expect(pip(sb, "install", "-q", "beta==1.0").code).toBe(0);
      expect(pip(sb, "install", "-q", "-e", source).code).toBe(0);
      rmSync(source, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
      const python312 = copyPython(OTHER!, dir);

      const refused = run(sb, ["rebuild", "--python", python312], OFFLINE);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`proj (its source ${source} is gone); nothing changed`);
      expect(existsSync(venvOf(sb, OTHER_KEY))).toBe(false);

      const r = run(sb, ["rebuild", "--python", python312, "--allow-missing"], OFFLINE);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("--allow-missing: the rebuilt venv lacks proj==0.1\n");
      expect(freezeOf(sb, OTHER_KEY).split("\n").filter(Boolean).sort()).toEqual(["alpha==2.0", "beta==1.0"]);
      expect(lastEntry(sb)).toMatchObject({
        kind: "rebuild",
        exit_code: 0,
        missing: [{ name: "proj", version: "0.1" }],
      });
      expect(run(sb, ["history", "--limit", "1"]).stdout).toContain("1 missing");
    });
  },
);
