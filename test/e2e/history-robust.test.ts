// History that keeps what matters and never breaks (issue 9, Deliver 8, item 9, "Also found"):
// no-change operations, `undo N`, the undo title under the lock, entries with wrong types,
// temp files of killed processes, a relative PYCTL_HOME, control characters in output.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pyctlBin, run, sh, type Result, type Sandbox } from "../support/env.ts";
import { storeEntries } from "../support/store-entry.ts";
import {
  historyDir,
  historyFiles,
  initSandbox,
  ok,
  pip,
  pipFreeze,
  sitePackages,
  versionDir,
} from "../support/venv-fixtures.ts";

const entryPath = (sb: Sandbox, id: number, phase: "before" | "after") =>
  join(historyDir(sb), `${String(id).padStart(3, "0")}_${phase}.json`);
const readEntry = (sb: Sandbox, id: number, phase: "before" | "after") =>
  JSON.parse(readFileSync(entryPath(sb, id, phase), "utf8"));

function expectOneLineError(r: Result, code = 1): void {
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(/^pyctl: [^\n]+\n$/);
}

function deadPid(): number {
  return Bun.spawnSync(["true"]).pid;
}

describe("operations that changed nothing", () => {
  test("stay in history, do not count toward max_entries, and are skipped by `undo N`", () => {
    using sb = initSandbox();
    ok(run(sb, ["config", "history.max_entries", "2"]));
    ok(pip(sb, "install", "-q", "alpha==1.0")); // #1
    ok(pip(sb, "install", "-q", "epsilon")); // #2
    expect(pip(sb, "install", "-q", "no-such-package").code).toBe(1); // #3: a typo, nothing changed
    ok(pip(sb, "install", "-q", "epsilon")); // #4: already there, nothing changed
    ok(pip(sb, "install", "-q", "delta==1.0")); // #5
    expect(historyFiles(sb).filter((f) => f.endsWith("_after.json"))).toEqual([
      "002_after.json",
      "003_after.json",
      "004_after.json",
      "005_after.json",
    ]);
    const history = ok(run(sb, ["history"])).stdout;
    expect(history).toMatch(/#4 .*pip install -q epsilon\s+no change\s+ok/);
    expect(history).toMatch(/#3 .*no-such-package\s+no change\s+failed/);

    const undo = ok(run(sb, ["undo", "2"]));
    expect(undo.stdout).toContain("undo #2..#5 (2 operations, back to before `pip install -q epsilon`)");
    const frozen = pipFreeze(sb);
    expect(frozen).toContain("alpha==1.0");
    expect(frozen).not.toContain("epsilon");
    expect(frozen).not.toContain("delta");
    expect(ok(run(sb, ["undo", "--help"])).stdout).toContain("operations that changed something");
  });

  test("after a failed undo, `pyctl undo` undoes the last real change, not the failed no-op", () => {
    using sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0")); // #1
    ok(pip(sb, "install", "-q", "alpha==2.0")); // #2
    for (const entry of storeEntries(join(versionDir(sb), "store"), "alpha", "1.0")) sh(["rm", "-rf", entry], sb);
    const failed = run(sb, ["undo"], { env: { PIP_INDEX_URL: "http://127.0.0.1:9/simple" } }); // #3: pip cannot fetch 1.0
    expect(failed.code).toBe(1);
    expect(readEntry(sb, 3, "after")).toMatchObject({
      kind: "undo",
      exit_code: 1,
      changes: { added: [], removed: [], modified: [] },
    });
    const undo = ok(run(sb, ["undo"]));
    expect(undo.stdout).toContain("undo #2 (pip install -q alpha==2.0)");
    expect(pipFreeze(sb)).toContain("alpha==1.0");
  });
});

describe("pyctl undo under concurrency", () => {
  test("names the operation it really undoes, decided once the lock is its own", async () => {
    using sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0")); // #1
    ok(pip(sb, "install", "-q", "epsilon")); // #2
    const fifo = join(sb.dir, "requirements.fifo");
    ok(sh(["mkfifo", fifo], sb));
    // #3 holds the lock while its pip waits to read the requirements from the fifo
    const install = Bun.spawn([pyctlBin(), "pip", "--", "install", "-q", "-r", fifo], {
      env: sb.env,
      cwd: sb.home,
      stdout: "pipe",
      stderr: "pipe",
    });
    while (!existsSync(entryPath(sb, 3, "before"))) await Bun.sleep(20);
    const undo = Bun.spawn([pyctlBin(), "undo"], { env: sb.env, cwd: sb.home, stdout: "pipe", stderr: "pipe" });
    const reader = undo.stderr.getReader();
    let stderr = "";
    while (!stderr.includes("waiting for pid")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`undo ended without waiting:\n${stderr}`);
      stderr += new TextDecoder().decode(value);
    }
    writeFileSync(fifo, "delta==1.0\n"); // now #3 goes ahead and installs delta
    expect(await install.exited).toBe(0);
    expect(await undo.exited).toBe(0);
    const stdout = await new Response(undo.stdout).text();
    expect(stdout).toContain(`undo #3 (pip install -q -r ${fifo})`);
    expect(stdout).not.toContain("#2");
    const frozen = pipFreeze(sb);
    expect(frozen).not.toContain("delta");
    expect(frozen).toContain("epsilon");
  });
});

describe("history entries with wrong types", () => {
  test("are shown as corrupt; history, diff, undo and status never crash", () => {
    using sb = initSandbox();
    ok(pip(sb, "install", "-q", "epsilon")); // #1
    ok(pip(sb, "install", "-q", "alpha==1.0")); // #2
    ok(pip(sb, "install", "-q", "delta==1.0")); // #3
    const bad = (id: number, phase: "before" | "after", patch: Record<string, unknown>) =>
      writeFileSync(entryPath(sb, id, phase), JSON.stringify({ ...readEntry(sb, id, phase), ...patch }));
    bad(3, "after", { changes: "x" });
    bad(2, "before", { packages: 5 });
    bad(1, "after", { changes: { added: "alpha", removed: [], modified: [] }, exit_code: "0" });
    const history = ok(run(sb, ["history"])).stdout;
    for (const id of [1, 2, 3]) expect(history).toMatch(new RegExp(`#${id} .*corrupt`));
    const json = JSON.parse(ok(run(sb, ["history", "--json"])).stdout) as { id: number; status: string }[];
    expect(json.map((e) => e.status)).toEqual(["corrupt", "corrupt", "corrupt"]);
    for (const args of [["diff"], ["diff", "2"], ["diff", "1"]]) {
      const r = run(sb, args);
      expectOneLineError(r);
      expect(r.stderr).toContain("unreadable");
    }
    ok(run(sb, ["status"]));
    const undo = run(sb, ["undo"]); // #3's before-state is intact: undo goes back to it
    expect(undo.stderr).not.toContain("internal error");
    expect(undo.code).toBe(0);
    expect(pipFreeze(sb)).not.toContain("delta");
    const further = run(sb, ["undo", "3"]); // through #2, whose before-state is unreadable
    expectOneLineError(further);
    expect(further.stderr).toContain("cannot undo operation #2");
  });
});

describe("temp files", () => {
  test("those of killed processes are removed by the next write under the lock; live ones stay", () => {
    using sb = initSandbox();
    ok(pip(sb, "install", "-q", "epsilon"));
    const dead = deadPid();
    const planted = [
      join(historyDir(sb), `.002_before.json.${dead}.1.tmp`),
      join(historyDir(sb), `.002_after.json.${dead}.tmp`),
      join(versionDir(sb), `.inventory-cache.json.${dead}.3.tmp`),
      join(versionDir(sb), "store", "epsilon", `9.9.${dead}.tmp`, "manifest.json"),
    ];
    const live = join(versionDir(sb), `.inventory-cache.json.${process.pid}.7.tmp`);
    for (const path of [...planted, live]) {
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, "{");
    }
    // what a killed holder leaves in the lock file: the store is swept only after one
    writeFileSync(join(versionDir(sb), "lock"), JSON.stringify({ pid: dead, command: "pip install epsilon" }));
    ok(run(sb, ["snapshot", "s"])); // takes the lock and does not clean up: the word is passed on
    expect(existsSync(planted[3]!)).toBe(true);
    ok(pip(sb, "install", "-q", "delta==1.0"));
    expect(planted.filter((p) => existsSync(p))).toEqual([]);
    expect(existsSync(join(versionDir(sb), "store", "epsilon", `9.9.${dead}.tmp`))).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});

describe("PYCTL_HOME", () => {
  test("a relative one is refused in one line; ~/ is expanded", () => {
    using sb = initSandbox();
    for (const args of [["status"], ["pip", "--", "install", "epsilon"], ["history"]]) {
      const r = run(sb, args, { env: { PYCTL_HOME: "pkgs" } });
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr: 'pyctl: PYCTL_HOME must be an absolute path (or ~/…), not "pkgs"\n',
      });
    }
    expect(readdirSync(sb.home)).not.toContain("pkgs");
    const status = JSON.parse(ok(run(sb, ["status", "--json"], { env: { PYCTL_HOME: "~/pkgs" } })).stdout);
    expect(status.home).toBe(join(sb.home, "pkgs"));
  });
});

describe("control characters", () => {
  test("in a package name, a file line or a recorded command are shown escaped, never raw", () => {
    using sb = initSandbox();
    const info = join(sitePackages(sb), "evil-1.0.dist-info");
    mkdirSync(info);
    writeFileSync(join(info, "METADATA"), "Metadata-Version: 2.1\nName: evil\x1b]0;pwned\x07\nVersion: 1.0\n\n");
    writeFileSync(join(info, "RECORD"), "");
    const file = join(sb.dir, "req.txt");
    writeFileSync(file, "\x1b[2Jalpha==1.0\n");
    pip(sb, "install", "-q", "epsilon\x1b[31m\r");
    const outputs = [
      run(sb, ["list"]),
      run(sb, ["restore", file]),
      run(sb, ["history"]),
      run(sb, ["diff"]),
      run(sb, ["status"]),
      run(sb, ["export"]),
      run(sb, ["complete", "--", "list-deps", ""]),
    ];
    for (const r of outputs) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not reach the terminal
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    }
    expect(outputs[0]!.stdout).toContain("evil\\x1b]0;pwned\\x07");
    expect(outputs[1]!.stderr).toContain("\\x1b[2Jalpha==1.0");
    expect(outputs[2]!.stdout).toContain("epsilon\\x1b[31m\\x0d");
    expect(outputs[5]!.stdout).toContain("evil\\x1b]0;pwned\\x07==1.0");
    expect(outputs[6]!.stdout).toContain("pip\t"); // the other packages are still offered
  });
});
