/**
 * Repairs that change a venv, each with the least force and each a transaction (staging,
 * verify, swap, record): relinking bin/python when only the venv's links broke, ensurepip when
 * only pip is gone, rebuilding in place (rebuild.ts) when the base interpreter is gone. Each
 * goal keeps every package: a repair never shrinks the package set.
 */
import { existsSync, lstatSync, rmSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../base/config.ts";
import { PyctlError } from "../base/errors.ts";
import { relocateVenvText } from "../base/fstree.ts";
import { rehashVenvScripts } from "../python/record.ts";
import type { Dist } from "../packages/inventory.ts";
import { probeInterpreter } from "../python/interpreter.ts";
import type { Target } from "../recording/target.ts";
import { goalKeeping, mismatches } from "../transaction/plan.ts";
import { venvWorks } from "../transaction/venv-runs.ts";
import { runTransaction, type TransactionEvents, type TransactionSpec } from "../transaction/transaction.ts";

/** The names `python -m venv` links in bin/ for a Python X.Y venv. */
export const pythonLinks = (version: string) => ["python", "python3", `python${version}`];

/** A bin/ link that is missing, or points at nothing. */
function brokenLink(path: string): boolean {
  try {
    lstatSync(path);
  } catch {
    return true;
  }
  try {
    statSync(path);
    return false;
  } catch {
    return true;
  }
}

export function brokenPythonLinks(venv: string, version: string): string[] {
  return pythonLinks(version).filter((name) => brokenLink(join(venv, "bin", name)));
}

/** The base interpreter pyvenv.cfg names, if it is there and still runs Python X.Y. */
export function healthyBase(t: Target): string | undefined {
  const cfg = t.env.cfg();
  const candidates = [cfg?.executable, cfg?.home ? join(cfg.home, `python${t.version}`) : undefined];
  for (const path of candidates) {
    if (!path || !existsSync(path)) continue;
    try {
      if (probeInterpreter(path).version === t.version) return path;
    } catch {
      /* does not run */
    }
  }
  return undefined;
}

/** The minor version the base interpreter now runs, when it runs another one (a replaced python3.X). */
export function baseRunsOther(t: Target): { path: string; version: string } | undefined {
  const cfg = t.env.cfg();
  for (const path of [cfg?.executable, cfg?.home ? join(cfg.home, "python3") : undefined]) {
    if (!path || !existsSync(path)) continue;
    try {
      const found = probeInterpreter(path);
      if (found.version !== t.version) return { path, version: found.version };
    } catch {
      /* does not run */
    }
  }
  return undefined;
}

/** Recreate the broken links: pythonX.Y names the base interpreter, the others name pythonX.Y (as venv makes them). */
function relinkPythons(venv: string, version: string, base: string): void {
  const versioned = `python${version}`;
  const broken = brokenPythonLinks(venv, version).sort((a, b) => Number(b === versioned) - Number(a === versioned));
  for (const name of broken) {
    const path = join(venv, "bin", name);
    rmSync(path, { force: true });
    const healthy = !brokenLink(join(venv, "bin", versioned)) && name !== versioned;
    symlinkSync(healthy ? versioned : base, path);
  }
}

/** The same package set, REQUESTED marks and all: the goal of a repair. */
const sameSet = (t: Target, installed: Dist[]) => goalKeeping(installed, t.version);

function runsIn(t: Target): string[] {
  return venvWorks(t.env.at(t.staging)) ? [] : [`the repaired venv's python does not run Python ${t.version}`];
}

/** Every package of `installed` still there at its version (pip itself may change). */
function keptAll(staged: Dist[], installed: Dist[], except: string): string[] {
  const now = new Map(staged.map((d) => [d.key, d.version]));
  return installed
    .filter((d) => d.key !== except && now.get(d.key) !== d.version)
    .map((d) => `${d.name}==${d.version} is missing`);
}

async function repairTransaction(
  t: Target,
  config: Config,
  spec: TransactionSpec,
  events: TransactionEvents,
): Promise<number> {
  const result = await runTransaction(t, config, spec, events);
  if (result.error)
    throw new PyctlError(`${result.error.message}; ${t.venv} is unchanged (recorded as #${result.entry.id})`);
  if (result.interrupted && !result.committed)
    throw new PyctlError(`interrupted; ${t.venv} is unchanged (recorded as #${result.entry.id})`);
  return result.entry.id;
}

/** bin/python, python3 or pythonX.Y missing or dangling while the base interpreter is fine: relink them. */
export async function relinkVenv(t: Target, config: Config, events: TransactionEvents = {}): Promise<string> {
  const base = healthyBase(t);
  if (!base)
    throw new PyctlError(`the base interpreter of ${t.venv} does not run Python ${t.version}; relinking cannot help`);
  const broken = brokenPythonLinks(t.venv, t.version);
  const id = await repairTransaction(
    t,
    config,
    {
      kind: "doctor",
      command: "pyctl doctor --fix (relink bin/python)",
      goal: (installed) => sameSet(t, installed),
      prepare: (staging) => void relinkPythons(staging, t.version, base),
      check: (staged, installed) => [...mismatches(staged, sameSet(t, installed)), ...runsIn(t)],
    },
    events,
  );
  const shown = broken.map((name) => `bin/${name}`).join(", ");
  return `relinked ${shown} in ${t.venv} to ${base}; every package kept (recorded as #${id})`;
}

/** pip gone from a venv that runs: ensurepip in staging (offline, its bundled wheel). */
export async function ensurepipVenv(t: Target, config: Config, events: TransactionEvents = {}): Promise<string> {
  const id = await repairTransaction(
    t,
    config,
    {
      kind: "doctor",
      command: "pyctl doctor --fix (ensurepip)",
      goal: () => undefined,
      prepare: (staging) => {
        const venv = t.env.at(staging);
        const run = venv.ensurePip();
        if (run.status !== 0)
          throw new PyctlError(
            `ensurepip failed (exit ${run.status}): ${(run.stderr || run.stdout).trim().split("\n").at(-1)}`,
          );
        if (!existsSync(venv.pip)) throw new PyctlError(`ensurepip did not put back ${t.env.pip}`);
        relocateVenvText(staging, staging, t.venv);
        rehashVenvScripts(staging, venv.sitePackages);
        return undefined;
      },
      check: (staged, installed) => [
        ...keptAll(staged, installed, "pip"),
        ...(staged.some((d) => d.key === "pip") ? [] : ["pip is missing"]),
        ...runsIn(t),
      ],
    },
    events,
  );
  return `reinstalled pip in ${t.venv} (recorded as #${id})`;
}
