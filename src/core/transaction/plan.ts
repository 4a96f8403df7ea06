/**
 * The package set a transaction moves a venv to (a history state, a snapshot, a requirements
 * file), and the minimal plan that gets there from what is installed: what to remove, what to
 * install, what to replace. Distributions the plan does not name are left alone.
 */
import { freeze, freezeLinesOf, type Dist } from "../packages/inventory.ts";
import { canonicalName, compareVersions, normalizeVersion, pinAccepts } from "../packages/pep440.ts";
import { parseFreezeLine } from "../packages/freeze-line.ts";
import type { BeforeEntry } from "../recording/history.ts";
import type { Changes } from "../recording/changes.ts";
import { PyctlError } from "../base/errors.ts";
import type { UnownedFile } from "../packages/accounting.ts";

/** One distribution of the goal, as a freeze line says it. */
export interface Wanted {
  /** Canonical name; "" for an editable line that does not name its project. */
  key: string;
  name: string;
  /** Undefined for `name @ url` and `-e` lines of a snapshot (a history entry knows it). */
  version?: string;
  pep440: boolean;
  /** A direct-URL or editable install: it matches an installed dist by its freeze line. */
  direct: boolean;
  line: string;
  /** Whether it carries the REQUESTED marker; undefined when the source does not say. */
  requested?: boolean;
  /** A history state's version: only that version matches (a pin's `==1.0` also accepts 1.0+local, as pip does). */
  exact?: boolean;
  /**
   * A history state's build of that version (Dist.build): another build of it is replaced, from
   * the store. Dropped (relaxBuilds) when the store no longer holds it.
   */
  build?: string;
}

export interface Goal {
  wanted: Wanted[];
  /**
   * A `pip freeze --all` set (history, snapshots) names pip itself; a plain `pip freeze` does
   * not, and then what plain freeze hides (pip, setuptools, wheel) is left as it is.
   */
  complete: boolean;
  /** The files no distribution owns that the venv should hold (a history state); undefined: leave them. */
  unowned?: UnownedFile[];
}

export interface Replacement {
  from: Dist;
  to: Wanted;
}

export interface Plan {
  remove: Dist[];
  install: Wanted[];
  replace: Replacement[];
  /** Dists that stay but whose REQUESTED marker must flip. */
  mark: { dist: Dist; requested: boolean }[];
  unchanged: number;
  /** Unowned files to take out (an interrupted pip's leftovers) and to put back from the store. */
  files?: { remove: UnownedFile[]; restore: UnownedFile[] };
  /** Goal lines whose recorded build the store no longer holds (sources.ts relaxBuilds): another build is used. */
  otherBuild?: OtherBuild[];
}

/** A wanted build that cannot be had: `stays`, the venv keeps the build of that version it has. */
export interface OtherBuild {
  line: string;
  stays: boolean;
}

/** pip freeze --all never lists these, so no goal can mention them. */
const NEVER_LISTED = new Set(["python", "wsgiref", "argparse"]);
export function parseWanted(line: string): Wanted {
  const parsed = parseFreezeLine(line);
  if (parsed?.editable) {
    return { key: parsed.key, name: parsed.name, pep440: true, direct: true, line: line.replace(/^-e\s+/, "-e ") };
  }
  if (parsed?.version !== undefined) {
    const { name, pinOperator: op, version: raw } = parsed;
    const normal = op === "==" ? normalizeVersion(raw) : null;
    return {
      key: parsed.key,
      name,
      version: normal ?? raw,
      pep440: normal !== null,
      direct: false,
      line: `${name}${op}${raw}`,
    };
  }
  if (parsed?.name && parsed.url !== undefined)
    return { key: parsed.key, name: parsed.name, pep440: true, direct: true, line: line.trim() };
  throw new PyctlError(`not a pinned requirement (name==version): ${line}`);
}

export function goalFromLines(lines: string[]): Goal {
  const wanted = lines.map(parseWanted);
  return { wanted, complete: wanted.some((w) => w.key === "pip") };
}

/** A history state: its freeze lines, with versions and REQUESTED markers from its package records. */
export function goalFromEntry(entry: BeforeEntry): Goal {
  const lines = entry.freeze
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const goal = goalFromLines(lines);
  nameEditables(entry.freeze, goal.wanted);
  const records = new Map(entry.packages.map((p) => [canonicalName(p.name), p]));
  for (const w of goal.wanted) {
    const record = records.get(w.key);
    if (!record) continue;
    w.version ??= record.version;
    w.exact = true;
    w.requested = record.requested === true;
    if (record.build) w.build = record.build;
  }
  return { wanted: goal.wanted, complete: true, ...(entry.unowned ? { unowned: entry.unowned } : {}) };
}

/** `-e /path` lines name no project; pip freeze's comment just above them does: "(name==version)". */
function nameEditables(freezeText: string, wanted: Wanted[]): void {
  const names = new Map<string, string>();
  let comment = "";
  for (const raw of freezeText.split("\n")) {
    const line = raw.trim();
    const named = /\(([A-Za-z0-9][A-Za-z0-9._-]*)===?[^()\s]+\)$/.exec(comment);
    if (line.startsWith("-e") && named) names.set(line.replace(/^-e\s+/, "-e "), named[1]!);
    comment = line.startsWith("#") ? line : "";
  }
  for (const w of wanted) {
    const name = w.key ? undefined : names.get(w.line);
    if (name) Object.assign(w, { key: canonicalName(name), name });
  }
}

/**
 * The goal that is the venv as it is now, each package's build included (what a fresh venv
 * holds, for clean; what a repair or rebuild keeps): the store serves that build, not another of
 * its version.
 */
export function goalFromDists(dists: Dist[], pythonVersion: string): Goal {
  const goal = goalFromLines(
    freeze(dists, { pythonVersion, all: true })
      .split("\n")
      .filter((l) => l && !l.startsWith("#")),
  );
  const byKey = new Map(dists.map((d) => [d.key, d]));
  for (const w of goal.wanted) {
    const build = byKey.get(w.key)?.build;
    if (build) w.build = build;
  }
  return goal;
}

/**
 * The goal that is exactly this set, REQUESTED marks included (what a repair or rebuild must
 * keep). A package without the marker is left unsaid, not "not explicit": the transaction then
 * keeps what the history says (explicit.ts).
 */
export function goalKeeping(dists: Dist[], pythonVersion: string): Goal {
  const goal = goalFromDists(dists, pythonVersion);
  const byKey = new Map(dists.map((d) => [d.key, d]));
  for (const w of goal.wanted) w.requested = byKey.get(w.key)?.requested ? true : undefined;
  return goal;
}

export function currentLine(dist: Dist): string {
  return (
    freezeLinesOf(dist)
      .filter((l) => !l.startsWith("#"))
      .at(-1) ?? ""
  );
}

/** Whether `dist` is what `w` asks for; `builds`: a wanted build must be that build too. */
export function satisfies(dist: Dist, w: Wanted, builds = true): boolean {
  if (builds && w.build && dist.build && dist.build !== w.build) return false;
  if (w.direct) return currentLine(dist) === w.line;
  return (
    !dist.directUrl &&
    (dist.version === w.version ||
      (dist.pep440 &&
        w.pep440 &&
        (w.exact ? compareVersions(dist.version, w.version!) === 0 : pinAccepts(w.version!, dist.version))))
  );
}

/** What plain `pip freeze` hides; left alone by a goal that does not name pip. */
const INFRASTRUCTURE = new Set(["pip", "setuptools", "wheel", "distribute", "pkg-resources"]);

/** Dists of `installed` that a goal speaks about. */
export function governed(installed: Dist[], goal: Goal): Dist[] {
  return installed.filter((d) => !NEVER_LISTED.has(d.key) && (goal.complete || !INFRASTRUCTURE.has(d.key)));
}

/** `builds`: another build of a wanted version is replaced (false: the version alone counts). */
export function planChange(installed: Dist[], goal: Goal, builds = true): Plan {
  const plan: Plan = { remove: [], install: [], replace: [], mark: [], unchanged: 0 };
  const byKey = new Map(goal.wanted.filter((w) => w.key).map((w) => [w.key, w]));
  const matched = new Set<Wanted>();
  for (const dist of governed(installed, goal)) {
    const want = byKey.get(dist.key) ?? goal.wanted.find((w) => !w.key && currentLine(dist) === w.line);
    if (!want) {
      plan.remove.push(dist);
      continue;
    }
    matched.add(want);
    if (!satisfies(dist, want, builds)) plan.replace.push({ from: dist, to: want });
    else {
      plan.unchanged++;
      if (want.requested !== undefined && want.requested !== dist.requested)
        plan.mark.push({ dist, requested: want.requested });
    }
  }
  plan.install = goal.wanted.filter((w) => !matched.has(w));
  return plan;
}

export function isEmptyPlan(plan: Plan): boolean {
  const files = (plan.files?.remove.length ?? 0) + (plan.files?.restore.length ?? 0);
  return plan.remove.length + plan.install.length + plan.replace.length + plan.mark.length + files === 0;
}

function shownVersion(w: Wanted): string {
  return w.version ?? w.line.replace(/^-e\s+/, "").replace(/^[^@]*@\s*/, "");
}

/** The plan in history's terms, for the diff renderer. */
export function planChanges(plan: Plan): Changes {
  return {
    added: plan.install.map((w) => `${w.name || w.line}==${shownVersion(w)}`),
    removed: plan.remove.map((d) => `${d.name}==${d.version}`),
    modified: plan.replace.map((r) => ({ name: r.from.name, from: r.from.version, to: shownVersion(r.to) })),
  };
}

/**
 * Differences between what a venv holds and its goal; empty when it is there. Builds are not
 * compared: the store serves only the build asked for, and pip's is accepted when it is gone.
 */
export function mismatches(installed: Dist[], goal: Goal): string[] {
  const plan = planChange(installed, goal, false);
  return [
    ...plan.remove.map((d) => `${d.name} ${d.version} should not be there`),
    ...plan.install.map((w) => `${w.line} is missing`),
    ...plan.replace.map((r) => `${r.from.name} is ${currentLine(r.from)}, not ${r.to.line}`),
  ];
}
