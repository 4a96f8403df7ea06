/**
 * Subsystem transaction: the one way pyctl itself changes a venv. It owns the goal and the plan
 * (plan.ts), the staging venv (staging.ts), where each wanted version comes from (sources.ts),
 * the goals of undo (undo-goal.ts) and rebuild (rebuild*.ts, carry.ts), the pip step (pip-step.ts);
 * the swap is base/swap.ts.
 *
 * Every change pyctl itself makes to a venv is a transaction: undo, restore, clean, autoremove,
 * rebuild, doctor's repairs (doctor/venv-repairs.ts), and upgrade and adopt. Each:
 *
 *   1. plans the minimal change from the installed set to the goal (plan.ts);
 *   2. builds the new venv in pyXY/venv.staging: a hardlink clone of the live venv (or a fresh
 *      venv, for clean and rebuild), minus the removed dists, plus the wanted versions linked
 *      from the store;
 *   3. installs what the store lacks with pip, in the staging venv only; then the spec's own
 *      changes (`prepare`: relink bin/python, ensurepip, carry dists from another version), then
 *      the pip step if it has one: `pip install ARGS` with pip's resolver (pip-step.ts);
 *   4. checks the staging venv holds exactly the goal (or passes the spec's own check); what
 *      it lacks is named, and accepted only with allowMissing;
 *   5. swaps it with the live venv in one renameat2 (swap.ts), then deletes the old tree (or,
 *      with no live venv, renames it into place).
 * A failure or a signal before step 5 deletes the staging venv and leaves the live one as it
 * was; SIGKILL leaves at most a staging folder, which the next recorded operation removes
 * (recordOperation calls recoverTransaction under the lock).
 *
 * PYCTL_TEST_PAUSE=<phase> (tests only) makes the transaction wait up to 60 s at that phase, so a
 * test can signal it there deterministically; phases: staged, applied (store step done), fetched
 * (pip, prepare and the pip step done), verified, exchanged.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { PyctlError } from "../base/errors.ts";
import { relocateVenvText } from "../base/fstree.ts";
import { readInventory, sitePackagesOf, type Dist } from "../packages/inventory.ts";
import { currentLine, goalFromDists, isEmptyPlan, mismatches, planChange, type Goal, type Plan, type Wanted } from "./plan.ts";
import { recordOperation, type Outcome, type RecorderEvents } from "../recording/recorder.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import { pruneUnneeded } from "../recording/retention.ts";
import { cloneTree, keepLeavingUnowned, linkEntry, ownedFiles, reconcileUnowned, removeDist, setRequested, settleMarks } from "./staging.ts";
import { unownedOf } from "../recording/unowned.ts";
import { explicitOf } from "../recording/explicit.ts";
import { fileChanges, goneEditables, notStored, pipInstallInto, sourcesOf } from "./sources.ts";
import type { StoreManifest } from "../recording/store.ts";
import { discardTree, exchangeVenv } from "../base/swap.ts";
import { inventoryOf, interpreterFor, type Target } from "../recording/target.ts";
import { createVenv, readPyvenvCfg } from "../python/venv.ts";
import { findInterpreter, type Interpreter } from "../python/interpreter.ts";
import type { Config } from "../base/config.ts";
import type { AfterEntry, OperationKind } from "../recording/history.ts";
import { pipStepInto } from "./pip-step.ts";

export type Phase = "staged" | "applied" | "fetched" | "verified" | "exchanged";

export interface TransactionSpec {
  kind: OperationKind;
  command: string;
  /** Start from a fresh venv of this interpreter (clean) instead of a clone of the live venv. */
  fresh?: Interpreter;
  /**
   * The package set to reach, given what is installed now; undefined keeps what the fresh venv
   * holds, or (with `pip`) what the clone of the live venv holds before the pip step.
   */
  goal(installed: Dist[]): Goal | undefined;
  /** `pip install ARGS` run with pip's resolver in the staging venv after the store step
   *  (e.g. ["--upgrade", "black"], ["-r", "/abs/req.txt"]). Its scripts are relocated like fetch's. */
  pip?: string[];
  /** After every step: what is wrong with the staged venv (empty: swap it in). Default: mismatches
   *  against the goal. A spec with `pip` usually supplies its own. `installed` is the live venv's set. */
  check?(staged: Dist[], installed: Dist[]): string[];
  /** Accept a staged venv that lacks some goal packages; each is named in the result and history. */
  allowMissing?: boolean;
  /** Runs under the lock before the goal is read (adopt puts the adopted dists in the store). */
  beforeStaging?(): void;
  /**
   * Changes no goal describes, made to the staging venv after the store step and before the pip
   * step: relinking bin/python, ensurepip, carrying dists over from another version's store.
   * What it returns, if anything, is the pip step's arguments (they may depend on the staged venv).
   */
  prepare?(staging: string, guard: SignalGuard): Promise<string[] | undefined> | string[] | undefined;
}

export interface TransactionEvents extends RecorderEvents {
  /** The change about to be made, from the live venv's point of view. */
  planned?(plan: Plan, fetch: Wanted[]): void;
  fetching?(requirements: string[]): void;
  /** Goal packages left out because they cannot work (an editable whose source folder is gone). */
  skipped?(items: { line: string; reason: string }[]): void;
  /** The pip step is about to run `pip install ARGS` in the staging venv. */
  pipping?(args: string[]): void;
  paused?(phase: Phase): void;
}

export interface TransactionResult extends Outcome {
  entry: AfterEntry;
  /** Set when the transaction failed; the venv is as it was. */
  error?: PyctlError;
  /** The new venv is in place (a signal after this point does not undo it). */
  committed: boolean;
  /** Goal lines the new venv lacks, accepted because of `allowMissing`. */
  missing: string[];
}

class Interrupted extends Error {}

/** How a check names a goal line the staged venv lacks (plan.ts's mismatches says it so too). */
export const MISSING = " is missing";

/** The plan and what pip would have to download, without changing anything (--dry-run). */
export function previewTransaction(target: Target, goal: Goal): { plan: Plan; fetch: Wanted[] } {
  const installed = inventoryOf(target);
  const plan = planChange(installed, goal);
  plan.files = fileChanges(target, unownedOf(target, installed), goal.unowned);
  return { plan, fetch: notStored(sourcesOf(target, plan)) };
}

/** The interpreter the venv was made from (pyvenv.cfg), else the configured one for its version. */
export function baseInterpreterOf(target: Target, config: Config): Interpreter {
  const cfg = readPyvenvCfg(target.venv);
  const candidates = [cfg?.executable, cfg?.home ? join(cfg.home, `python${target.version}`) : undefined];
  const path = candidates.find((p): p is string => !!p && existsSync(p));
  if (path) {
    try {
      const found = findInterpreter(path);
      if (found.version === target.version) return found;
    } catch {
      /* fall back to the configured interpreter */
    }
  }
  return interpreterFor(config, target.version);
}

class Build {
  readonly staging: string;
  readonly site: string;
  committed = false;
  missing: string[] = [];

  constructor(
    readonly target: Target,
    readonly guard: SignalGuard,
    readonly events: TransactionEvents,
  ) {
    this.staging = target.staging;
    this.site = sitePackagesOf(this.staging, target.version);
  }

  private staged(): Dist[] {
    return readInventory(this.site);
  }

  private async checkpoint(phase: Phase): Promise<void> {
    if (process.env.PYCTL_TEST_PAUSE === phase) {
      this.events.paused?.(phase);
      for (const end = Date.now() + 60_000; !this.guard.interrupted && Date.now() < end; ) await Bun.sleep(20);
    }
    if (this.guard.interrupted && !this.committed) throw new Interrupted();
  }

  async run(spec: TransactionSpec): Promise<void> {
    spec.beforeStaging?.();
    const installed = inventoryOf(this.target);
    const requested = spec.goal(installed);
    const liveUnowned = unownedOf(this.target, installed);
    if (!spec.fresh && !spec.pip && !spec.prepare && requested) {
      const plan = planChange(installed, requested);
      plan.files = fileChanges(this.target, liveUnowned, requested.unowned);
      if (isEmptyPlan(plan)) return this.events.planned?.(plan, []);
    }
    if (spec.fresh) createVenv(spec.fresh, this.staging, this.target.layout.seedsDir, this.target.venv);
    else cloneTree(this.target.venv, this.staging);
    const staged = this.staged();
    let goal = requested ?? (spec.pip || spec.prepare ? undefined : this.goalOf(staged));
    let plan = planChange(staged, goal ?? goalFromDists(staged, this.target.version));
    let sources = sourcesOf(this.target, plan);
    const gone = goneEditables(sources);
    if (gone.length && goal) {
      this.events.skipped?.(gone.map((g) => ({ line: g.wanted.line, reason: `its source folder ${g.source} is gone` })));
      const left = new Set(gone.map((g) => g.wanted));
      goal = { ...goal, wanted: goal.wanted.filter((w) => !left.has(w)) };
      plan = planChange(staged, goal);
      sources = sourcesOf(this.target, plan);
    }
    const shown = spec.fresh && goal ? planChange(installed, goal) : plan;
    shown.files = fileChanges(this.target, liveUnowned, goal?.unowned);
    this.events.planned?.(shown, notStored(sources));
    await this.checkpoint("staged");

    keepLeavingUnowned(this.target.storeDir, this.target.venv, liveUnowned, goal?.unowned, spec.fresh !== undefined);
    this.applyFromStore(staged, plan, sources);
    await this.checkpoint("applied");
    await this.fetch(notStored(sources), spec.allowMissing === true);
    const pipArgs = (await spec.prepare?.(this.staging, this.guard)) ?? spec.pip;
    if (this.guard.interrupted) throw new Interrupted();
    if (pipArgs?.length) await this.pipStep(pipArgs);
    this.settleMarks(installed, goal);
    if (goal?.unowned) reconcileUnowned(this.target.storeDir, this.staging, this.site, this.staged(), goal.unowned);
    await this.checkpoint("fetched");
    this.verify(spec, goal, installed);
    await this.checkpoint("verified");
    if (!existsSync(this.target.venv)) {
      // Nothing to replace (a venv deleted, or the first of a new version): the rename is the commit.
      renameSync(this.staging, this.target.venv);
      this.committed = true;
      return this.checkpoint("exchanged");
    }
    const old = exchangeVenv(this.target);
    this.committed = true;
    await this.checkpoint("exchanged");
    discardTree(this.target, old);
  }

  /** Every transaction keeps the explicit set: the goal's marks, else what was explicit before. */
  private settleMarks(installed: Dist[], goal: Goal | undefined): void {
    const byKey = new Map((goal?.wanted ?? []).filter((w) => w.key).map((w) => [w.key, w]));
    const keyless = (goal?.wanted ?? []).filter((w) => !w.key);
    const said = (d: Dist) => (byKey.get(d.key) ?? keyless.find((w) => currentLine(d) === w.line))?.requested;
    const explicit = new Set(explicitOf(this.target, installed).keys());
    settleMarks(this.staged(), said, new Set(installed.map((d) => d.key)), explicit);
  }

  /**
   * The staged venv against the goal (or the spec's own check). Problems "LINE is missing" name
   * what could not be had; they pass only with allowMissing, and are then listed in the result.
   */
  private verify(spec: TransactionSpec, goal: Goal | undefined, installed: Dist[]): void {
    const staged = this.staged();
    const problems = spec.check ? spec.check(staged, installed) : goal ? mismatches(staged, goal) : [];
    const lacking = problems.filter((p) => p.endsWith(MISSING)).map((p) => p.slice(0, -MISSING.length));
    if (spec.allowMissing) this.missing = lacking;
    const left = spec.allowMissing ? problems.filter((p) => !p.endsWith(MISSING)) : problems;
    if (left.length === 0) return;
    const hint = lacking.length && !spec.allowMissing ? ` (could not be had: ${lacking.join(", ")})` : "";
    throw new PyctlError(`the new venv does not match its goal: ${left.join("; ")}${hint}`);
  }

  /** `pip install ARGS` in the staging venv; explicit marks of the packages that stay are kept. */
  private async pipStep(args: string[]): Promise<void> {
    const explicit = new Set(
      this.staged()
        .filter((d) => d.requested)
        .map((d) => d.key),
    );
    this.events.pipping?.(args);
    const result = await pipStepInto(this.staging, args, this.guard);
    if (this.guard.interrupted) throw new Interrupted();
    if (result.exitCode !== 0) throw new PyctlError(`pip install ${args.join(" ")} failed (exit ${result.exitCode}): ${result.failure}`);
    relocateVenvText(this.staging, this.staging, this.target.venv);
    for (const dist of this.staged()) if (explicit.has(dist.key) && !dist.requested) setRequested(dist.metadataPath, true);
  }

  /** What a fresh venv holds, as a goal (clean without --keep-baseline). */
  private goalOf(fresh: Dist[]): Goal {
    return goalFromDists(fresh, this.target.version);
  }

  /** Unlink what goes (except what pip will replace itself), link in what the store has. */
  private applyFromStore(staged: Dist[], plan: Plan, sources: Map<Wanted, StoreManifest | undefined>): void {
    const leaving = [...plan.remove, ...plan.replace.filter((r) => sources.get(r.to)).map((r) => r.from)];
    if (leaving.length) {
      const gone = new Set(leaving);
      const shared = ownedFiles(
        this.staging,
        staged.filter((d) => !gone.has(d)),
      );
      for (const dist of leaving) removeDist(this.staging, this.site, dist, shared);
    }
    for (const [w, manifest] of sources) {
      if (!manifest) continue;
      linkEntry(this.target.storeDir, manifest, this.staging, this.target.venv);
      const distInfo = manifest.files.find((f) => /\.dist-info\/METADATA$/.test(f));
      if (distInfo && w.requested !== undefined) setRequested(join(this.staging, dirname(distInfo)), w.requested);
    }
    for (const { dist, requested } of plan.mark) setRequested(dist.metadataPath, requested);
  }

  /**
   * Install what the store lacks with the staging venv's own pip, then point its scripts at the
   * final path. With `tolerant` (allowMissing), what pip cannot get is tried one by one and left
   * for verify to name.
   */
  private async fetch(missing: Wanted[], tolerant: boolean): Promise<void> {
    if (missing.length === 0) return;
    this.events.fetching?.(missing.map((w) => w.line));
    let code = await pipInstallInto(this.staging, missing, this.guard);
    if (this.guard.interrupted) throw new Interrupted();
    if (code !== 0 && tolerant && missing.length > 1) {
      for (const w of missing) {
        code = await pipInstallInto(this.staging, [w], this.guard);
        if (this.guard.interrupted) throw new Interrupted();
      }
    } else if (code !== 0 && !tolerant) {
      throw new PyctlError(`pip could not install ${missing.map((w) => w.line).join(", ")} (exit ${code})`);
    }
    relocateVenvText(this.staging, this.staging, this.target.venv);
    const byKey = new Map(this.staged().map((d) => [d.key, d]));
    for (const w of missing) {
      const dist = byKey.get(w.key);
      if (dist && w.requested !== undefined) setRequested(dist.metadataPath, w.requested);
    }
  }
}

/**
 * Run a transaction as one recorded operation. A failure is returned (and recorded with exit
 * code 1), not thrown, so the caller can say what happened and that the venv is unchanged.
 */
export async function runTransaction(target: Target, config: Config, spec: TransactionSpec, events: TransactionEvents = {}): Promise<TransactionResult> {
  let error: PyctlError | undefined;
  let committed = false;
  let missing: string[] = [];
  const op = { kind: spec.kind, command: spec.command, pipArgs: [] };
  const result = await recordOperation(
    target,
    config,
    op,
    async (guard) => {
      const build = new Build(target, guard, events);
      try {
        await build.run(spec);
        committed = build.committed;
        missing = build.missing;
        return { exitCode: 0, interrupted: false, marksSettled: committed, missing };
      } catch (err) {
        committed = build.committed;
        if (!committed) rmSync(build.staging, { recursive: true, force: true });
        await Bun.sleep(0); // a Ctrl-C that killed a child (python -m venv) is noted on the next tick
        if (err instanceof Interrupted || guard.interrupted) return { exitCode: 130, interrupted: true };
        error = err instanceof PyctlError ? err : new PyctlError(err instanceof Error ? err.message : String(err));
        return { exitCode: 1, interrupted: false };
      }
    },
    events,
    pruneUnneeded,
  );
  return { ...result, error, committed, missing };
}
