/**
 * What makes old `pip install --user` leftovers win over a pyctl venv: a console script of the
 * venv that resolves to another file on PATH (which file wins, and which PATH entry comes
 * before which), and packages in the user site of each managed version, which every Python
 * program run as this user imports, Debian's own included.
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Layout } from "../base/paths.ts";
import { readInventory } from "../packages/inventory.ts";
import { recordedFiles } from "../recording/store.ts";
import { targetFor } from "../recording/target.ts";
import { examineSource, userBase, userSite, userSiteSource } from "../packages/adopt-source.ts";
import { pass, problem, type Check } from "./check.ts";

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

export interface Shadow {
  name: string;
  /** The file PATH resolves the name to. */
  winner: string;
  /** The PATH entry holding it, and its position (1-based). */
  dir: string;
  at: number;
  /** The venv's bin position on PATH (1-based). */
  ours: number;
}

/** The venv's console scripts (bin/ files its distributions' RECORDs name) that PATH resolves elsewhere. */
export function shadowedScripts(venv: string, sitePackages: string, path: string[]): Shadow[] {
  const bin = join(venv, "bin");
  const ours = path.indexOf(bin) + 1;
  const names = new Set<string>();
  for (const dist of readInventory(sitePackages)) {
    for (const rel of recordedFiles(dist, venv) ?? []) if (/^bin\/[^/]+$/.test(rel)) names.add(rel.slice(4));
  }
  const shadows: Shadow[] = [];
  for (const name of [...names].sort()) {
    const at = path.findIndex((dir) => dir && executable(join(dir, name)));
    if (at < 0 || sameFile(join(path[at]!, name), join(bin, name))) continue;
    shadows.push({ name, winner: join(path[at]!, name), dir: path[at]!, at: at + 1, ours });
  }
  return shadows;
}

function describe(s: Shadow, bin: string): string {
  const why =
    s.ours === 0 ? `${bin} is not on PATH` : `PATH entry ${s.at} (${s.dir}) comes before entry ${s.ours} (${bin})`;
  return `${s.name} runs ${s.winner}, not the venv's: ${why}`;
}

/** Only a venv whose bin is on PATH is judged: the hook puts the default version's there, not the others'. */
function scriptsCheck(layout: Layout, version: string, path: string[]): Check | undefined {
  const target = targetFor(layout, version);
  const bin = join(target.venv, "bin");
  if (!path.includes(bin)) return undefined;
  const id = `shadowing:${version}`;
  const shadows = shadowedScripts(target.venv, target.sitePackages, path);
  if (shadows.length === 0) return pass(id, `every console script of ${target.venv} is the one PATH finds`);
  const leftovers = new Set(
    existsSync(userSite(version)) ? examineSource(userSiteSource(version), version).flatMap((c) => c.owned) : [],
  );
  const fixes: string[] = [];
  if (shadows.some((s) => leftovers.has(s.winner))) {
    fixes.push(
      `\`pyctl adopt\` moves what \`pip install --user\` left into the venv and removes its scripts from ${join(userBase(), "bin")} (undoable)`,
    );
  }
  const others = shadows.filter((s) => !leftovers.has(s.winner)).map((s) => s.winner);
  if (others.length)
    fixes.push(
      `remove ${others.join(", ")} if you no longer need them, or put ${bin} first on PATH (a new shell with the pyctl hook does)`,
    );
  const fix = fixes.join("; ");
  return problem(id, shadows.map((s) => describe(s, bin)).join("; "), fix);
}

function userSiteCheck(layout: Layout, version: string): Check | undefined {
  const site = userSite(version);
  if (!existsSync(site)) return undefined;
  const id = `user-site:${version}`;
  const dists = readInventory(site);
  if (dists.length === 0) return pass(id, `${site} holds no packages`);
  const target = targetFor(layout, version);
  const listed = dists.map((d) => `${d.name} ${d.version}`).join(", ");
  const what = `${site} holds ${dists.length} package(s) from \`pip install --user\` (${listed}); every Python ${version} program you run imports them, the system's own too`;
  if (!target.env.exists())
    return problem(id, what, `\`pyctl init --python ${version}\`, then \`pyctl adopt\` moves them into its venv`);
  const stuck = examineSource(userSiteSource(version), version).filter((c) => c.reason).length;
  const cannot = stuck ? ` (${stuck} cannot move: \`pyctl adopt --dry-run\` says why)` : "";
  return problem(
    id,
    what,
    `\`pyctl adopt\` moves them into ${target.venv} and removes them from the user site${cannot}; \`pyctl undo\` puts them back`,
  );
}

/** Shadowing checks for the given managed versions (`path`: the PATH to resolve scripts on). */
export function shadowingChecks(
  layout: Layout,
  versions: string[],
  path: string[] = (process.env.PATH ?? "").split(delimiter),
): Check[] {
  const checks: Check[] = [];
  for (const version of versions) {
    const scripts = scriptsCheck(layout, version, path);
    if (scripts) checks.push(scripts);
    const site = userSiteCheck(layout, version);
    if (site) checks.push(site);
  }
  return checks;
}
