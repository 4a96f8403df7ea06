/**
 * Issue 11's targets, side by side in one run, on a venv with 30 explicit packages that each have
 * a newer version on the local index:
 *  (a) `pyctl outdated` against `pip list --outdated` (target ≥ 5× faster);
 *  (b) what `[updates] notify = true` adds to a recorded pip write on the day its index query
 *      runs (target: nothing measurable, i.e. within the run-to-run spread of the write itself).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  median,
  ms,
  printTable,
  PY_KEY,
  pyctlBin,
  run,
  sandboxWith,
  sh,
  teardown,
  time,
  venvOf,
  type Sandbox,
} from "./lib.ts";

const RUNS = 9;

function must(r: { code: number; stderr: string }, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed:\n${r.stderr}`);
}

function timed(
  fn: () => { code: number; stderr: string; stdout: string },
  what: string,
): { took: number; stdout: string } {
  let result = { code: 0, stderr: "", stdout: "" };
  const took = time(() => (result = fn()));
  must(result, what);
  return { took, stdout: result.stdout };
}

function outdatedSideBySide(sb: Sandbox): { pyctl: number; pip: number; found: number } {
  const pyctlTimes: number[] = [];
  const pipTimes: number[] = [];
  let found = 0;
  timed(() => run(sb, ["outdated"]), "pyctl outdated (warm-up: caches the wheel tags)");
  for (let i = 0; i < RUNS; i++) {
    const ours = timed(() => run(sb, ["outdated", "--json"]), "pyctl outdated");
    pyctlTimes.push(ours.took);
    found = JSON.parse(ours.stdout).length;
    pipTimes.push(
      timed(() => sh([join(venvOf(sb), "bin", "pip"), "list", "--outdated"], sb), "pip list --outdated").took,
    );
  }
  return { pyctl: median(pyctlTimes), pip: median(pipTimes), found };
}

/** One recorded no-op write (`pip install <installed>`): wall time, and CPU time of pyctl and pip together. */
function write(sb: Sandbox): { wall: number; cpu: number } {
  const start = performance.now();
  const r = Bun.spawnSync([pyctlBin(), "pip", "--", "install", "-q", "filler000==1.0"], { env: sb.env, cwd: sb.home });
  const wall = performance.now() - start;
  must({ code: r.exitCode ?? 1, stderr: r.stderr.toString() }, "pip write");
  const cpu = r.resourceUsage?.cpuTime;
  return { wall, cpu: cpu ? (Number(cpu.user) + Number(cpu.system)) / 1000 : Number.NaN };
}

/**
 * Writes with the notice off and due, alternating: the difference of the medians (wall) and the
 * median paired difference of CPU time, against the interquartile range of the writes themselves.
 */
function noticeCost(sb: Sandbox): { off: number; added: number; addedCpu: number; spread: number } {
  const stamp = join(sb.pyctlHome, PY_KEY, "updates-checked");
  const off: { wall: number; cpu: number }[] = [];
  const on: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    must(run(sb, ["config", "updates.notify", "false"]), "config");
    off.push(write(sb));
    must(run(sb, ["config", "updates.notify", "true"]), "config");
    rmSync(stamp, { force: true });
    on.push(write(sb));
  }
  const sorted = off.map((o) => o.wall).sort((a, b) => a - b);
  const quartile = (q: number) => sorted[Math.round(q * (sorted.length - 1))]!;
  return {
    off: median(sorted),
    added: median(on.map((t) => t.wall)) - median(sorted),
    addedCpu: median(on.map((t, i) => t.cpu - off[i]!.cpu)),
    spread: quartile(0.75) - quartile(0.25),
  };
}

const sb = await sandboxWith(30);
const a = outdatedSideBySide(sb);
const b = noticeCost(sb);
const ratio = a.pip / a.pyctl;
const added = b.added;
printTable(`outdated on 30 explicit packages, ${a.found} with a newer version (median of ${RUNS}, alternating)`, [
  ["what", "pyctl", "reference", "ratio", "target"],
  [
    "pyctl outdated",
    ms(a.pyctl),
    `pip list --outdated ${ms(a.pip)}`,
    `${ratio.toFixed(0)}×`,
    `≥ 5×: ${ratio >= 5 ? "met" : "MISSED"}`,
  ],
  [
    "recorded pip write, notice due",
    `${added >= 0 ? "+" : ""}${ms(added)} wall, +${ms(b.addedCpu)} CPU`,
    `notice off ${ms(b.off)} (interquartile range ${ms(b.spread)})`,
    "",
    `nothing measurable: ${Math.abs(added) <= b.spread ? "met" : "MISSED"}`,
  ],
]);
sb.cleanup();
teardown();
