/**
 * `pyctl adopt`: what `pip install --user` (or another venv, or `pip install --target`) left,
 * moved into a pyctl venv offline, as one recorded transaction. The adopted distributions are
 * first put in the venv's store as entries already relocated to the venv's layout (scripts'
 * shebangs name the venv's python, RECORD rewritten), then the transaction's goal is the
 * installed set plus them, so staging links them in like any stored version.
 *
 * Afterwards their files leave the source; what leaves is kept first, as hardlinks, in
 *   pyXY/adopted/<history id>/manifest.json   { root, files: [rel], dirs: [[rel, mode]] }
 *   pyXY/adopted/<history id>/files/<rel>
 * so that undoing that history entry puts every file back exactly (restoreAdopted).
 * planAdoptions is the read-only plan of the command, runAdopt its apply.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import type { Config } from "../base/config.ts";
import { linkFile, linkOrCopy } from "../base/fstree.ts";
import type { Dist } from "../packages/inventory.ts";
import { venvPython } from "../python/venv.ts";
import { sweepAdopted } from "../recording/retention.ts";
import { entryDir, entryIsComplete, readManifest, storeBuilt } from "../recording/store.ts";
import { inventoryOf, pythonVersionOf, type Target } from "../recording/target.ts";
import { requiresDist } from "../packages/dependencies.ts";
import {
  markerEnvironment,
  parseRequirement,
  requirementApplies,
  versionSatisfies,
  type Requirement,
} from "../packages/requirements.ts";
import {
  adoptableInUserSites,
  examineSource,
  sourceAt,
  userSite,
  userSiteSource,
  userSiteVersions,
  type AdoptSource,
  type Candidate,
} from "../packages/adopt-source.ts";
import { PyctlError } from "../base/errors.ts";
import type { Layout } from "../base/paths.ts";
import { versionsOf } from "../doctor/doctor.ts";
import { isVenv } from "../python/venv.ts";
import { resolveVersion, targetFor } from "../recording/target.ts";
import { currentLine, goalFromDists, parseWanted, type Goal } from "../transaction/plan.ts";
import { runTransaction, type TransactionEvents, type TransactionResult } from "../transaction/transaction.ts";
import { tempSibling } from "../base/atomic.ts";

export interface Conflict {
  candidate: Candidate;
  /** The venv's own version, which stays. */
  installed: Dist;
}

export interface AdoptPlan {
  source: AdoptSource;
  target: Target;
  /** New to the venv: they move in. */
  move: Candidate[];
  /** The venv holds the same version: only removed from the source. */
  same: Candidate[];
  /** The venv holds another version: the venv's stays, the source's is removed. */
  conflicts: Conflict[];
  /** Cannot move (candidate.reason): left where they are. */
  stay: Candidate[];
}

function planAdopt(source: AdoptSource, target: Target, candidates: Candidate[]): AdoptPlan {
  const installed = new Map(inventoryOf(target).map((d) => [d.key, d]));
  const plan: AdoptPlan = { source, target, move: [], same: [], conflicts: [], stay: [] };
  for (const c of candidates) {
    const there = installed.get(c.dist.key);
    if (c.reason) plan.stay.push(c);
    else if (!there) plan.move.push(c);
    else if (currentLine(there) === currentLine(c.dist)) plan.same.push(c);
    else plan.conflicts.push({ candidate: c, installed: there });
  }
  return plan;
}

/** What leaves the source: everything but what cannot move. */
export function leaving(plan: AdoptPlan): Candidate[] {
  return [...plan.move, ...plan.same, ...plan.conflicts.map((c) => c.candidate)];
}

/**
 * What the moved packages need that the venv will not have after adopt: "beta 1.0 needs
 * alpha>=1.0, the venv has 0.5" or "..., which is not there". Said before asking; not a refusal.
 */
export function unmetNeeds(plan: AdoptPlan): string[] {
  const after = new Map(inventoryOf(plan.target).map((d) => [d.key, d]));
  for (const c of plan.move) after.set(c.dist.key, c.dist);
  const env = markerEnvironment(pythonVersionOf(plan.target));
  const notes: string[] = [];
  for (const c of plan.move) {
    for (const text of requiresDist(c.dist)) {
      let req: Requirement;
      try {
        req = parseRequirement(text);
      } catch {
        continue;
      }
      if (!requirementApplies(req, env)) continue;
      const there = after.get(req.key);
      if (there && versionSatisfies(req, there.version)) continue;
      const need = `${req.name}${req.specifier}`;
      notes.push(
        `${c.dist.name} ${c.dist.version} needs ${need}, ${there ? `the venv has ${there.version}` : "which is not there"}`,
      );
    }
  }
  return notes;
}

function recordDigest(text: string): string {
  const hash = createHash("sha256").update(text).digest("base64url");
  return `sha256=${hash},${Buffer.byteLength(text)}`;
}

/** A console script pointed at `python`; undefined when it is not a Python script. */
export function rewriteScript(text: string, python: string): string | undefined {
  const lines = text.split("\n");
  if (/^#!.*python[\d.]*\s*$/.test(lines[0] ?? "")) return [`#!${python}`, ...lines.slice(1)].join("\n");
  if (/^#!\/bin\/sh\s*$/.test(lines[0] ?? "") && /^'''exec' /.test(lines[1] ?? "")) {
    return [lines[0], `'''exec' "${python}" "$0" "$@"`, ...lines.slice(2)].join("\n");
  }
  return undefined;
}

function csvPath(path: string): string {
  return /[",\n]/.test(path) ? `"${path.replace(/"/g, '""')}"` : path;
}

/** Put one candidate in the store, relocated to the venv's layout. */
function storeCandidate(target: Target, c: Candidate): void {
  const siteRel = relative(target.venv, target.sitePackages);
  const distInfo = join(siteRel, basename(c.dist.metadataPath));
  const python = venvPython(target.venv);
  const files = [...c.files.map((f) => f.to), join(distInfo, "RECORD")];
  const stored = readManifest(target.storeDir, c.dist.name, c.dist.version);
  if (stored && !entryIsComplete(target.storeDir, stored))
    rmSync(entryDir(target.storeDir, c.dist.name, c.dist.version), { recursive: true, force: true });
  storeBuilt(target.storeDir, { name: c.dist.name, version: c.dist.version, venv: target.venv, files }, (dir) => {
    const record: string[] = [];
    for (const f of c.files) {
      const dst = join(dir, f.to);
      let digest = f.digest;
      const script =
        f.to.startsWith("bin/") && !lstatSync(f.from).isSymbolicLink()
          ? rewriteScript(readFileSync(f.from, "utf8"), python)
          : undefined;
      if (script !== undefined) {
        mkdirSync(dirname(dst), { recursive: true });
        writeFileAtomic(dst, script, statSync(f.from).mode & 0o7777);
        digest = recordDigest(script);
      } else linkFile(f.from, dst);
      record.push(`${csvPath(relative(siteRel, f.to))},${digest}`);
    }
    record.push(`${csvPath(join(basename(c.dist.metadataPath), "RECORD"))},,`);
    writeFileAtomic(join(dir, distInfo, "RECORD"), `${record.join("\n")}\n`);
  });
}

/** The installed set plus the adopted distributions, their REQUESTED markers as they were. */
function adoptGoal(installed: Dist[], plan: AdoptPlan): Goal {
  const goal = goalFromDists(installed, plan.target.version);
  const asked = new Set(plan.same.filter((c) => c.dist.requested).map((c) => c.dist.key));
  for (const w of goal.wanted) if (asked.has(w.key)) w.requested = true;
  for (const c of plan.move) goal.wanted.push({ ...parseWanted(currentLine(c.dist)), requested: c.dist.requested });
  return goal;
}

export interface AdoptResult extends TransactionResult {
  /** Files taken away from the source (0 with keep). */
  removed: number;
}

/** Move the plan's distributions into the venv (one recorded transaction), then clear the source unless `keep`. */
export async function runAdopt(
  plan: AdoptPlan,
  config: Config,
  command: string,
  keep: boolean,
  events: TransactionEvents = {},
): Promise<AdoptResult> {
  const { target } = plan;
  const result = await runTransaction(
    target,
    config,
    {
      kind: "adopt",
      command,
      beforeStaging: () => {
        for (const c of plan.move) storeCandidate(target, c);
      },
      goal: (installed) => adoptGoal(installed, plan),
    },
    events,
  );
  if (result.error || result.interrupted || keep) return { ...result, removed: 0 };
  return { ...result, removed: takeAway(plan, result.entry.id) };
}

interface Kept {
  root: string;
  files: string[];
  dirs: [string, number][];
}

function keptDir(target: Target, id: number): string {
  return join(target.layout.adoptedDir(target.version), String(id));
}

/** Keep what leaves the source under pyXY/adopted/<id>, then remove it. Returns the file count. */
function takeAway(plan: AdoptPlan, id: number): number {
  sweepAdopted(plan.target);
  const { root } = plan.source;
  const staying = new Set(plan.stay.flatMap((c) => c.owned));
  const files = [...new Set(leaving(plan).flatMap((c) => c.owned))].filter(
    (f) => !staying.has(f) && lstatSync(f, { throwIfNoEntry: false }),
  );
  if (files.length === 0) return 0;
  const dirs = new Map<string, number>();
  for (const file of files) {
    for (let d = dirname(file); d !== root && d.startsWith(`${root}/`); d = dirname(d)) {
      if (!dirs.has(d)) dirs.set(d, statSync(d).mode & 0o7777);
    }
  }
  const final = keptDir(plan.target, id);
  const temp = tempSibling(final);
  rmSync(temp, { recursive: true, force: true });
  for (const file of files) linkFile(file, join(temp, "files", relative(root, file)));
  const kept: Kept = {
    root,
    files: files.map((f) => relative(root, f)),
    dirs: [...dirs].map(([d, mode]) => [relative(root, d), mode]),
  };
  writeFileAtomic(join(temp, "manifest.json"), `${JSON.stringify(kept)}\n`);
  rmSync(final, { recursive: true, force: true });
  renameSync(temp, final);
  for (const file of files) unlinkSync(file);
  const stop = new Set([root, join(root, "bin"), ...(plan.source.kind === "user-site" ? [] : [plan.source.site])]);
  for (const dir of [...dirs.keys()].sort().reverse()) {
    if (stop.has(dir)) continue;
    try {
      rmdirSync(dir);
    } catch {
      /* not empty: something else lives there */
    }
  }
  return files.length;
}

export interface Restored {
  root: string;
  files: number;
  /** Paths that exist again with other content: left as they are. */
  skipped: string[];
}

/** Put back what adopt #id took away (undo of that entry); undefined when it took nothing. */
export function restoreAdopted(target: Target, id: number): Restored | undefined {
  const dir = keptDir(target, id);
  let kept: Kept;
  try {
    kept = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Kept;
  } catch {
    return undefined;
  }
  for (const [rel, mode] of [...kept.dirs].sort((a, b) => a[0].length - b[0].length)) {
    const path = join(kept.root, rel);
    if (existsSync(path)) continue;
    mkdirSync(path);
    chmodSync(path, mode);
  }
  const restored: Restored = { root: kept.root, files: 0, skipped: [] };
  for (const rel of kept.files) {
    const src = join(dir, "files", rel);
    const dst = join(kept.root, rel);
    if (lstatSync(dst, { throwIfNoEntry: false })) {
      if (statSync(dst, { throwIfNoEntry: false })?.ino !== statSync(src, { throwIfNoEntry: false })?.ino)
        restored.skipped.push(dst);
      continue;
    }
    mkdirSync(dirname(dst), { recursive: true });
    if (lstatSync(src).isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else linkOrCopy(src, dst);
    restored.files++;
  }
  rmSync(dir, { recursive: true, force: true });
  return restored;
}

/** A user site holding packages for a Python that has no pyctl venv: nothing can adopt them yet. */
export interface StraySite {
  site: string;
  version: string;
  count: number;
}

export interface AdoptPlans {
  /** One per source and venv, those with nothing in them left out. */
  plans: AdoptPlan[];
  strays: StraySite[];
}

function existingVenv(layout: Layout, version: string): Target {
  const target = targetFor(layout, version);
  if (!isVenv(target.venv)) {
    throw new PyctlError(`no pyctl venv for Python ${version} to adopt into (${target.venv})`, {
      hint: `run \`pyctl init --python ${version}\` first`,
    });
  }
  return target;
}

function venvVersions(layout: Layout): string[] {
  return versionsOf(layout).filter((v) => isVenv(targetFor(layout, v).venv));
}

/**
 * The read-only half of `pyctl adopt [PATH]`: PATH (a venv or a --target folder) into the venv of
 * its Python, or every user site into the venv of its version (`python` picks one).
 */
export function planAdoptions(layout: Layout, config: Config, path?: string, python?: string): AdoptPlans {
  const nonEmpty = (plans: AdoptPlan[]) =>
    plans.filter((p) => p.move.length + p.same.length + p.conflicts.length + p.stay.length > 0);
  if (path !== undefined) {
    const source = sourceAt(path, layout.home);
    const version = python ? resolveVersion(config, python) : (source.version ?? resolveVersion(config));
    const target = existingVenv(layout, version);
    return { plans: nonEmpty([planAdopt(source, target, examineSource(source, target.version))]), strays: [] };
  }
  const versions = python ? [resolveVersion(config, python)] : venvVersions(layout);
  if (versions.length === 0)
    throw new PyctlError("no pyctl venv to adopt into yet", { hint: "run `pyctl init` first" });
  const strays = (python ? [] : userSiteVersions().filter((u) => !versions.includes(u)))
    .map((v) => ({ site: userSite(v), version: v, count: examineSource(userSiteSource(v), v).length }))
    .filter((s) => s.count > 0);
  const plans = versions.map((v) => {
    const source = userSiteSource(v);
    return planAdopt(source, existingVenv(layout, v), examineSource(source, v));
  });
  return { plans: nonEmpty(plans), strays };
}

/** What `pip install --user` left in the user sites of the Pythons that have a pyctl venv. */
export function adoptableDists(layout: Layout): Dist[] {
  return adoptableInUserSites(venvVersions(layout));
}
