/**
 * Issue 4's targets, side by side in one run, on a venv of 100+ distributions:
 *  (a) `pyctl undo` of one package's upgrade (target ≤ 1 s);
 *  (b) `pyctl restore` of a snapshot that differs in 20 packages (target ≥ 10× faster);
 * each against the seed's method: rm -rf the venv, python -m venv, pip install -r the freeze
 * from the local index.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PY } from "../test/support/env.ts";
import { median, ms, printTable, PY_KEY, run, sandboxWith, sh, teardown, time, type Sandbox } from "./lib.ts";

const PYTHON = PY.real;
const RUNS = 5;

function must(r: { code: number; stderr: string }, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed:\n${r.stderr}`);
}

function pyctl(sb: Sandbox, ...args: string[]): number {
  let result = { code: 0, stderr: "" };
  const took = time(() => (result = run(sb, args)));
  must(result, `pyctl ${args.join(" ")}`);
  return took;
}

/** The seed's undo/restore: a new venv, then pip reinstalls the whole freeze from the index. */
function seedMethod(sb: Sandbox, freeze: string): number {
  const dir = join(sb.dir, "seed-venv");
  const req = join(sb.dir, "seed-freeze.txt");
  writeFileSync(req, freeze);
  const took = time(() => {
    rmSync(dir, { recursive: true, force: true });
    must(sh([PYTHON, "-m", "venv", dir], sb), "python -m venv");
    must(sh([join(dir, "bin", "pip"), "install", "-q", "-r", req], sb, { timeoutMs: 600_000 }), "pip install -r");
  });
  rmSync(dir, { recursive: true, force: true });
  return took;
}

function freezeOf(sb: Sandbox): string {
  const venv = join(sb.pyctlHome, PY_KEY, "venv");
  const r = sh([join(venv, "bin", "python"), "-m", "pip", "freeze", "--all"], sb);
  must(r, "pip freeze");
  return r.stdout;
}

const sb = await sandboxWith(120);
const count = freezeOf(sb).trim().split("\n").length;

// (a) undo of one upgrade: alternate undo (downgrade) and undo-of-undo (upgrade again).
must(run(sb, ["pip", "--", "install", "-q", "filler000==1.1"]), "upgrade");
const undoTimes: number[] = [];
for (let i = 0; i < RUNS; i++) undoTimes.push(pyctl(sb, "undo"));
const undoFreeze = freezeOf(sb);
const seedUndo = median([seedMethod(sb, undoFreeze), seedMethod(sb, undoFreeze)]);

// (b) restore of a snapshot 20 packages away: snapshot, upgrade 20, restore; undo re-arms it.
pyctl(sb, "snapshot", "bench");
const twenty = Array.from({ length: 20 }, (_, i) => `filler${String(i + 50).padStart(3, "0")}==1.1`);
must(run(sb, ["pip", "--", "install", "-q", ...twenty]), "upgrade 20");
const restoreTimes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  restoreTimes.push(pyctl(sb, "restore", "bench"));
  pyctl(sb, "undo");
}
const snapshot = readFileSync(join(sb.pyctlHome, "snapshots", "bench.txt"), "utf8");
const seedRestore = median([seedMethod(sb, snapshot), seedMethod(sb, snapshot)]);

const undo = median(undoTimes);
const restore = median(restoreTimes);
printTable(
  `undo and restore on a venv of ${count} distributions (pyctl: median of ${RUNS}; seed's method: median of 2)`,
  [
    ["operation", "pyctl", "seed's method", "speed-up", "target"],
    [
      "undo of one upgrade",
      ms(undo),
      ms(seedUndo),
      `${(seedUndo / undo).toFixed(0)}×`,
      `≤ 1 s: ${undo <= 1000 ? "met" : "MISSED"}`,
    ],
    [
      "restore, 20 packages differ",
      ms(restore),
      ms(seedRestore),
      `${(seedRestore / restore).toFixed(0)}×`,
      `≥ 10×: ${seedRestore / restore >= 10 ? "met" : "MISSED"}`,
    ],
  ],
);
sb.cleanup();
teardown();
