/**
 * Issue 2's and 16's targets, measured side by side in one run:
 *  (a) pyctl's inventory (dist-info scan + freeze text) vs `pip freeze`, at 100+ and 1,000 distributions;
 *  (b) a recorded `pip install <already installed>` through pyctl vs the venv's pip alone
 *      (issue 16's target: pyctl's own time ≤ 15 ms);
 *  (c) `pyctl --version` vs a hello-world compiled with the same flags (target: within 2 ms).
 * `bun bench/core.ts --recording [--full-history] [--runs N] [--against OTHER_PYCTL]…` runs (b)
 * only: with a history past max_entries (every write prunes), and other pyctl builds side by side
 * (e.g. one of main, from `bun scripts/build.ts FILE`); `--startup [--runs N]` runs (c) only. pip's own run varies by tens of ms on a
 * busy machine: the paired and CPU columns, and pyctl's own time, are steadier than the medians.
 */
import { freeze, readInventory, sitePackagesOf } from "../src/core/packages/inventory.ts";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../scripts/build.ts";
import { PY } from "../test/support/env.ts";
import {
  latestAfter,
  measure,
  median,
  ms,
  printTable,
  PY_KEY,
  pyctlBin,
  sandboxWith,
  sh,
  teardown,
  time,
  timePip,
  venvOf,
  type Sandbox,
} from "./lib.ts";

async function inventoryRow(fillers: number): Promise<string[]> {
  const sb = await sandboxWith(fillers);
  const site = sitePackagesOf(venvOf(sb), PY.version);
  const count = readInventory(site).length;
  const ours = median(
    Array.from({ length: 30 }, () => time(() => freeze(readInventory(site), { pythonVersion: PY.version }))),
  );
  const cache = `${sb.dir}/scan-cache.json`;
  readInventory(site, cache);
  const cached = median(
    Array.from({ length: 30 }, () => time(() => freeze(readInventory(site, cache), { pythonVersion: PY.version }))),
  );
  const pipFreeze = median(
    Array.from({ length: 5 }, () => time(() => sh([join(venvOf(sb), "bin", "pip"), "freeze"], sb))),
  );
  sb.cleanup();
  return [
    String(count),
    ms(ours),
    ms(cached),
    ms(pipFreeze),
    `${(pipFreeze / ours).toFixed(0)}×`,
    `${(pipFreeze / cached).toFixed(0)}×`,
  ];
}

/** A history past history.max_entries (100): `count` entries, alternately an uninstall and an install, so every write prunes. */
function fillHistory(sb: Sandbox, count: number): void {
  for (const args of [
    ["uninstall", "-y", "filler001"],
    ["install", "filler001==1.0"],
  ]) {
    const r = sh([pyctlBin(), "pip", "--", ...args, "-q"], sb);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const dir = join(sb.pyctlHome, PY_KEY, "history");
  const last = Math.max(
    ...readdirSync(dir)
      .map((f) => Number.parseInt(f, 10))
      .filter(Number.isFinite),
  );
  const pair = [last - 1, last].map((id) =>
    ["before", "after"].map((phase) => readFileSync(join(dir, `${String(id).padStart(3, "0")}_${phase}.json`), "utf8")),
  );
  for (let id = last + 1; id <= last + count; id++) {
    for (const [i, phase] of ["before", "after"].entries()) {
      const text = pair[id % 2]![i]!;
      writeFileSync(
        join(dir, `${String(id).padStart(3, "0")}_${phase}.json`),
        text.replace(/"id": \d+/, `"id": ${id}`),
      );
    }
  }
}

/** Median and the spread between the quartiles. */
function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return `${ms(median(values))} (IQR ${ms(q(0.25))}–${ms(q(0.75))})`;
}

/**
 * (b) A recorded `pip install <already installed>`: pip alone and through each pyctl binary
 * (this tree's, and `--against BIN`'s), interleaved so all share the machine's state; each
 * binary has its own sandbox (they would read each other's history and lock otherwise).
 */
async function recordingRows(options: { runs: number; against: string[]; fullHistory: boolean }): Promise<string[][]> {
  const bins = [pyctlBin(), ...options.against];
  const sandboxes: Sandbox[] = [];
  const timers: { pipRun(): number }[] = [];
  for (const _ of bins) {
    const sb = await sandboxWith(100);
    if (options.fullHistory) fillHistory(sb, 110);
    sandboxes.push(sb);
    timers.push(timePip(sb));
  }
  const args = ["install", "-q", "filler000==1.0"];
  const plain: { wall: number; cpu: number }[] = [];
  const recorded = bins.map(() => [] as { wall: number; cpu: number }[]);
  const ownCost = bins.map(() => [] as number[]);
  const completeOwn = bins.map(() => [] as number[]);
  const wrapperOwn: number[] = []; // the timer's own share, in every row
  for (let i = 0; i < options.runs; i++) {
    plain.push(measure([join(venvOf(sandboxes[0]!), "bin", "pip"), ...args], sandboxes[0]!));
    wrapperOwn.push(plain.at(-1)!.wall - timers[0]!.pipRun());
    for (const [b, bin] of bins.entries()) {
      const sb = sandboxes[b]!;
      const run = measure([bin, "pip", "--", ...args], sb);
      recorded[b]!.push(run);
      ownCost[b]!.push(run.wall - latestAfter(sb).duration_ms);
      completeOwn[b]!.push(run.wall - timers[b]!.pipRun());
    }
  }
  for (const sb of sandboxes) sb.cleanup();
  const rows = [
    [
      "",
      "wall",
      "added: medians' difference",
      "added: paired (run − pip's run before it)",
      "added CPU: paired",
      "wall − the entry's duration_ms (which includes the gate's wait)",
      "complete own time (wall − pip's own run)",
      "added time (complete own − the timer's)",
    ],
  ];
  rows.push([
    `pip alone (median of ${options.runs})`,
    stats(plain.map((r) => r.wall)),
    "",
    "",
    `(CPU ${stats(plain.map((r) => r.cpu))})`,
    "",
    `(timer: ${stats(wrapperOwn)})`,
    "",
  ]);
  for (const [b, bin] of bins.entries()) {
    const name = b === 0 ? "through pyctl, recorded" : `through ${bin}`;
    const walls = recorded[b]!.map((r) => r.wall);
    const paired = recorded[b]!.map((r, i) => r.wall - plain[i]!.wall);
    const cpu = recorded[b]!.map((r, i) => r.cpu - plain[i]!.cpu);
    rows.push([
      name,
      stats(walls),
      ms(median(walls) - median(plain.map((r) => r.wall))),
      stats(paired),
      stats(cpu),
      stats(ownCost[b]!),
      stats(completeOwn[b]!),
      ms(median(completeOwn[b]!) - median(wrapperOwn)),
    ]);
  }
  return rows;
}

/** A hello-world built with scripts/build.ts's flags: the floor of a compiled Bun binary's start-up. */
function helloWorld(dir: string): string {
  const source = join(dir, "hello.ts");
  const outfile = join(dir, "hello");
  writeFileSync(source, 'import { writeSync } from "node:fs";\nwriteSync(1, "hello 0.1.0\\n");\nprocess.exit(0);\n');
  const flags = ["--compile", "--splitting", "--bytecode", "--format=esm"];
  const noAutoload = ["--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig"];
  const built = Bun.spawnSync([process.execPath, "build", source, ...flags, ...noAutoload, "--outfile", outfile], {
    cwd: REPO,
    stdout: "ignore",
    stderr: "inherit",
  });
  if (built.exitCode !== 0) throw new Error("bun build of the hello-world failed");
  return outfile;
}

/** (c) start-up: `pyctl --version` and the hello-world, interleaved, wall and CPU. */
async function startupRows(runs: number): Promise<string[][]> {
  const sb = await sandboxWith(0);
  const hello = helloWorld(sb.dir);
  const results = { hello: [] as { wall: number; cpu: number }[], pyctl: [] as { wall: number; cpu: number }[] };
  for (let i = 0; i < runs; i++) {
    results.hello.push(measure([hello], sb));
    results.pyctl.push(measure([pyctlBin(), "--version"], sb));
  }
  sb.cleanup();
  const paired = results.pyctl.map((r, i) => r.wall - results.hello[i]!.wall);
  return [
    ["", "wall", "CPU", "added: paired (pyctl − hello run before it)"],
    ["hello-world", stats(results.hello.map((r) => r.wall)), stats(results.hello.map((r) => r.cpu)), ""],
    ["pyctl --version", stats(results.pyctl.map((r) => r.wall)), stats(results.pyctl.map((r) => r.cpu)), stats(paired)],
  ];
}

/** `bun bench/core.ts [--recording] [--full-history] [--runs N] [--against BIN]…`: --recording runs (b) only. */
const argv = process.argv.slice(2);
const valuesOf = (flag: string) => argv.flatMap((a, i) => (a === flag && argv[i + 1] ? [argv[i + 1]!] : []));
const recording = {
  runs: Number(valuesOf("--runs")[0] ?? 31), // pip alone varies by ±50 ms here: fewer runs leave the medians to chance
  against: valuesOf("--against"),
  fullHistory: argv.includes("--full-history"),
};

if (argv.includes("--startup")) {
  printTable(
    "(c) start-up: `pyctl --version` vs a compiled hello-world (target: within 2 ms)",
    await startupRows(recording.runs),
  );
  teardown();
  process.exit(0);
}
if (!argv.includes("--recording")) {
  const rows = [["distributions", "pyctl (cold)", "pyctl (scan cache)", "pip freeze", "speed-up cold", "cached"]];
  for (const n of [100, 1000]) rows.push(await inventoryRow(n));
  printTable("(a) inventory vs pip freeze (targets: ≥ 50×, ≤ 10 ms at 100, ≤ 60 ms at 1,000)", rows);
}
const history = recording.fullHistory ? ", history past max_entries" : "";
printTable(
  `(b) \`pip install <already installed>\` on a venv of 100+ distributions${history} (target: ≤ 15 ms added, the last column)`,
  await recordingRows(recording),
);
teardown();
