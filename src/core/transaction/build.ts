/**
 * One transaction's build, from the live venv to a staged one swapped into its place (the steps
 * are listed in transaction.ts). It runs under the venv's lock, inside recordOperation.
 */
import { existsSync, renameSync } from "node:fs";
import { join, relative } from "node:path";
import { PyctlError } from "../base/errors.ts";
import { discardTree, exchangeVenv } from "../base/swap.ts";
import { readInventory, sitePackagesOf, type Dist } from "../packages/inventory.ts";
import { createVenv } from "../python/create-venv.ts";
import { explicitOf } from "../recording/explicit.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import { inventoryOf, type Target } from "../recording/target.ts";
import { filesCacheOf, unownedOf } from "../recording/unowned.ts";
import { applyFromStore, fetchMissing, pipStep, type Staging } from "./build-steps.ts";
import { currentLine, goalFromDists, isEmptyPlan, mismatches, planChange, type Goal } from "./plan.ts";
import { fileChanges, goneEditables, notStored, relaxBuilds, sourcesOf } from "./sources.ts";
import { Interrupted, MISSING, type Phase, type TransactionEvents, type TransactionSpec } from "./spec.ts";
import { cloneKeeping, leavingFiles, nothingLeaves, topsIn, type Bulk, type Leaving } from "./clone.ts";
import { keepLeavingUnowned, reconcileUnowned, settleMarks } from "./staging.ts";
import { unmarkSeeded } from "../recording/seeded.ts";
import type { CloneOf, UnownedFile } from "../packages/accounting.ts";

/** The goal the staged venv is built to, and where each of its incoming versions comes from. */
interface Staged {
  goal: Goal | undefined;
  sources: ReturnType<typeof sourcesOf>;
}

export class Build {
  readonly staging: Staging;
  committed = false;
  missing: string[] = [];

  constructor(
    readonly target: Target,
    readonly guard: SignalGuard,
    readonly events: TransactionEvents,
  ) {
    this.staging = { target, dir: target.staging, site: sitePackagesOf(target.staging, target.version), guard, events };
  }

  /** The live venv's dists, once read: the staged tree is cloned from them. */
  private live: Dist[] = [];
  /** What the clone left out, and cp's share of it while that runs. */
  private leaving: Leaving = nothingLeaves();
  private bulk: Bulk | undefined;
  /** The folders cp cloned, once it is done, and those the store then linked files into. */
  private clonedWhole: string[] = [];
  private storeWroteInto = new Set<string>();

  private staged(): Dist[] {
    return readInventory(this.staging.site, undefined, this.live);
  }

  private async checkpoint(phase: Phase): Promise<void> {
    if (process.env.PYCTL_TEST_PAUSE === phase) {
      this.events.paused?.(phase);
      for (const end = Date.now() + 60_000; !this.guard.interrupted && Date.now() < end; ) await Bun.sleep(20);
    }
    if (this.guard.interrupted && !this.committed) throw new Interrupted();
  }

  async run(spec: TransactionSpec): Promise<void> {
    const { target } = this;
    const dir = this.staging.dir;
    spec.beforeStaging?.();
    const installed = inventoryOf(target);
    this.live = installed;
    const requested = spec.goal(installed);
    const relaxed = requested ? relaxBuilds(target, requested, installed) : [];
    if (relaxed.length) this.events.otherBuild?.(relaxed);
    const liveUnowned = unownedOf(target, installed);
    if (!spec.fresh && !spec.pip && !spec.prepare && requested) {
      const plan = planChange(installed, requested);
      plan.files = fileChanges(target, liveUnowned, requested.unowned);
      if (isEmptyPlan(plan)) return this.events.planned?.(plan, []);
    }
    if (spec.fresh) {
      createVenv(spec.fresh, dir, target.layout.seedsDir, target.venv);
      unmarkSeeded(dir, spec.fresh.version);
    } else this.bulk = this.cloneLive(installed, liveUnowned, spec.pip || spec.prepare ? undefined : requested);
    let staged: Staged;
    try {
      staged = await this.linkFromStore(spec, installed, requested, liveUnowned);
    } catch (err) {
      await this.bulk?.started?.settle(); // cp must be done with the staging venv before it is removed
      throw err;
    }
    await this.finishClone();
    await this.checkpoint("applied");
    const { goal, sources } = staged;
    const missing = notStored(sources);
    await fetchMissing(this.staging, missing, spec.allowMissing === true);
    const pipArgs = (await spec.prepare?.(dir, this.guard)) ?? spec.pip;
    if (this.guard.interrupted) throw new Interrupted();
    if (pipArgs?.length) await pipStep(this.staging, pipArgs);
    this.settleMarks(installed, goal);
    // Where no pip ran, the folders cp cloned are the live venv's: its scan's entries serve for them.
    const cloneOf = missing.length || pipArgs?.length ? undefined : this.untouchedClone();
    if (goal?.unowned) {
      const staged = this.staged();
      reconcileUnowned(target.storeDir, dir, this.staging.site, staged, goal.unowned, filesCacheOf(target), cloneOf);
    }
    await this.checkpoint("fetched");
    this.verify(spec, goal, installed);
    await this.checkpoint("verified");
    if (!existsSync(target.venv)) {
      // Nothing to replace (a venv deleted, or the first of a new version): the rename is the commit.
      renameSync(dir, target.venv);
      this.committed = true;
      return this.checkpoint("exchanged");
    }
    const old = exchangeVenv(target);
    this.committed = true;
    await this.checkpoint("exchanged");
    discardTree(target, old);
  }

  /**
   * Plan from the staged venv's inventory (its metadata folders are there while cp still clones
   * whole folders), say the plan, and link in what the store holds.
   */
  private async linkFromStore(
    spec: TransactionSpec,
    installed: Dist[],
    requested: Goal | undefined,
    liveUnowned: UnownedFile[],
  ): Promise<Staged> {
    const { target } = this;
    const staged = this.staged();
    // Without a goal, clean keeps what the fresh venv holds; a pip or prepare step decides itself.
    let goal = requested ?? (spec.pip || spec.prepare ? undefined : goalFromDists(staged, target.version));
    let plan = planChange(staged, goal ?? goalFromDists(staged, target.version));
    let sources = sourcesOf(target, plan);
    const gone = goneEditables(sources);
    if (gone.length && goal) {
      this.events.skipped?.(
        gone.map((g) => ({ line: g.wanted.line, reason: `its source folder ${g.source} is gone` })),
      );
      const left = new Set(gone.map((g) => g.wanted));
      goal = { ...goal, wanted: goal.wanted.filter((w) => !left.has(w)) };
      plan = planChange(staged, goal);
      sources = sourcesOf(target, plan);
    }
    // What the user is shown is the change from the live venv, whatever the staging venv started as.
    const shown = goal ? planChange(installed, goal) : plan;
    shown.files = fileChanges(target, liveUnowned, goal?.unowned);
    this.events.planned?.(shown, notStored(sources));
    await this.checkpoint("staged");

    keepLeavingUnowned(target.storeDir, target.venv, liveUnowned, goal?.unowned, spec.fresh !== undefined);
    // A store entry that puts files into a folder cp is cloning waits for it (cloneLive skips the ones it foresaw).
    const site = this.bulk?.site;
    const into = site
      ? topsIn(
          site,
          [...sources.values()].flatMap((m) => m?.files ?? []),
        )
      : new Set<string>();
    this.storeWroteInto = into;
    if (this.bulk?.started?.names.some((name) => into.has(name))) await this.finishClone();
    applyFromStore(this.staging, staged, plan, sources);
    return { goal, sources };
  }

  /**
   * The staging venv as a hardlink clone of the live one, without the distributions the goal
   * removes or replaces from the store (clone.ts): nothing is cloned only to be unlinked.
   */
  private cloneLive(installed: Dist[], unowned: UnownedFile[], goal: Goal | undefined): Bulk {
    const { target } = this;
    let leaving: Leaving | undefined;
    const bulk: Bulk = { skip: new Set() };
    if (goal) {
      const plan = planChange(installed, goal);
      const sources = sourcesOf(target, plan);
      const site = relative(target.venv, target.sitePackages);
      bulk.skip = topsIn(
        site,
        [...sources.values()].flatMap((m) => m?.files ?? []),
      );
      const gone = [...plan.remove, ...plan.replace.filter((r) => sources.get(r.to)).map((r) => r.from)];
      const going = new Set(gone);
      // An editable whose source is gone is left out of the goal later, and its old version stays.
      if (gone.length && goneEditables(sources).length === 0)
        leaving = leavingFiles(
          target.venv,
          gone,
          installed.filter((d) => !going.has(d)),
          unowned,
        );
    }
    this.leaving = leaving ?? nothingLeaves();
    cloneKeeping(target.venv, this.staging.dir, this.leaving, "", bulk);
    return bulk;
  }

  /** The folders of site-packages cp cloned that nothing was written into: the live venv's, entry for entry. */
  private untouchedClone(): CloneOf | undefined {
    const names = new Set(this.clonedWhole.filter((name) => !this.storeWroteInto.has(name)));
    const site = relative(this.staging.dir, this.staging.site);
    if (names.size === 0) return undefined;
    const cloned = (rel: string) => rel.startsWith(`${site}/`) && names.has(rel.slice(site.length + 1).split("/")[0]!);
    return { venv: this.target.venv, cloned };
  }

  /**
   * Wait for cp's share of the clone. Folders it could not clone (a full disk, a file that cannot
   * be linked) are cloned here, so the error or fallback is this process's own.
   */
  private async finishClone(): Promise<void> {
    const { bulk, leaving } = this;
    this.bulk = undefined;
    const started = bulk?.started;
    if (!started) return;
    this.clonedWhole = started.names;
    for (const name of await started.finish()) {
      if (this.guard.interrupted) throw new Interrupted();
      cloneKeeping(join(started.src, name), join(started.dst, name), leaving, `${bulk.site}/${name}`);
    }
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
}
