/**
 * Where a transaction gets the versions it puts in: the local package store (no network), else
 * pip, run inside the staging venv so the live venv never sees a half-finished install.
 */
import { withLockFds } from "../base/lock.ts";
import { join } from "node:path";
import { satisfies, type Plan, type Wanted } from "./plan.ts";
import { sitePackagesRel } from "./staging.ts";
import { entryIsComplete, readManifest, storedDist, storedVersions, type StoreManifest } from "../recording/store.ts";
import type { SignalGuard } from "../recording/signal-guard.ts";
import type { Target } from "../recording/target.ts";

/** The store entry holding a wanted version, or undefined when pip must fetch it. */
export function storedFor(target: Target, w: Wanted): StoreManifest | undefined {
  const versions = w.version ? [w.version] : w.key ? storedVersions(target.storeDir, w.key) : [];
  const site = sitePackagesRel(target.venv, target.sitePackages);
  for (const version of versions) {
    const manifest = readManifest(target.storeDir, w.key, version);
    if (!manifest || !entryIsComplete(target.storeDir, manifest)) continue;
    const dist = storedDist(target.storeDir, manifest, site);
    if (dist && satisfies(dist, w)) return manifest;
  }
  return undefined;
}

/** What the plan puts in, each with its store entry (undefined: pip must download it). */
export function sourcesOf(target: Target, plan: Plan): Map<Wanted, StoreManifest | undefined> {
  const incoming = [...plan.install, ...plan.replace.map((r) => r.to)];
  return new Map(incoming.map((w) => [w, storedFor(target, w)]));
}

export function notStored(sources: Map<Wanted, StoreManifest | undefined>): Wanted[] {
  return [...sources].filter(([, manifest]) => !manifest).map(([w]) => w);
}

/**
 * `pip install --no-deps` the given versions into the venv at `venv` (the staging one); returns
 * pip's exit code. No bytecode: it would name the staging path.
 */
export async function pipInstallInto(venv: string, wanted: Wanted[], guard: SignalGuard): Promise<number> {
  const requirements = wanted.flatMap((w) => (w.line.startsWith("-e ") ? ["-e", w.line.slice(3)] : [w.line]));
  const env: Record<string, string | undefined> = { ...process.env, PIP_REQUIRE_VIRTUALENV: "" };
  delete env.PIP_USER;
  const pip = [join(venv, "bin", "python"), "-m", "pip", "install", "--no-deps", "--no-compile", "--no-warn-script-location", "--disable-pip-version-check"];
  // pip's progress goes to stderr: stdout is the command's own (e.g. `doctor --fix --json`).
  const child = Bun.spawn([...pip, ...requirements], { stdio: withLockFds<"inherit" | number>(["inherit", 2, "inherit"]), env });
  guard.watch(child);
  const code = await child.exited;
  guard.watch(undefined);
  return code;
}
