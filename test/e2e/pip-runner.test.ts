// The recording pip runner through the real CLI: real venvs, real pip, a local index.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, literal, makeSandbox, PY, pyctlBin, run, type Sandbox, sh, untilStalled } from "../support/env.ts";

const pip = (sb: Sandbox, ...args: string[]) => run(sb, ["pip", "--", ...args]);
const historyDir = (sb: Sandbox) => join(sb.pyctlHome, PY.key, "history");
const venv = (sb: Sandbox) => join(sb.pyctlHome, PY.key, "venv");
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const after = (sb: Sandbox, id: number) => readJson(join(historyDir(sb), `${String(id).padStart(3, "0")}_after.json`));
const freezeOf = (sb: Sandbox) => sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze", "--all"], sb).stdout;

function initSandbox(): Sandbox {
  const sb = makeSandbox();
  const init = run(sb, ["init", "--python", PY.exe]);
  expect(init.stderr).toBe("");
  expect(init.code).toBe(0);
  return sb;
}

describe("recorded pip operations", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
  });

  test("install records before and after in the seed's format", () => {
    const r = pip(sb, "install", "-q", "beta==1.0");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("+ alpha 2.0");
    const before = readJson(join(historyDir(sb), "001_before.json"));
    const entry = after(sb, 1);
    expect(Object.keys(entry).slice(0, 6)).toEqual(["id", "timestamp", "user", "kind", "command", "pip_args"]);
    expect(before.freeze).not.toContain("beta");
    expect(entry).toMatchObject({
      id: 1,
      kind: "pip",
      command: "pip install -q beta==1.0",
      pip_args: ["install", "-q", "beta==1.0"],
      exit_code: 0,
      interrupted: false,
      python: PY.fullVersion,
      venv: venv(sb),
      changes: { added: ["alpha==2.0", "beta==1.0"], removed: [], modified: [] },
    });
    expect(entry.freeze).toBe(freezeOf(sb));
    expect(typeof entry.duration_ms).toBe("number");
  });

  test("upgrade, downgrade, uninstall and -r requirements are recorded as such", () => {
    expect(pip(sb, "install", "-q", "--upgrade", "beta").code).toBe(0);
    expect(after(sb, 2).changes.modified).toEqual([{ name: "beta", from: "1.0", to: "2.0" }]);
    expect(pip(sb, "install", "-q", "alpha==1.0").code).toBe(0);
    expect(after(sb, 3).changes.modified).toEqual([{ name: "alpha", from: "2.0", to: "1.0" }]);
    expect(pip(sb, "uninstall", "-y", "beta").code).toBe(0);
    expect(after(sb, 4).changes).toEqual({ added: [], removed: ["beta==2.0"], modified: [] });
    writeFileSync(join(sb.dir, "req.txt"), "epsilon==1.0\ndelta==1.0\n");
    expect(pip(sb, "install", "-q", "-r", join(sb.dir, "req.txt")).code).toBe(0);
    expect(after(sb, 5).changes.added).toEqual(["delta==1.0", "epsilon==1.0"]);
  });

  test("global options before the subcommand are understood", () => {
    expect(pip(sb, "-q", "--no-color", "--timeout", "30", "install", "zeta==1.0").code).toBe(0);
    expect(after(sb, 6).changes.added).toEqual(["eta==1.0", "zeta==1.0"]);
    expect(pip(sb, "--no-color", "uninstall", "-y", "eta").code).toBe(0);
    expect(after(sb, 7).changes.removed).toEqual(["eta==1.0"]);
  });

  test("read-only subcommands run pip without recording", () => {
    const count = readdirSync(historyDir(sb)).length;
    const list = pip(sb, "list", "--format=freeze");
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("zeta==1.0");
    expect(pip(sb, "show", "zeta").stdout).toContain("Name: zeta");
    expect(pip(sb, "--version").stdout).toContain(venv(sb));
    expect(pip(sb, "install", "--dry-run", "gamma").code).toBe(0);
    expect(readdirSync(historyDir(sb)).length).toBe(count);
  });

  test("a failing install keeps pip's exit code, records it and loses nothing", () => {
    const before = freezeOf(sb);
    const r = pip(sb, "install", "no-such-project");
    expect(r.code).toBe(1);
    const id = Number(readdirSync(historyDir(sb)).sort().at(-1)!.slice(0, 3));
    expect(after(sb, id)).toMatchObject({
      exit_code: 1,
      interrupted: false,
      changes: { added: [], removed: [], modified: [] },
    });
    expect(freezeOf(sb)).toBe(before);
    expect(pip(sb, "bogus-subcommand").code).toBe(1);
  });

  test("--user and PIP_USER are dropped with a notice", () => {
    const r = pip(sb, "install", "--user", "-q", "epsilon");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("ignoring --user");
    const env = run(sb, ["pip", "--", "install", "-q", "epsilon"], { env: { PIP_USER: "1" } });
    expect(env.code).toBe(0);
    expect(env.stderr).toContain("ignoring PIP_USER=1:");
  });

  test("history, diff and status describe what happened", () => {
    const history = run(sb, ["history", "--limit", "2", "--json"]);
    const items = JSON.parse(history.stdout);
    expect(items).toHaveLength(2);
    expect(items[0].id).toBeGreaterThan(items[1].id);
    const diff = JSON.parse(run(sb, ["diff", "2", "--json"]).stdout);
    expect(diff).toMatchObject({
      id: 2,
      status: "ok",
      changes: { modified: [{ name: "beta", from: "1.0", to: "2.0" }] },
    });
    expect(run(sb, ["diff", "2"]).stdout).toContain("↑ beta 1.0 → 2.0");
    expect(run(sb, ["diff", "3"]).stdout).toContain("↓ alpha 2.0 → 1.0");
    const status = JSON.parse(run(sb, ["status", "--json"]).stdout);
    expect(status).toMatchObject({
      tier: "user",
      home: sb.pyctlHome,
      default_python: PY.version,
      hook: { active: false },
    });
    expect(status.venvs[0]).toMatchObject({ python: PY.version, exists: true, venv: venv(sb) });
    expect(status.venvs[0].history_entries).toBeGreaterThanOrEqual(8);
  });
});

describe("history limits and damage", () => {
  test("max_entries prunes the oldest entries; ids are never reused", () => {
    const sb = initSandbox();
    expect(run(sb, ["config", "history.max_entries", "2"]).code).toBe(0);
    for (const spec of ["alpha==1.0", "alpha==1.1", "alpha==2.0"]) expect(pip(sb, "install", "-q", spec).code).toBe(0);
    expect(readdirSync(historyDir(sb)).sort()).toEqual([
      "002_after.json",
      "002_before.json",
      "003_after.json",
      "003_before.json",
    ]);
    expect(pip(sb, "install", "-q", "alpha==1.0").code).toBe(0);
    expect(existsSync(join(historyDir(sb), "004_after.json"))).toBe(true);
  });

  test("a corrupt history file and a crashed entry never break a command", () => {
    const sb = initSandbox();
    expect(pip(sb, "install", "-q", "epsilon").code).toBe(0);
    writeFileSync(join(historyDir(sb), "001_after.json"), "{ not json");
    writeFileSync(
      join(historyDir(sb), "002_before.json"),
      readFileSync(join(historyDir(sb), "001_before.json"), "utf8").replace('"id": 1', '"id": 2'),
    );
    const history = run(sb, ["history"]);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/#2 .*incomplete/);
    expect(history.stdout).toMatch(/#1 .*corrupt/);
    const r = pip(sb, "install", "-q", "alpha==1.0");
    expect(r.code).toBe(0);
    expect(after(sb, 3).changes.added).toEqual(["alpha==1.0"]);
    expect(run(sb, ["diff", "1"]).stderr).toContain("unreadable");
  });
});

describe("concurrency and interruption", () => {
  test("8 concurrent installs get unique ids and leave a consistent venv", async () => {
    const sb = initSandbox();
    const specs = [
      "alpha==1.1",
      "epsilon",
      "delta==1.0",
      "Mixed_Case.Name",
      "zeta==1.0",
      "big",
      "filler000",
      "filler001",
    ];
    const procs = specs.map((spec) =>
      Bun.spawn([pyctlBin(), "pip", "--", "install", "-q", spec], { env: sb.env, stdout: "pipe", stderr: "pipe" }),
    );
    const codes = await Promise.all(procs.map((p) => p.exited));
    expect(codes).toEqual(specs.map(() => 0));
    const stderr = await Promise.all(procs.map((p) => new Response(p.stderr).text()));
    expect(stderr.join("")).toContain("waiting for pid");
    const files = readdirSync(historyDir(sb)).sort();
    expect(files).toHaveLength(16);
    const entries = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => after(sb, id));
    expect(new Set(entries.map((e) => e.command)).size).toBe(8);
    for (const [i, e] of entries.entries()) {
      if (i > 0) expect(readJson(join(historyDir(sb), `00${e.id}_before.json`)).freeze).toBe(entries[i - 1].freeze);
    }
    expect(entries.at(-1).freeze).toBe(freezeOf(sb));
  });

  test("Ctrl-C during an install: pip stops, pyctl records it as interrupted and exits 130", async () => {
    const sb = initSandbox();
    const { index } = await fixtures();
    const stalls = index.stalls();
    const proc = Bun.spawn([pyctlBin(), "pip", "--", "install", "slowpkg"], {
      env: sb.env,
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
    await untilStalled(index, stalls); // pip is now stalled half-way through the download
    expect(existsSync(join(historyDir(sb), "001_before.json"))).toBe(true);
    process.kill(-proc.pid, "SIGINT"); // the whole foreground process group, as a terminal does
    expect(await proc.exited).toBe(130);
    expect(after(sb, 1)).toMatchObject({ interrupted: true, exit_code: 130, changes: { added: [] } });
    expect(run(sb, ["history"]).stdout).toMatch(/#1 .*interrupted/);
    expect(pip(sb, "install", "-q", "epsilon").code).toBe(0);
  });
});

describe("bad input", () => {
  test("an invalid config.toml names the file and line", () => {
    const sb = initSandbox();
    const config = join(sb.pyctlHome, "config.toml");
    writeFileSync(config, "[history]\nmax_entries = 10\nshow_diff_after_install = = 1\n");
    const r = run(sb, ["history"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith(`pyctl: ${config}:3:`);
    writeFileSync(config, '[history]\nmax_entries = "ten"\n');
    expect(run(sb, ["status"]).stderr).toStartWith(`pyctl: ${config}:2: history.max_entries must be an integer`);
    writeFileSync(config, "[history]\nmax_entrys = 5\n");
    expect(run(sb, ["pip", "--", "install", "epsilon"]).stderr).toContain(
      `${config}:2: unknown key history.max_entrys`,
    );
  });

  test("usage errors are one line and exit 2", () => {
    const sb = initSandbox();
    for (const args of [
      ["nonsense"],
      ["history", "--limit", "0"],
      ["history", "--bogus"],
      ["diff", "@not-a-date"],
      ["restore", "@2026-13-45"],
      ["config", "nope.key", "1"],
      ["config", "history.max_entries", "-3"],
    ]) {
      const r = run(sb, args);
      expect(r.code).toBe(2);
      expect(r.stderr).toStartWith("pyctl: ");
    }
    expect(run(sb, ["diff", "99"]).code).toBe(1);
  });

  test("config shows, reads and sets keys, and keeps the file valid TOML", () => {
    const sb = initSandbox();
    expect(run(sb, ["config", "history.show_diff_after_install"]).stdout.trim()).toBe("true");
    expect(run(sb, ["config", "auto_snapshot", "false"]).code).toBe(0);
    const parsed = Bun.TOML.parse(readFileSync(join(sb.pyctlHome, "config.toml"), "utf8")) as {
      history: Record<string, unknown>;
    };
    expect(parsed.history.auto_snapshot).toBe(false);
    expect(pip(sb, "install", "-q", "epsilon").code).toBe(0);
    expect(existsSync(historyDir(sb))).toBe(false); // recording switched off
    expect(run(sb, ["config"]).stdout).toContain("history.auto_snapshot");
  });

  test("every command has --help", () => {
    const sb = initSandbox();
    for (const name of ["init", "status", "history", "diff", "config"]) {
      const r = run(sb, [name, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toStartWith(`usage: pyctl ${name}`);
    }
  });
});

describe("init", () => {
  test("is idempotent, and a Python without venv support gets a clear error", () => {
    const sb = initSandbox();
    const again = run(sb, ["init"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing changed");
    expect(readFileSync(join(sb.pyctlHome, "snapshots", "baseline.txt"), "utf8")).toMatch(
      new RegExp(String.raw`^# pyctl snapshot: baseline\n# python: ${literal(PY.fullVersion)}\n# date: `),
    );
    const fake = join(sb.dir, "python3.99");
    writeFileSync(fake, `#!/bin/sh\nexec ${PY.real} -c 'print("3.99.0"); print("no-venv")'\n`, { mode: 0o755 });
    const r = run(sb, ["init", "--python", fake]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot create venvs");
    expect(run(sb, ["init", "--python", "/nonexistent/python"]).stderr).toContain("no Python at /nonexistent/python");
  });
});
