// A recorded write takes its before-state from the state the last operation saved
// (recording/venv-state.ts) only while the venv is still in it: a change by hand, by pip run
// around pyctl, an operation killed after its before-state, or an installed build gone from the
// store each make it read the venv again.
// The saved state is planted with a package that is not installed: an entry that lists it was
// taken from the saved state, one that does not was read afresh.
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sh, type Sandbox } from "../support/env.ts";
import {
  historyDir,
  historyFiles,
  initSandbox,
  lastEntry,
  ok,
  pip,
  sitePackages,
  venv,
  versionDir,
} from "../support/venv-fixtures.ts";

type Entry = { packages: { name: string; version: string; requested?: boolean }[]; unowned: { path: string }[] };

const stateFile = (sb: Sandbox) => join(versionDir(sb), "state-cache.json");
const PLANTED = { name: "planted", version: "9.9" };

/** Add a package to the saved state that the venv does not hold. */
function plant(sb: Sandbox): void {
  const [whose, text] = readFileSync(stateFile(sb), "utf8").split("\n");
  const state = JSON.parse(text!);
  state.packages.push(PLANTED);
  writeFileSync(stateFile(sb), `${whose}\n${JSON.stringify(state)}`);
}

function lastBefore(sb: Sandbox): Entry {
  const file = historyFiles(sb)
    .filter((f) => f.endsWith("_before.json"))
    .at(-1)!;
  return JSON.parse(readFileSync(join(historyDir(sb), file), "utf8"));
}

const names = (entry: Entry) => entry.packages.map((p) => p.name).sort();
const fromState = (entry: Entry) => entry.packages.some((p) => p.name === PLANTED.name);

describe("the before-state from the saved state", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "beta==2.0"));
  });

  test("an unchanged venv: the saved state is the before-state, and equals a fresh read", () => {
    ok(pip(sb, "install", "-q", "beta==2.0"));
    const saved = lastBefore(sb);
    rmSync(stateFile(sb));
    ok(pip(sb, "install", "-q", "beta==2.0"));
    const fresh = lastBefore(sb);
    for (const key of ["freeze", "packages", "unowned", "python", "venv"] as const)
      expect(saved[key as keyof Entry]).toEqual(fresh[key as keyof Entry]);
    plant(sb);
    ok(pip(sb, "install", "-q", "beta==2.0"));
    expect(fromState(lastBefore(sb))).toBe(true); // it was taken from there
    rmSync(stateFile(sb)); // the planted package must not reach the next tests' entries
    ok(pip(sb, "install", "-q", "beta==2.0"));
  });

  test("pip install of an installed dependency marks it explicit without a change on disk", () => {
    ok(pip(sb, "install", "-q", "alpha"));
    const alpha = (lastEntry(sb) as unknown as Entry).packages.find((p) => p.name === "alpha");
    expect(Object.keys(alpha!)).toEqual(["name", "version", "requested", "build"]);
    expect(alpha).toMatchObject({ version: "2.0", requested: true });
    // The saved state has the new mark too: the next write's before-state, taken from it, says so.
    ok(pip(sb, "install", "-q", "beta==2.0"));
    expect(lastBefore(sb).packages.find((p) => p.name === "alpha")).toMatchObject({ requested: true });
  });

  test("a file put into site-packages by hand is seen", () => {
    plant(sb);
    writeFileSync(join(sitePackages(sb), "notes.txt"), "mine\n");
    ok(pip(sb, "install", "-q", "beta==2.0"));
    const before = lastBefore(sb);
    expect(fromState(before)).toBe(false);
    expect(before.unowned.map((u) => u.path)).toContain(join(sitePackages(sb), "notes.txt").slice(venv(sb).length + 1));
    rmSync(join(sitePackages(sb), "notes.txt"));
  });

  test("pip run around pyctl is seen", () => {
    plant(sb);
    ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "uninstall", "-q", "-y", "beta"], sb));
    ok(pip(sb, "install", "-q", "alpha"));
    const before = lastBefore(sb);
    expect(fromState(before)).toBe(false);
    expect(names(before)).not.toContain("beta");
  });

  test("an operation killed after its before-state is seen (history's newest entry is not the state's)", () => {
    ok(pip(sb, "install", "-q", "beta==2.0"));
    plant(sb);
    const file = (id: number, phase: string) => join(historyDir(sb), `${String(id).padStart(3, "0")}_${phase}.json`);
    const last = lastEntry(sb).id;
    // What a SIGKILL between pyctl's before-state and after-state leaves: a before-state alone.
    const before = readFileSync(file(last, "before"), "utf8").replace(/"id": \d+/, `"id": ${last + 1}`);
    writeFileSync(file(last + 1, "before"), before);
    ok(pip(sb, "install", "-q", "alpha"));
    expect(fromState(lastBefore(sb))).toBe(false);
  });

  test("an installed build gone from the store is seen, and stored again", () => {
    plant(sb);
    const stored = join(versionDir(sb), "store", "beta");
    rmSync(stored, { recursive: true });
    ok(pip(sb, "install", "-q", "alpha"));
    expect(fromState(lastBefore(sb))).toBe(false);
    expect(readdirSync(stored).length).toBe(1);
  });

  test("a REQUESTED marker removed by hand is seen", () => {
    plant(sb);
    rmSync(join(sitePackages(sb), "beta-2.0.dist-info", "REQUESTED"));
    ok(pip(sb, "install", "-q", "alpha"));
    expect(fromState(lastBefore(sb))).toBe(false);
  });
});
