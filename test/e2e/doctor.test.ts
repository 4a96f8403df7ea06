// `pyctl doctor [--fix] [--json]`: each check found broken on purpose, repaired where that is safe.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { literal, makeSandbox, otherPyenvVersion, PY, run, type RunOptions, type Sandbox, sh } from "../support/env.ts";
import { copyPython, pyenvFullVersion, pyenvPython } from "../support/interpreters.ts";
import { fileSet } from "../support/file-set.ts";
import { indexEntry } from "../support/store-entry.ts";
import { pausedInGroup } from "../support/process-group.ts";

interface Check {
  id: string;
  ok: boolean;
  message: string;
  fix?: string;
  fixable: boolean;
}
interface Report {
  ok: boolean;
  checks: Check[];
  fixed?: { id: string; message: string }[];
  not_fixed?: { id: string; message: string }[];
}

const OTHER = otherPyenvVersion();
const venv = (sb: Sandbox) => join(sb.pyctlHome, PY.key, "venv");
const historyDir = (sb: Sandbox) => join(sb.pyctlHome, PY.key, "history");
/** As if run from a shell with the hook loaded: the hook's pid is our pid (pyctl's parent), its PATH leads with the venv. */
const hooked = (sb: Sandbox): RunOptions => ({
  env: {
    PYCTL_HOOK_PID: String(process.pid),
    PYCTL_HOOK_SHELL: "bash",
    SHELL: "/bin/bash",
    PATH: `${venv(sb)}/bin:${sb.env.PATH}`,
  },
});
const doctor = (sb: Sandbox, ...args: string[]) => {
  const r = run(sb, ["doctor", "--json", ...args], hooked(sb));
  const report = JSON.parse(r.stdout) as Report;
  expect(r.code).toBe(report.ok ? 0 : 1);
  return report;
};
const problems = (report: Report) => Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.id, c]));
const deadPid = () => {
  const child = Bun.spawnSync(["true"]);
  return child.pid;
};

describe.if(pyenvPython(PY.version) !== undefined)("doctor", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = makeSandbox();
    expect(run(sb, ["init", "--python", copyPython(PY.version, join(sb.dir, `python-${PY.version}`))]).code).toBe(0);
    expect(run(sb, ["pip", "--", "install", "-q", "beta==1.0"]).code).toBe(0);
  });
  afterAll(() => sb.cleanup());

  test("a fresh set-up: only the missing rc block, which --fix adds through setup-shell's engine", () => {
    expect(Object.keys(problems(doctor(sb)))).toEqual(["rc-block:bash"]);
    const text = run(sb, ["doctor"], hooked(sb));
    expect(text.stdout).toMatch(
      /^problem {2}rc-block:bash: .*\.bashrc does not load the pyctl hook\n {9}fix: run `pyctl setup-shell` \(`pyctl doctor --fix` does this\)$/m,
    );
    expect(text.stdout).toContain("1 problem(s); `pyctl doctor --fix` can repair 1");
    const fixed = doctor(sb, "--fix");
    expect(fixed.fixed).toEqual([
      { id: "rc-block:bash", message: `wrote the pyctl block to ${join(sb.home, ".bashrc")}` },
    ]);
    expect(fixed.ok).toBe(true);
    expect(readFileSync(join(sb.home, ".bashrc"), "utf8")).toContain("# >>> pyctl >>>");
    expect(run(sb, ["doctor"], hooked(sb)).stdout).toContain("no problems found");
  });

  test("without the hook: the hook check fails and PATH order is not judged", () => {
    const r = run(sb, ["doctor", "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(problems(report).hook!.message).toBe("the pyctl hook is not active in this shell");
    expect(report.checks.find((c) => c.id === "path-order")).toMatchObject({
      ok: true,
      message: "not checked (the hook is not active in this shell)",
    });
    const system = run(sb, ["doctor", "--json"], {
      env: { ...hooked(sb).env, PATH: `/usr/bin:${venv(sb)}/bin:${sb.env.PATH}` },
    });
    expect(problems(JSON.parse(system.stdout))["path-order"]!.message).toContain("/usr/bin comes before");
  });

  test("leftovers, a crashed operation and a broken store entry are reported, then repaired", () => {
    const temp = join(sb.pyctlHome, `.config.toml.${deadPid()}.1.tmp`);
    writeFileSync(temp, "half");
    mkdirSync(join(sb.pyctlHome, PY.key, "venv.staging", "bin"), { recursive: true });
    // a replaced venv whose detached rm was stopped halfway
    const trash = join(sb.pyctlHome, PY.key, `venv.trash.${deadPid()}`);
    mkdirSync(join(trash, "lib"), { recursive: true });
    writeFileSync(join(trash, "lib", "left.py"), "");
    // pyctl killed right after it claimed #9, before pip changed anything
    const ids = readdirSync(historyDir(sb))
      .filter((f) => f.endsWith("_after.json"))
      .sort();
    const { changes, exit_code, duration_ms, interrupted, ...state } = JSON.parse(
      readFileSync(join(historyDir(sb), ids.at(-1)!), "utf8"),
    );
    writeFileSync(join(historyDir(sb), "009_before.json"), JSON.stringify({ ...state, id: 9 }));
    const entry = indexEntry(join(sb.pyctlHome, PY.key, "store"), "beta", "1.0");
    rmSync(join(entry, "files", "lib", `python${PY.version}`, "site-packages", "beta.py"));

    const found = problems(doctor(sb));
    expect(Object.keys(found).sort()).toEqual([
      `crashed:${PY.version}`,
      `staging:${PY.version}`,
      `store:${PY.version}`,
      "temp-files",
    ]);
    expect(found[`crashed:${PY.version}`]!.message).toBe("operation(s) #9 never finished (pyctl was killed)");
    expect(found[`staging:${PY.version}`]!.message).toContain(trash);
    expect(Object.values(found).every((c) => c.fixable)).toBe(true);

    const fixed = doctor(sb, "--fix");
    expect(fixed.ok).toBe(true);
    expect(fixed.fixed!.map((f) => f.id).sort()).toEqual([
      `crashed:${PY.version}`,
      `staging:${PY.version}`,
      `store:${PY.version}`,
      "temp-files",
    ]);
    expect(
      existsSync(temp) ||
        existsSync(entry) ||
        existsSync(join(sb.pyctlHome, PY.key, "venv.staging")) ||
        existsSync(trash),
    ).toBe(false);
    const history = JSON.parse(run(sb, ["history", "--json", "--limit", "1"]).stdout);
    expect(history[0]).toMatchObject({ id: 9, status: "interrupted" });
  });

  test("what it cannot repair safely it reports, with the fix in words", () => {
    const snapshot = join(sb.pyctlHome, "snapshots", "broken.txt");
    writeFileSync(snapshot, "# pyctl snapshot: broken\nthis is not a requirement\n");
    const site = join(venv(sb), "lib", `python${PY.version}`, "site-packages");
    const dups = ["ghost-1.0.dist-info", "Ghost-2.0.dist-info"].map((d) => join(site, d));
    for (const [i, dir] of dups.entries()) {
      mkdirSync(dir);
      writeFileSync(join(dir, "METADATA"), `Metadata-Version: 2.1\nName: ghost\nVersion: ${i + 1}.0\n\n`);
    }
    expect(sh([join(venv(sb), "bin", "python"), "-m", "pip", "uninstall", "-q", "-y", "alpha"], sb).code).toBe(0);
    const lock = join(sb.pyctlHome, PY.key, "lock");
    const holder = Bun.spawn(["flock", "-o", lock, "sleep", "60"]); // -o: sleep does not inherit the lock
    while (Bun.spawnSync(["flock", "-n", lock, "true"]).exitCode === 0) Bun.sleepSync(10); // until flock holds it
    try {
      const report = doctor(sb, "--fix");
      const found = problems(report);
      expect(Object.keys(found).sort()).toEqual([
        `conflicts:${PY.version}`,
        `dist-info:${PY.version}`,
        `lock:${PY.version}`,
        "snapshots",
      ]);
      expect(found.snapshots!.message).toContain("snapshots/broken.txt:2: not a");
      expect(found[`dist-info:${PY.version}`]!.message).toContain(
        "duplicate metadata Ghost-2.0.dist-info + ghost-1.0.dist-info",
      );
      expect(found[`dist-info:${PY.version}`]!.message).toContain("ghost-1.0.dist-info has no RECORD");
      expect(found[`conflicts:${PY.version}`]!.message).toContain("beta 1.0 requires alpha, which is not installed");
      expect(found[`lock:${PY.version}`]!.message).toContain("held, but not by the pid it names");
      expect(Object.values(found).every((c) => !c.fixable && c.fix)).toBe(true);
      expect(report.fixed).toEqual([]);
    } finally {
      holder.kill();
      for (const dir of dups) rmSync(dir, { recursive: true });
      unlinkSync(snapshot);
    }
    expect(run(sb, ["pip", "--", "install", "-q", "alpha"]).code).toBe(0);
    expect(doctor(sb).ok).toBe(true);
  });

  test("pip missing from the venv: --fix reinstalls it with ensurepip, recorded as a doctor operation", () => {
    expect(sh([join(venv(sb), "bin", "python"), "-m", "pip", "uninstall", "-q", "-y", "pip"], sb).code).toBe(0);
    expect(problems(doctor(sb))[`pip:${PY.version}`]).toMatchObject({ fixable: true });
    const fixed = doctor(sb, "--fix");
    expect(problems(fixed)).toEqual({});
    expect(fixed.fixed![0]!.message).toMatch(/^reinstalled pip in .* \(recorded as #\d+\)$/);
    const last = JSON.parse(run(sb, ["history", "--json", "--limit", "1"]).stdout)[0];
    expect(last).toMatchObject({ kind: "doctor", status: "ok" });
    expect(last.changes.added[0]).toStartWith("pip==");
  });

  test(`the base interpreter removed: reported, and --fix rebuilds on another ${PY.version}`, () => {
    rmSync(join(sb.dir, `python-${PY.version}`), { recursive: true, force: true });
    const found = problems(doctor(sb));
    expect(found[`interpreter:${PY.version}`]!.message).toMatch(
      new RegExp(
        String.raw`python-${literal(PY.version)}\/bin\/python${literal(PY.version)} is gone \(the venv was made with Python ${literal(pyenvFullVersion(PY.version)!)}\)$`,
      ),
    );
    expect(found[`interpreter:${PY.version}`]!.fixable).toBe(true);
    const fixed = doctor(sb, "--fix");
    expect({ ok: fixed.ok, problems: problems(fixed) }).toEqual({ ok: true, problems: {} });
    expect(fixed.fixed![0]!.message).toContain(`rebuilt ${venv(sb)} with ${PY.exe}`);
    expect(sh([join(venv(sb), "bin", "python"), "-c", "import beta, alpha"], sb).code).toBe(0);
  });

  test("an invalid config.toml is reported with its line, and doctor still runs every other check", () => {
    const config = join(sb.pyctlHome, "config.toml");
    const saved = readFileSync(config, "utf8");
    writeFileSync(config, "[history]\nmax_entries = 'many'\n");
    try {
      const report = doctor(sb);
      expect(problems(report).config!.message).toBe(`${config}:2: history.max_entries must be an integer ≥ 1`);
      expect(report.checks.length).toBeGreaterThan(8);
    } finally {
      writeFileSync(config, saved);
    }
  });
});

/** No index at all: a repair gets nothing from the network. */
const OFFLINE = { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_RETRIES: "0", PIP_TIMEOUT: "2" };
const offline = (sb: Sandbox): RunOptions => ({ env: { ...hooked(sb).env, ...OFFLINE } });
const site = (sb: Sandbox) => join(venv(sb), "lib", `python${PY.version}`, "site-packages");
const lastOperation = (sb: Sandbox) => JSON.parse(run(sb, ["history", "--json", "--limit", "1"]).stdout)[0];

describe("doctor tells causes apart and repairs with the least force", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = makeSandbox();
    expect(run(sb, ["init", "--python", PY.exe]).code).toBe(0);
    expect(run(sb, ["setup-shell"]).code).toBe(0);
    expect(run(sb, ["pip", "--", "install", "-q", "gamma[fast]", "alpha==1.1"]).code).toBe(0);
  });
  afterAll(() => sb.cleanup());

  test("issue 9 item 1: bin/python links deleted, index unreachable: --fix relinks and keeps every file of site-packages", () => {
    const files = fileSet(site(sb));
    const freeze = sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze", "--all"], sb).stdout;
    for (const name of ["python", "python3", `python${PY.version}`]) unlinkSync(join(venv(sb), "bin", name));

    const found = problems(doctor(sb));
    expect(Object.keys(found)).toEqual([`venv-links:${PY.version}`]);
    expect(found[`venv-links:${PY.version}`]!.message).toBe(
      `bin/python, bin/python3, bin/python${PY.version} in ${venv(sb)} are missing or dangling`,
    );
    expect(found[`venv-links:${PY.version}`]!.fix).toBe(`relink to ${PY.real} (no rebuild; every package stays)`);

    const r = run(sb, ["doctor", "--fix"], offline(sb));
    expect(r.stdout).toContain(
      `fixed    venv-links:${PY.version}: relinked bin/python, bin/python3, bin/python${PY.version} in`,
    );
    expect(r.stdout).toContain("every package kept");
    expect(r.stdout).toContain("no problems found");
    expect(r.code).toBe(0);
    expect(fileSet(site(sb))).toEqual(files);
    expect(sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze", "--all"], sb).stdout).toBe(freeze);
    expect(sh([join(venv(sb), "bin", "alpha")], sb).stdout.trim()).toBe("alpha 1.1");
    expect(lastOperation(sb)).toMatchObject({
      kind: "doctor",
      status: "ok",
      changes: { added: [], removed: [], modified: [] },
    });
  });

  test("one missing link: only it is relinked", () => {
    unlinkSync(join(venv(sb), "bin", "python"));
    const fixed = doctor(sb, "--fix");
    expect(fixed.fixed!.map((f) => f.message)[0]).toStartWith(`relinked bin/python in ${venv(sb)} to ${PY.real}`);
    expect(fixed.ok).toBe(true);
  });

  test("bin/python3 missing under a bin/pip that runs through it: relinked, pip left as it is", () => {
    const files = fileSet(site(sb));
    const pipScript = join(venv(sb), "bin", "pip");
    const text = readFileSync(pipScript, "utf8").replace(/^#!.*$/m, `#!${join(venv(sb), "bin", "python3")}`);
    unlinkSync(pipScript); // a new file: the old one may be a hardlink of the store's copy
    writeFileSync(pipScript, text, { mode: 0o755 });
    unlinkSync(join(venv(sb), "bin", "python3"));
    const fixed = doctor(sb, "--fix");
    expect(fixed.fixed!.map((f) => f.id)).toEqual([`venv-links:${PY.version}`]);
    expect(fixed.ok).toBe(true);
    expect(fileSet(site(sb))).toEqual(files);
  });

  test("relink killed with its process group at each phase: the venv is before or after, every package there", async () => {
    const files = fileSet(site(sb));
    for (const phase of ["staged", "applied", "fetched", "verified", "exchanged"]) {
      unlinkSync(join(venv(sb), "bin", "python3"));
      const paused = await pausedInGroup(sb, ["doctor", "--fix"], phase, offline(sb).env as Record<string, string>);
      process.kill(-paused.pid, "SIGKILL");
      await paused.exited;
      expect([phase, existsSync(join(venv(sb), "bin", "python3"))]).toEqual([phase, phase === "exchanged"]);
      expect(fileSet(site(sb))).toEqual(files);
      expect(doctor(sb, "--fix").ok).toBe(true); // relinks what is still broken, removes what the killed one left
      expect(existsSync(join(sb.pyctlHome, PY.key, "venv.staging"))).toBe(false);
    }
  });

  test("a repair that fails swaps nothing, says so and exits 1", () => {
    expect(sh([join(venv(sb), "bin", "python"), "-m", "pip", "uninstall", "-q", "-y", "pip"], sb).code).toBe(0);
    const broken = join(sb.dir, "broken");
    mkdirSync(join(broken, "ensurepip"), { recursive: true });
    writeFileSync(join(broken, "ensurepip", "__init__.py"), "raise SystemExit('ensurepip is broken here')\n");
    const files = fileSet(venv(sb));
    const r = run(sb, ["doctor", "--fix"], { env: { ...offline(sb).env, PYTHONPATH: broken } });
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^not fixed pip:${literal(PY.version)}: ensurepip failed \(exit 1\): ensurepip is broken here; .* is unchanged \(recorded as #\d+\)$`,
        "m",
      ),
    );
    expect(r.stdout).not.toContain("no problems found");
    expect(r.code).toBe(1);
    expect(fileSet(venv(sb))).toEqual(files);
    expect(existsSync(join(sb.pyctlHome, PY.key, "venv.staging"))).toBe(false);

    const fixed = doctor(sb, "--fix");
    expect(fixed.ok).toBe(true);
    expect(fixed.fixed![0]!.message).toMatch(/^reinstalled pip in .* \(recorded as #\d+\)$/);
    expect(sh([join(venv(sb), "bin", "alpha")], sb).stdout.trim()).toBe("alpha 1.1");
  });
  test("the venv deleted: --fix rebuilds it offline from the last recorded state, every package back", () => {
    const freeze = sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze", "--all"], sb).stdout;
    const listed = () =>
      JSON.parse(run(sb, ["list", "--json"]).stdout).map((p: { name: string; version: string; type: string }) => [
        p.name,
        p.version,
        p.type,
      ]);
    const kinds = listed();
    rmSync(venv(sb), { recursive: true });
    expect(problems(doctor(sb))[`venv:${PY.version}`]).toMatchObject({ fixable: true });
    const report = JSON.parse(run(sb, ["doctor", "--fix", "--json"], offline(sb)).stdout) as Report;
    expect(report.not_fixed).toEqual([]);
    expect(report.ok).toBe(true);
    expect(sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze", "--all"], sb).stdout).toBe(freeze);
    expect(listed()).toEqual(kinds);
  });
});

describe.if(pyenvPython(PY.version) !== undefined)("doctor when the base interpreter is gone or changed", () => {
  let sb: Sandbox;
  const dir = () => join(sb.dir, "python");
  beforeAll(() => {
    sb = makeSandbox();
    expect(run(sb, ["init", "--python", copyPython(PY.version, dir())]).code).toBe(0);
    expect(run(sb, ["setup-shell"]).code).toBe(0);
    expect(run(sb, ["pip", "--", "install", "-q", "beta==1.0"]).code).toBe(0);
  });
  afterAll(() => sb.cleanup());

  test("gone, and a package can be had from neither store nor index: --fix rebuilds nothing, names it, exits 1", () => {
    rmSync(join(sb.pyctlHome, PY.key, "store", "beta"), { recursive: true });
    rmSync(join(site(sb), "beta-1.0.dist-info", "RECORD")); // and it cannot be stored again
    rmSync(dir(), { recursive: true, force: true });
    const files = fileSet(venv(sb));
    const found = problems(doctor(sb));
    expect(found[`interpreter:${PY.version}`]!.message).toMatch(
      new RegExp(
        String.raw`python\/bin\/python${literal(PY.version)} is gone \(the venv was made with Python ${literal(pyenvFullVersion(PY.version)!)}\)$`,
      ),
    );
    expect(found[`interpreter:${PY.version}`]!.fix).toContain(`\`pyctl rebuild --python ${PY.version}\``);
    const report = JSON.parse(run(sb, ["doctor", "--fix", "--json"], offline(sb)).stdout) as Report;
    expect(report.ok).toBe(false);
    expect(report.not_fixed![0]!.message).toContain("pip could not install beta==1.0");
    expect(report.not_fixed![0]!.message).toContain("is unchanged");
    expect(fileSet(venv(sb))).toEqual(files);
  });

  test.if(OTHER !== undefined)(
    `changed minor version: points at \`pyctl rebuild --python ${OTHER}\`, repairs nothing by itself`,
    () => {
      copyPython(OTHER!, dir());
      const found = problems(doctor(sb));
      expect(found[`interpreter:${PY.version}`]!.message).toMatch(
        new RegExp(
          `${literal(`python/bin/python3 now runs Python ${OTHER} (the venv was made with Python ${pyenvFullVersion(PY.version)})`)}$`,
        ),
      );
      expect(found[`interpreter:${PY.version}`]!.fix).toStartWith(
        `\`pyctl rebuild --python ${OTHER}\` takes your packages to Python ${OTHER}`,
      );
      expect(found[`interpreter:${PY.version}`]!.fixable).toBe(false);
    },
  );
});
