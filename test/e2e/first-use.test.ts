// Creating a venv on first use (issue 9, Deliver 6, items 6 and 8): under the venv's lock, in a
// temp folder renamed into place; concurrent first installs all succeed; a failed creation leaves
// nothing behind; recreating a missing venv never rewrites a snapshot.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { literal, makeSandbox, PY, pyctlBin, run, type Sandbox, sh, twoVersions } from "../support/env.ts";
import { initSandbox, ok, PYTHON } from "../support/venv-fixtures.ts";

const freeze = (sb: Sandbox, key: string) =>
  ok(sh([join(sb.env.PYCTL_HOME!, key, "venv", "bin", "python"), "-m", "pip", "freeze"], sb)).stdout;

/** A sandbox with no pyctl home yet and its own (empty) seed cache, so the seeds are made concurrently too. */
function freshSandbox(): Sandbox {
  const sb = makeSandbox();
  sb.env.XDG_CACHE_HOME = join(sb.dir, "cache");
  sb.addPython(PYTHON, "python3");
  return sb;
}

function leftovers(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => /\.tmp$|venv\.new\./.test(f));
}

/** The pid of a process that has exited, for planting the temp files of a "killed" pyctl. */
function deadPid(): number {
  const child = Bun.spawnSync(["true"]);
  return child.pid;
}

describe("first use", () => {
  test("4 concurrent first installs (and first installs for a second version) on a fresh home all succeed and every package stays", async () => {
    using sb = freshSandbox();
    const second = twoVersions()?.[1];
    if (second) sb.addPython(second.exe);
    // a second home shares the seed cache: its first venv races this home's for the one seed
    const other = join(sb.dir, "other-home");
    const jobs = [
      ...["epsilon", "delta==1.0", "filler000", "filler001"].map((spec) => ({
        home: sb.pyctlHome,
        key: PY.key,
        spec,
        args: ["pip", "--", "install", "-q", spec],
      })),
      ...["filler003", "filler004"].map((spec) => ({
        home: other,
        key: PY.key,
        spec,
        args: ["pip", "--", "install", "-q", spec],
      })),
      ...(second ? ["alpha==1.0", "filler002"] : []).map((spec) => ({
        home: sb.pyctlHome,
        key: `py${second!.version.replace(".", "")}`,
        spec,
        args: ["pip", "--python", second!.version, "--as", `pip${second!.version}`, "--", "install", "-q", spec],
      })),
    ];
    const procs = jobs.map((job) =>
      Bun.spawn([pyctlBin(), ...job.args], {
        env: { ...sb.env, PYCTL_HOME: job.home },
        cwd: sb.home,
        stdout: "pipe",
        stderr: "pipe",
      }),
    );
    const codes = await Promise.all(procs.map((p) => p.exited));
    const stderr = await Promise.all(procs.map((p) => new Response(p.stderr).text()));
    if (codes.some((c) => c !== 0)) throw new Error(`exit codes ${codes}:\n${stderr.join("\n")}`);
    expect(stderr.join("")).not.toContain("internal error");

    for (const [home, key] of [...new Set(jobs.map((j) => `${j.home}\0${j.key}`))].map(
      (k) => k.split("\0") as [string, string],
    )) {
      const mine = jobs.filter((j) => j.home === home && j.key === key);
      const venv = join(home, key, "venv");
      const created = stderr.filter((e) => e.includes(`created ${venv} for Python 3.${key.slice(3)}`));
      expect(created).toHaveLength(1); // one process made it, under the lock; the others used it
      const frozen = ok(sh([join(venv, "bin", "python"), "-m", "pip", "freeze"], sb)).stdout.toLowerCase();
      for (const job of mine) expect(frozen).toContain(job.spec.split("==")[0]!.replace(".", "_").toLowerCase());
      const history = join(home, key, "history");
      const entries = readdirSync(history)
        .filter((f) => f.endsWith("_after.json"))
        .map((f) => JSON.parse(readFileSync(join(history, f), "utf8")));
      expect(entries).toHaveLength(mine.length);
      expect(entries.every((e) => e.exit_code === 0 && e.changes.added.length > 0)).toBe(true);
      expect(leftovers(join(home, key))).toEqual([]);
    }
    const seeds = join(sb.dir, "cache", "pyctl", "seeds");
    expect(readdirSync(seeds).filter((s) => s.startsWith(`${PY.version}-`))).toHaveLength(1);
    expect(leftovers(seeds)).toEqual([]);
  });

  test("a creation that fails (ensurepip error) leaves nothing behind, and the next install creates a real venv", () => {
    using sb = freshSandbox();
    // a python3.X whose `-m venv` makes the folder and then fails in ensurepip, as a broken install does
    const broken = join(sb.dir, "broken", `python${PY.version}`);
    mkdirSync(join(sb.dir, "broken"));
    writeFileSync(
      broken,
      `#!/bin/sh\ncase "$*" in *"-m venv"*) ${PYTHON} "$@" --without-pip\n  echo "Error: Command '['python${PY.version}', '-m', 'ensurepip', '--upgrade', '--default-pip']' returned non-zero exit status 1." >&2\n  exit 1;;\nesac\nexec ${PYTHON} "$@"\n`,
      { mode: 0o755 },
    );
    sb.addPython(broken, "python3");
    const r = run(sb, ["pip", "--", "install", "-q", "epsilon"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        String.raw`^pyctl: creating a venv with .*\/python${literal(PY.version)} failed: Error: Command .*ensurepip.*\n$`,
      ),
    );
    expect(readdirSync(sb.pyctlHome)).toEqual([]); // no pyXY, no half venv, no lock
    expect(leftovers(join(sb.dir, "cache"))).toEqual([]);

    // a creation killed half-way leaves a temp folder with a pyvenv.cfg: never taken for the venv
    const killed = join(sb.pyctlHome, PY.key, `venv.new.${deadPid()}.tmp`);
    mkdirSync(join(killed, "bin"), { recursive: true });
    writeFileSync(join(killed, "pyvenv.cfg"), `home = /usr/bin\nversion = ${PY.fullVersion}\n`);
    sb.addPython(PYTHON, "python3");
    const again = ok(run(sb, ["pip", "--", "install", "-q", "epsilon"]));
    expect(again.stderr).toContain(`created ${join(sb.pyctlHome, PY.key, "venv")} for Python ${PY.version}`);
    expect(freeze(sb, PY.key)).toContain("epsilon==1.0");
    expect(ok(sh([join(sb.pyctlHome, PY.key, "venv", "bin", "pip"), "--version"], sb)).stdout).toContain(
      join(sb.pyctlHome, PY.key, "venv"),
    );
    expect(existsSync(killed)).toBe(false);
    expect(leftovers(sb.pyctlHome)).toEqual([]);
  });

  test("recreating a missing venv never rewrites a snapshot; only `snapshot NAME --force` does", () => {
    using sb = initSandbox();
    const baseline = join(sb.pyctlHome, "snapshots", "baseline.txt");
    ok(run(sb, ["pip", "--", "install", "-q", "epsilon"]));
    ok(run(sb, ["snapshot", "mine"]));
    const mine = join(sb.pyctlHome, "snapshots", "mine.txt");
    const before = { baseline: readFileSync(baseline, "utf8"), mine: readFileSync(mine, "utf8") };
    rmSync(join(sb.pyctlHome, PY.key, "venv"), { recursive: true });
    const r = ok(run(sb, ["pip", "--", "install", "-q", "delta==1.0"]));
    expect(r.stderr).toContain("created");
    expect(freeze(sb, PY.key)).toContain("delta==1.0");
    expect({ baseline: readFileSync(baseline, "utf8"), mine: readFileSync(mine, "utf8") }).toEqual(before);
    ok(run(sb, ["snapshot", "baseline", "--force"]));
    expect(readFileSync(baseline, "utf8")).toContain("delta==1.0");
  });

  test.each([
    ["with a space", "My Packages"],
    ["too long for a `#!` line", "x".repeat(130)],
  ])("a venv made from the seed under a path %s has scripts that run", (_, folder) => {
    using first = initSandbox(); // the seed exists: the next venv is made from it, its scripts relocated
    using sb = makeSandbox();
    sb.addPython(PYTHON, "python3");
    sb.env.PYCTL_HOME = join(sb.home, folder);
    ok(run(sb, ["init", "--python", PYTHON]));
    const pipScript = join(sb.env.PYCTL_HOME, PY.key, "venv", "bin", "pip");
    expect(readFileSync(pipScript, "utf8").split("\n")[0]).toBe("#!/bin/sh"); // as pip writes it there
    expect(ok(sh([pipScript, "--version"], sb)).stdout).toContain(sb.env.PYCTL_HOME);
    ok(run(sb, ["pip", "--", "install", "-q", "epsilon"]));
    expect(freeze(sb, PY.key)).toContain("epsilon==");
    expect(freeze(first, PY.key)).not.toContain("epsilon==");
  });
});
