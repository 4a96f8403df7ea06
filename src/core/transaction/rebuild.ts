/**
 * Rebuilding a venv for another base interpreter: after the old one was removed, or for a new
 * minor version (3.11 -> 3.12). The new venv is built in the staging folder of its version and
 * the packages the user asked for are reinstalled there by its own pip, from the index, pinned
 * to their old versions where the index still has them. The old venv stays untouched until the
 * new one runs; then the staging folder is renamed into place.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { saveConfig, configString, type Config } from "../base/config.ts";
import { PROTECTED } from "../packages/dependencies.ts";
import { graphOf } from "../recording/explicit.ts";
import { PyctlError } from "../base/errors.ts";
import { relocateVenvText } from "../base/fstree.ts";
import { listHistory } from "../recording/history.ts";
import { editableLocation, readInventory, sitePackagesOf, type Dist } from "../packages/inventory.ts";
import { acquireLock } from "../base/lock.ts";
import { canonicalName } from "../packages/pep440.ts";
import type { Layout } from "../base/paths.ts";
import type { Interpreter } from "../python/interpreter.ts";
import { recordOperation, type RecorderEvents } from "../recording/recorder.ts";
import { requestedInHistory } from "../recording/explicit.ts";
import { exchangeVenv } from "../base/swap.ts";
import { assertWritable, targetFor, type Target } from "../recording/target.ts";
import { createVenv, isVenv, venvPython } from "../python/venv.ts";

/** One package to reinstall: pip arguments pinned to the old version, and a looser fallback. */
export interface Reinstall {
  name: string;
  pinned: string[];
  loose?: string[];
}

export interface RebuildPlan {
  from: Target;
  to: Target;
  python: Interpreter;
  packages: Reinstall[];
  /** Asked-for packages that cannot be reinstalled at all (e.g. an editable whose source is gone). */
  skipped: { name: string; reason: string }[];
  /** The old venv still runs (its base interpreter is there), so it is kept if anything fails. */
  oldWorks: boolean;
}

export interface RebuildResult {
  reinstalled: { name: string; args: string[]; pinned: boolean }[];
  failed: { name: string; reason: string }[];
  switched: boolean;
  interrupted: boolean;
  oldRemoved: boolean;
  defaultMoved: boolean;
  entryId: number;
}

/** Whether a venv's python starts and is the version its folder says. */
export function venvWorks(target: Target): boolean {
  const python = venvPython(target.venv);
  if (!existsSync(python)) return false;
  const run = spawnSync(python, ["-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
  return run.status === 0 && run.stdout.trim() === target.version;
}

function reinstallOf(dist: Dist, extras: Set<string>): Reinstall | { name: string; reason: string } {
  const name = `${dist.name}${extras.size ? `[${[...extras].sort().join(",")}]` : ""}`;
  const d = dist.directUrl;
  const editable = editableLocation(dist);
  if (editable) return existsSync(editable) ? { name: dist.name, pinned: ["-e", editable] } : { name: dist.name, reason: `its source ${editable} is gone` };
  if (d?.vcs_info) return { name: dist.name, pinned: [`${name} @ ${d.vcs_info.vcs}+${d.url}@${d.vcs_info.commit_id}`] };
  if (d && (!d.url.startsWith("file:") || existsSync(decodeURIComponent(new URL(d.url).pathname)))) {
    return { name: dist.name, pinned: [`${name} @ ${d.url}`] };
  }
  return { name: dist.name, pinned: [`${name}${dist.pep440 ? "==" : "==="}${dist.version}`], loose: [name] };
}

/** The packages to reinstall: the old venv's explicit ones, or (its files gone) the last recorded state's. */
export function planRebuild(from: Target, to: Target, python: Interpreter): RebuildPlan {
  const named = requestedInHistory(from.historyDir);
  let dists = readInventory(from.sitePackages);
  let explicit: (d: Dist) => boolean;
  let extrasOf: (d: Dist) => Set<string> = (d) => named.get(d.key) ?? new Set();
  if (dists.length) {
    const graph = graphOf(from, dists);
    explicit = (d) => graph.get(d.key)!.explicit;
    extrasOf = (d) => graph.get(d.key)!.extras;
  } else {
    const last = listHistory(from.historyDir).find((item) => item.after ?? item.before);
    const records = (last?.after ?? last?.before)?.packages ?? [];
    dists = records.map((p) => ({
      name: p.name,
      key: canonicalName(p.name),
      version: p.version,
      pep440: p.pep440 !== false,
      metadataPath: "",
      requested: p.requested === true,
      installer: "pip",
    }));
    explicit = (d) => d.requested || named.has(d.key);
  }
  const packages: Reinstall[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const dist of dists) {
    if (!explicit(dist) || (PROTECTED.has(dist.key) && !named.has(dist.key))) continue;
    const item = reinstallOf(dist, extrasOf(dist));
    if ("reason" in item) skipped.push(item);
    else packages.push(item);
  }
  return { from, to, python, packages, skipped, oldWorks: venvWorks(from) };
}

function pipInstall(venv: string, args: string[]): string | undefined {
  const run = spawnSync(venvPython(venv), ["-m", "pip", "install", "--no-compile", "-q", ...args], {
    encoding: "utf8",
    env: { ...process.env, PIP_REQUIRE_VIRTUALENV: "", PIP_USER: "" },
  });
  if (run.status === 0) return undefined;
  return (
    (run.stderr || run.stdout || `exit ${run.status}`)
      .trim()
      .split("\n")
      .filter((l) => /error/i.test(l))
      .at(-1)
      ?.trim() ?? `pip exited ${run.status}`
  );
}

/** Install everything pinned in one go; if pip refuses, package by package, pinned then loose. */
function reinstall(staging: string, packages: Reinstall[], progress: (m: string) => void): Pick<RebuildResult, "reinstalled" | "failed"> {
  const all = packages.flatMap((p) => p.pinned);
  if (all.length === 0 || pipInstall(staging, all) === undefined) {
    return { reinstalled: packages.map((p) => ({ name: p.name, args: p.pinned, pinned: true })), failed: [] };
  }
  const result: Pick<RebuildResult, "reinstalled" | "failed"> = { reinstalled: [], failed: [] };
  for (const p of packages) {
    progress(`installing ${p.pinned.join(" ")}`);
    const pinnedError = pipInstall(staging, p.pinned);
    if (pinnedError === undefined) {
      result.reinstalled.push({ name: p.name, args: p.pinned, pinned: true });
      continue;
    }
    const looseError = p.loose ? pipInstall(staging, p.loose) : pinnedError;
    if (looseError === undefined) result.reinstalled.push({ name: p.name, args: p.loose!, pinned: false });
    else result.failed.push({ name: p.name, reason: looseError });
  }
  return result;
}

/** Bytecode compiled in staging would name staging paths in tracebacks: compile for the final path. */
function compileFor(staging: string, finalVenv: string, version: string): void {
  spawnSync(venvPython(staging), ["-m", "compileall", "-q", "-d", sitePackagesOf(finalVenv, version), sitePackagesOf(staging, version)], { stdio: "ignore" });
}

/** Put the staging venv in place (one renameat2 exchange when there is an old venv to replace). */
function swapIn(to: Target): void {
  if (existsSync(to.venv)) rmSync(exchangeVenv(to), { recursive: true, force: true });
  else renameSync(to.staging, to.venv);
}

export interface RebuildEvents extends RecorderEvents {
  progress?(message: string): void;
}

/** Carry out a plan, recorded as one "rebuild" operation in the new venv's history. */
export async function rebuild(plan: RebuildPlan, config: Config, configFile: string, events: RebuildEvents = {}): Promise<RebuildResult> {
  const { from, to, python } = plan;
  assertWritable(to);
  const moving = from.version !== to.version;
  if (moving && isVenv(to.venv)) {
    throw new PyctlError(`Python ${to.version} already has a venv (${to.venv})`, {
      hint: `carry the packages over with \`pyctl export --python ${from.version} --output reqs.txt\` and \`pip${to.version} install -r reqs.txt\``,
    });
  }
  const progress = events.progress ?? (() => {});
  const outcome: RebuildResult = { reinstalled: [], failed: [], switched: false, interrupted: false, oldRemoved: false, defaultMoved: false, entryId: 0 };
  const oldLock = moving ? await acquireLock(from.lockFile, "pyctl rebuild", (h) => events.waiting?.(h)) : undefined;
  try {
    const op = { kind: "rebuild" as const, command: `pyctl rebuild --python ${python.path}`, pipArgs: [] };
    let error: string | undefined;
    const recorded = await recordOperation(
      to,
      config,
      op,
      async (guard) => {
        const staging = to.staging;
        try {
          mkdirSync(to.layout.versionDir(to.version), { recursive: true });
          progress(`creating a venv with Python ${python.fullVersion} (${python.path})`);
          createVenv(python, staging, to.layout.seedsDir, to.venv);
          progress(`reinstalling ${plan.packages.length} package(s) from the index`);
          const { reinstalled, failed } = reinstall(staging, plan.packages, progress);
          outcome.reinstalled = reinstalled;
          outcome.failed = [...plan.skipped, ...failed];
          if (!venvWorks({ ...to, venv: staging })) error = `the new venv built with ${python.path} does not run; ${from.venv} is unchanged`;
        } catch (err) {
          error = `${(err as Error).message}; ${from.venv} is unchanged`;
        }
        // Keep the old venv if it still runs and the new one lacks something; always if anything went wrong.
        if (guard.interrupted || error || (plan.oldWorks && outcome.failed.length > 0)) {
          rmSync(staging, { recursive: true, force: true });
          return guard.interrupted ? { exitCode: 130, interrupted: true } : { exitCode: 1, interrupted: false };
        }
        compileFor(staging, to.venv, to.version);
        relocateVenvText(staging, staging, to.venv);
        swapIn(to);
        outcome.switched = true;
        return { exitCode: outcome.failed.length ? 1 : 0, interrupted: false };
      },
      events,
    );
    if (error) throw new PyctlError(`${error} (recorded as #${recorded.entry.id})`);
    outcome.entryId = recorded.entry.id;
    outcome.interrupted = recorded.interrupted;
    if (outcome.switched) finish(plan, config, configFile, outcome);
    return outcome;
  } finally {
    oldLock?.release();
  }
}

/** After the switch: the default follows the venv, and a dead old venv of another version goes. */
function finish(plan: RebuildPlan, config: Config, configFile: string, outcome: RebuildResult): void {
  const { from, to, python } = plan;
  if (configString(config, "python.default") === from.version) {
    outcome.defaultMoved = from.version !== to.version;
    config.set("python.default", to.version);
    config.set("python.interpreter", python.path);
    saveConfig(configFile, config);
  }
  if (from.version !== to.version && !plan.oldWorks && isVenv(from.venv)) {
    rmSync(from.venv, { recursive: true, force: true });
    outcome.oldRemoved = true;
  }
}

/**
 * Which venv a rebuild acts on: `--python X.Y` with a venv of its own rebuilds that venv in
 * place; otherwise the default version's venv moves to the interpreter's version.
 */
export function rebuildTargets(layout: Layout, defaultVersion: string, python: Interpreter): { from: Target; to: Target } {
  const to = targetFor(layout, python.version);
  return { from: existsSync(to.venv) ? to : targetFor(layout, defaultVersion), to };
}
