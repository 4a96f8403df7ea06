/**
 * What a transaction is asked to do (TransactionSpec), what it tells its caller while it runs
 * (TransactionEvents), and what it returns (TransactionResult). transaction.ts runs one.
 */
import type { PyctlError } from "../base/errors.ts";
import type { Dist } from "../packages/inventory.ts";
import type { Interpreter } from "../python/interpreter.ts";
import type { AfterEntry, OperationKind } from "../recording/history.ts";
import type { Outcome, RecorderEvents } from "../recording/recorder.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import type { Goal, OtherBuild, Plan, Wanted } from "./plan.ts";

/** Where PYCTL_TEST_PAUSE can hold a transaction (tests only). */
export type Phase = "staged" | "applied" | "fetched" | "verified" | "exchanged" | "removing" | "restoring";

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
  /**
   * Runs under the lock, inside the recorded operation, once the build ended without error (the
   * new venv in place, or nothing to change): adopt's removal from its source, undo's put-back.
   */
  afterCommit?(guard: SignalGuard, entryId: number): Promise<void> | void;
  /** Runs when the build failed or was interrupted before its commit (drop what beforeStaging made). */
  abandon?(): void;
}

export interface TransactionEvents extends RecorderEvents {
  /** The change about to be made, from the live venv's point of view. */
  planned?(plan: Plan, fetch: Wanted[]): void;
  fetching?(requirements: string[]): void;
  /** Goal packages left out because they cannot work (an editable whose source folder is gone). */
  skipped?(items: { line: string; reason: string }[]): void;
  /**
   * Goal packages whose build the store no longer holds (a local project rebuilt since): the venv
   * gets or keeps another build of the same version, and says so.
   */
  otherBuild?(builds: OtherBuild[]): void;
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

/** A signal arrived before the swap: the transaction stops and the staging venv goes. */
export class Interrupted extends Error {}

/** How a check names a goal line the staged venv lacks (plan.ts's mismatches says it so too). */
export const MISSING = " is missing";
