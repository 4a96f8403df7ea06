/**
 * `pyctl bisect [--good P] [--bad P] [--timeout S] -- COMMAND…`: the first operation after which
 * COMMAND fails (a non-zero exit, or still running after the timeout).
 *
 * The points are the history's states in order: the before-state of the oldest kept operation,
 * then each operation's after-state, then `now`. Each candidate is built in a scratch venv beside
 * the live one (transaction/scratch.ts) under the venv's lock, from hardlinks and the store, and
 * COMMAND runs there without the lock: the live venv and the history are never touched. A point
 * the store cannot build offline is skipped, as `git bisect skip` would.
 */
import { rmSync } from "node:fs";
import { delimiter, join } from "node:path";
import { PyctlError } from "../base/errors.ts";
import type { LockHolder } from "../base/lock.ts";
import { startChild } from "../python/child.ts";
import { ids, readItem, type BeforeEntry } from "../recording/history.ts";
import { toRecords, type PackageRecord } from "../recording/package-records.ts";
import { SignalGuard } from "../recording/signal-guard.ts";
import { inventoryOf, type Target } from "../recording/target.ts";
import { goalFromDists, goalFromEntry, type Goal } from "../transaction/plan.ts";
import { scratchDir, sweepDeadScratch } from "../base/scratch.ts";
import { buildScratch, unbuildable } from "../transaction/scratch.ts";
import { comparePackages, type Comparison } from "./compare.ts";
import { resolvePoint } from "./points.ts";

export interface BisectOptions {
  good?: string;
  bad?: string;
  /** Seconds after which COMMAND counts as failing. */
  timeout?: number;
  command: string[];
  snapshotsDir: string;
}

interface Point {
  label: string;
  /** The operation whose after-state this is. */
  id?: number;
  packages: PackageRecord[];
  goal: () => Goal;
}

export interface BisectStep {
  label: string;
  passed: boolean;
  /** "exit 1", "timed out after 5 s", "not built: …" */
  detail: string;
  seconds: number;
}

export interface BisectResult {
  steps: BisectStep[];
  good: string;
  bad: string;
  /** The operation blamed: the first whose after-state fails. */
  culprit?: { id: number; timestamp: string; command: string; changes: Comparison };
  /** Why no operation could be blamed (the endpoints do not fail and pass as they should, …). */
  inconclusive?: string;
}

export interface BisectEvents {
  waiting?(holder: LockHolder | undefined): void;
  step?(step: BisectStep): void;
}

function entryPoint(label: string, id: number | undefined, entry: BeforeEntry): Point {
  return { label, ...(id === undefined ? {} : { id }), packages: entry.packages, goal: () => goalFromEntry(entry) };
}

/** Every state of the kept history, oldest first, then `now`. */
function timeline(target: Target): Point[] {
  const points: Point[] = [];
  for (const id of ids(target.historyDir)) {
    const item = readItem(target.historyDir, id);
    if (points.length === 0 && item.before) points.push(entryPoint(`before #${id}`, undefined, item.before));
    if (item.after) points.push(entryPoint(`#${id}`, id, item.after));
  }
  const live = inventoryOf(target);
  points.push({ label: "now", packages: toRecords(live), goal: () => goalFromDists(live, target.version) });
  return points;
}

/** Where a user-named point sits on the timeline: the last point with its package set at or before it. */
function indexOf(target: Target, points: Point[], arg: string, snapshotsDir: string): number {
  if (arg === "now") return points.length - 1;
  const state = resolvePoint(target, snapshotsDir, arg, () => inventoryOf(target));
  const at = state.id === undefined ? -1 : points.findIndex((p) => p.id === state.id);
  if (at >= 0) return at;
  const same = (p: Point) => comparePackages(p.packages, state.packages);
  const found = points.findLastIndex((p) => {
    const c = same(p);
    return c.added.length + c.removed.length + c.upgraded.length + c.downgraded.length === 0;
  });
  if (found < 0) throw new PyctlError(`${arg} is not a state of ${target.venv}'s kept history`);
  return found;
}

class Runner {
  readonly steps: BisectStep[] = [];
  private readonly dir: string;

  constructor(
    private readonly target: Target,
    private readonly options: BisectOptions,
    private readonly events: BisectEvents,
    private readonly guard: SignalGuard,
  ) {
    this.dir = scratchDir(target.venv);
  }

  /** Build the point and run COMMAND there; undefined when the point could not be built. */
  async test(point: Point): Promise<boolean | undefined> {
    const started = performance.now();
    const step = (passed: boolean, detail: string) => {
      const done = { label: point.label, passed, detail, seconds: (performance.now() - started) / 1000 };
      this.steps.push(done);
      this.events.step?.(done);
      return passed;
    };
    const lock = await this.target.env.lock("pyctl bisect", (h) => this.events.waiting?.(h));
    try {
      buildScratch(this.target, point.goal(), this.dir, this.guard);
    } catch (err) {
      if (!(err instanceof PyctlError)) throw err;
      step(false, `not built: ${err.message}`);
      return undefined;
    } finally {
      lock.release();
    }
    const { code, timedOut } = await this.run();
    if (this.guard.interrupted) throw new PyctlError("bisect interrupted", { exitCode: 130 });
    return step(code === 0 && !timedOut, timedOut ? `timed out after ${this.options.timeout} s` : `exit ${code}`);
  }

  private async run(): Promise<{ code: number; timedOut: boolean }> {
    const bin = join(this.dir, "bin");
    const liveBin = join(this.target.venv, "bin");
    const path = (process.env.PATH ?? "").split(delimiter).filter((p) => p && p !== liveBin);
    const env: Record<string, string | undefined> = {
      ...process.env,
      PATH: [bin, ...path].join(delimiter),
      VIRTUAL_ENV: this.dir,
    };
    delete env.PYTHONHOME;
    let child: ReturnType<typeof startChild>;
    try {
      // COMMAND's output goes to stderr: stdout is bisect's own (and its --json).
      child = startChild(this.options.command, { stdio: ["ignore", 2, 2], env });
    } catch {
      throw new PyctlError(`cannot run ${this.options.command[0]}: not found`);
    }
    this.guard.watch(child);
    let timedOut = false;
    const timer =
      this.options.timeout === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, this.options.timeout * 1000);
    const code = await child.exited;
    if (timer) clearTimeout(timer);
    this.guard.watch(undefined);
    return { code, timedOut };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The oldest operation's state the store can build offline. The state before the first operation
 * is left out: it usually lacks what COMMAND needs at all (`--good` can still name it, by date).
 */
function oldestBuildable(target: Target, points: Point[]): number {
  const at = points.findIndex((p) => p.id !== undefined && unbuildable(target, p.goal()).length === 0);
  return at < 0 ? points.length - 1 : at;
}

export async function bisect(target: Target, options: BisectOptions, events: BisectEvents = {}): Promise<BisectResult> {
  if (options.command.length === 0) throw new PyctlError("bisect needs a command to run: pyctl bisect -- COMMAND…");
  const lock = await target.env.lock("pyctl bisect", (h) => events.waiting?.(h));
  let points: Point[];
  try {
    sweepDeadScratch(target.venv);
    points = timeline(target);
  } finally {
    lock.release();
  }
  if (points.length < 2) throw new PyctlError(`${target.venv} has no recorded operations to bisect`);
  let bad = indexOf(target, points, options.bad ?? "now", options.snapshotsDir);
  let good = options.good
    ? indexOf(target, points, options.good, options.snapshotsDir)
    : oldestBuildable(target, points);
  if (good >= bad)
    throw new PyctlError(
      `the good point (${points[good]!.label}) must come before the bad one (${points[bad]!.label})`,
    );
  const result: BisectResult = { steps: [], good: points[good]!.label, bad: points[bad]!.label };
  const guard = new SignalGuard().start();
  const runner = new Runner(target, options, events, guard);
  try {
    const check = async (at: number, want: boolean, given: string | undefined): Promise<string | undefined> => {
      if (given) return undefined;
      const passed = await runner.test(points[at]!);
      if (passed === want) return undefined;
      const what = passed === undefined ? "could not be built" : want ? "fails" : "passes";
      return `${points[at]!.label} ${what}, so it cannot be the ${want ? "good" : "bad"} point`;
    };
    result.inconclusive =
      (await check(bad, false, options.bad)) ?? (await check(good, true, options.good)) ?? undefined;
    if (!result.inconclusive) {
      const narrowed = await narrow(runner, points, good, bad);
      ({ good, bad } = narrowed);
      if (narrowed.skipped.length) {
        const labels = [...narrowed.skipped.map((i) => points[i]!.label), points[bad]!.label];
        result.inconclusive = `the first failing state is one of ${labels.join(", ")}: the store could not build the others`;
      }
    }
  } finally {
    runner.remove();
    guard.stop();
  }
  result.steps = runner.steps;
  if (result.inconclusive) return result;
  const culprit = points[bad]!;
  if (culprit.id === undefined) {
    result.inconclusive = `the last recorded state passes and now fails: the venv changed outside pyctl after it`;
    return result;
  }
  const item = readItem(target.historyDir, culprit.id);
  const after = item.after!;
  const changes = comparePackages(item.before?.packages ?? points[bad - 1]!.packages, culprit.packages);
  result.culprit = { id: culprit.id, timestamp: after.timestamp, command: after.command, changes };
  return result;
}

/** Binary search between a passing and a failing point; unbuildable points are stepped over. */
async function narrow(
  runner: Runner,
  points: Point[],
  good: number,
  bad: number,
): Promise<{ good: number; bad: number; skipped: number[] }> {
  const skipped = new Set<number>();
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    const candidates = [...Array(bad - good - 1).keys()]
      .map((i) => good + 1 + i)
      .filter((i) => !skipped.has(i))
      .sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle));
    const at = candidates[0];
    if (at === undefined) break;
    const passed = await runner.test(points[at]!);
    if (passed === undefined) skipped.add(at);
    else if (passed) good = at;
    else bad = at;
  }
  return { good, bad, skipped: [...skipped].filter((i) => i > good && i < bad) };
}
