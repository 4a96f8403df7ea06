/** Doctor checks for one Python version's venv, its history, lock, staging folder and store. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { problem, pass, isAlive, type Check } from "./check.ts";
import { countChanges } from "../recording/changes.ts";
import { listHistory } from "../recording/history.ts";
import type { Layout } from "../base/paths.ts";
import { canonicalName, compareVersions } from "../packages/pep440.ts";
import { locateInterpreter } from "../python/interpreter.ts";
import { venvWorks } from "../transaction/venv-runs.ts";
import { entryIsComplete, readManifest } from "../recording/store.ts";
import { inventoryOf, targetFor, type Target } from "../recording/target.ts";
import { hasNoRecord, missingFilesCheck, restoreRepair } from "./dist-repairs.ts";
import { baseRunsOther, brokenPythonLinks, healthyBase } from "./venv-repairs.ts";
import { reinstallOver, unownedCheck } from "./unowned-check.ts";
import { storeTrustCheck } from "./store-trust-check.ts";
import { damageCheck } from "./damage-check.ts";
import { leftoversCheck } from "./trash-check.ts";
import { listDir } from "../base/list-dir.ts";

function rebuildHint(version: string): string {
  return locateInterpreter(`python${version}`)
    ? `\`pyctl rebuild --python ${version}\` rebuilds it and reinstalls your packages`
    : `no other Python ${version} is installed: install it again (e.g. \`pyenv install ${version}\`), then run \`pyctl rebuild --python ${version}\``;
}

/**
 * The venv itself and its base interpreter, told apart by cause: links in the venv's bin/ that
 * broke while the base interpreter is fine (relink), a base interpreter that is gone (rebuild),
 * one that now runs another minor version (rebuild --python). Returns whether the venv runs.
 */
function venvState(t: Target, checks: Check[]): boolean {
  const id = (what: string) => `${what}:${t.version}`;
  const canRebuild = locateInterpreter(`python${t.version}`) !== undefined;
  const rebuild = canRebuild ? { kind: "rebuild" as const, version: t.version } : undefined;
  if (!t.env.exists()) {
    const what = existsSync(t.venv) ? `${t.venv} exists but is not a venv (no pyvenv.cfg)` : `${t.venv} is missing`;
    checks.push(problem(id("venv"), what, rebuildHint(t.version), rebuild));
    return false;
  }
  checks.push(pass(id("venv"), `${t.venv} exists`));
  const works = venvWorks(t.env);
  const broken = brokenPythonLinks(t.venv, t.version);
  if (works && broken.length === 0) {
    checks.push(pass(id("interpreter"), `its base interpreter runs Python ${t.version}`));
    return true;
  }
  const cfg = t.env.cfg();
  const made = `the venv was made with Python ${cfg?.version || t.version}`;
  const base = healthyBase(t);
  if (base && broken.length) {
    const links = broken.map((name) => `bin/${name}`).join(", ");
    checks.push(pass(id("interpreter"), `its base interpreter ${base} runs Python ${t.version}`));
    checks.push(
      problem(
        id("venv-links"),
        `${links} in ${t.venv} ${broken.length > 1 ? "are" : "is"} missing or dangling`,
        `relink to ${base} (no rebuild; every package stays)`,
        {
          kind: "relink",
          version: t.version,
        },
      ),
    );
    // pip's scripts run through these links: whether pip works is asked once they are back, or a
    // missing bin/python3 would pass for a broken pip and reinstall it.
    return false;
  }
  if (works) {
    checks.push(pass(id("interpreter"), `its base interpreter runs Python ${t.version}`));
    return true;
  }
  const other = baseRunsOther(t);
  if (other) {
    const move = `\`pyctl rebuild --python ${other.version}\` takes your packages to Python ${other.version}`;
    const fix = canRebuild
      ? `${move}; \`pyctl rebuild --python ${t.version}\` rebuilds it for Python ${t.version}`
      : move;
    checks.push(problem(id("interpreter"), `${other.path} now runs Python ${other.version} (${made})`, fix));
    return false;
  }
  const path = cfg?.executable || (cfg?.home ? join(cfg.home, `python${t.version}`) : "its base interpreter");
  const what = base
    ? `${t.env.python} does not run although ${base} does`
    : existsSync(path)
      ? `${path} no longer runs Python ${t.version}`
      : `${path} is gone`;
  checks.push(problem(id("interpreter"), `${what} (${made})`, rebuildHint(t.version), rebuild));
  return false;
}

function pipChecks(t: Target, checks: Check[]): void {
  const id = `pip:${t.version}`;
  if (!t.env.pipWorks()) {
    const installed = existsSync(join(t.sitePackages, "pip"));
    const what = installed ? `${t.env.pip} does not run` : `pip is missing from ${t.venv}`;
    // ensurepip passes over a pip that is installed, so it cannot bring back bin/pip alone.
    const fix = installed
      ? "`pyctl doctor --fix` reinstalls pip from Python's own copy, offline"
      : `\`${t.env.python} -m ensurepip --default-pip\` puts it back`;
    checks.push(problem(id, what, fix, { kind: "ensurepip", version: t.version }));
    return;
  }
  checks.push(pass(id, "pip is installed and runs"));
  const check = t.env.check();
  if (check.ok) checks.push(pass(`conflicts:${t.version}`, "no dependency conflicts (pip check)"));
  else
    checks.push(
      problem(
        `conflicts:${t.version}`,
        `pip check: ${check.lines.join("; ")}`,
        "install versions that fit (`pyctl list-deps PKG` shows who needs what)",
      ),
    );
}

function distInfoCheck(t: Target): Check | undefined {
  let entries: string[];
  try {
    entries = readdirSync(t.sitePackages).filter((e) => e.endsWith(".dist-info") || e.endsWith(".egg-info"));
  } catch {
    return undefined;
  }
  const byName = new Map<string, string[]>();
  for (const e of entries) {
    const key = canonicalName(e.split("-")[0]!);
    byName.set(key, [...(byName.get(key) ?? []), e]);
  }
  const sets = [...byName.values()].filter((list) => list.length > 1);
  const duplicates = sets.map((list) => list.join(" + "));
  const stale = sets.flatMap(staleOf);
  const recordless = entries.filter((e) => e.endsWith(".dist-info") && !existsSync(join(t.sitePackages, e, "RECORD")));
  const recordlessDists = recordless.length ? inventoryOf(t).filter(hasNoRecord) : [];
  const repair = recordless.length ? restoreRepair(t, recordlessDists) : undefined;
  const found = [
    ...duplicates.map((d) => `duplicate metadata ${d}`),
    ...recordless.map((r) => `${r} has no RECORD (pip cannot uninstall it)`),
  ];
  if (found.length === 0) return pass(`dist-info:${t.version}`, "every installed package has one complete .dist-info");
  // the version the newest folder names, so the reinstall keeps it
  const names = sets.map((list) =>
    list
      .filter((e) => !stale.includes(e))[0]!
      .replace(/\.(dist|egg)-info$/, "")
      .replace("-", "=="),
  );
  const hints = [
    ...(stale.length
      ? [
          `delete ${stale.map((s) => join(t.sitePackages, s)).join(" ")}, then \`pip install --force-reinstall ${names.join(" ")}\``,
        ]
      : []),
    // pip cannot uninstall a RECORD-less package (so not --force-reinstall): it installs over it.
    ...(repair ? ["`pyctl doctor --fix` puts the stored build back (recorded)"] : []),
    ...(recordless.length
      ? [
          `${repair ? "or " : ""}\`${reinstallOver(recordless.map((e) => e.replace(/\.dist-info$/, "").replace("-", "==")))}\` gives them their RECORD`,
        ]
      : []),
  ];
  return problem(`dist-info:${t.version}`, found.join("; "), hints.join("; "), repair);
}

/** Of one project's metadata folders, all but the newest version's: what pip left behind. */
function staleOf(list: string[]): string[] {
  const version = (e: string) => e.replace(/\.(dist|egg)-info$/, "").split("-")[1] ?? "";
  const newest = list.reduce((a, b) => (compareVersions(version(b), version(a)) > 0 ? b : a));
  return list.filter((e) => e !== newest);
}

function historyChecks(t: Target, locked: boolean, checks: Check[]): void {
  const items = listHistory(t.historyDir);
  const corrupt = items.flatMap((i) => i.corrupt);
  if (corrupt.length)
    checks.push(
      problem(
        `history:${t.version}`,
        `unreadable history files: ${corrupt.join(", ")}`,
        "fix or remove them by hand (their ids are never reused)",
      ),
    );
  else checks.push(pass(`history:${t.version}`, `${items.length} recorded operation(s), all readable`));
  const open = locked ? [] : items.filter((i) => i.before && !i.after && i.corrupt.length === 0);
  const unrecorded = open.filter((i) => i.unrecorded);
  if (unrecorded.length) {
    const ended = unrecorded.map(
      (i) =>
        `#${i.id} (${i.before!.command}) ran (exit ${i.unrecorded!.exit_code}${i.unrecorded!.interrupted ? ", interrupted" : ""})`,
    );
    checks.push(
      problem(
        `unrecorded:${t.version}`,
        `operation(s) ${ended.join(", ")} but could not be recorded (the disk was full when its after-state was written)`,
        "record their after-state from the venv as it is now",
        { kind: "finish-entries", version: t.version, ids: unrecorded.map((i) => i.id) },
      ),
    );
  }
  const crashed = open.filter((i) => !i.unrecorded).map((i) => i.id);
  if (crashed.length) {
    checks.push(
      problem(
        `crashed:${t.version}`,
        `operation(s) ${crashed.map((i) => `#${i}`).join(", ")} never finished (pyctl was killed)`,
        "record them as interrupted",
        { kind: "finish-entries", version: t.version, ids: crashed },
      ),
    );
  }
  // Only the last operation matters: any later one means the user has moved on.
  const last = items[0]?.after;
  if (last?.interrupted && countChanges(last.changes) > 0) {
    checks.push(
      problem(
        `interrupted:${t.version}`,
        `the last operation, #${last.id} (${last.command}), was interrupted after changing ${countChanges(last.changes)} package(s)`,
        `\`pyctl diff ${last.id}\` shows what it changed; \`pyctl undo\` reverts it`,
      ),
    );
  }
}

function lockCheck(t: Target, locked: boolean): Check {
  const holder = t.env.lockHolder();
  const id = `lock:${t.version}`;
  if (!locked)
    return pass(
      id,
      holder && !isAlive(holder.pid) ? `free (last taken by pid ${holder.pid}, which has exited)` : "free",
    );
  if (holder && isAlive(holder.pid)) return pass(id, `held by pid ${holder.pid} (${holder.command})`);
  return problem(
    id,
    `held, but not by the pid it names (${holder?.pid ?? "none"}): a process that inherited it, or another pyctl`,
    `see who holds ${t.lockFile} (e.g. \`fuser ${t.lockFile}\`) and end that process if it is stuck`,
  );
}

function storeCheck(t: Target): Check {
  const broken: string[] = [];
  for (const name of listDir(t.storeDir)) {
    for (const version of listDir(join(t.storeDir, name))) {
      if (version.endsWith(".tmp")) continue;
      const manifest = readManifest(t.storeDir, name, version);
      if (!manifest || !entryIsComplete(t.storeDir, manifest)) broken.push(join(t.storeDir, name, version));
    }
  }
  if (broken.length === 0) return pass(`store:${t.version}`, "every stored package is complete");
  return problem(
    `store:${t.version}`,
    `incomplete store entries: ${broken.join(", ")}`,
    "delete them (undo then installs those versions from the index)",
    {
      kind: "remove",
      paths: broken,
    },
  );
}

export function venvChecks(layout: Layout, version: string): Check[] {
  const t = targetFor(layout, version);
  const checks: Check[] = [];
  const locked = t.env.isLocked();
  if (venvState(t, checks)) pipChecks(t, checks);
  if (t.env.exists()) checks.push(unownedCheck(t));
  const distInfo = distInfoCheck(t);
  if (distInfo) checks.push(distInfo);
  if (t.env.exists()) checks.push(damageCheck(t), missingFilesCheck(t));
  historyChecks(t, locked, checks);
  checks.push(lockCheck(t, locked));
  const leftovers = leftoversCheck(t, locked);
  if (leftovers) checks.push(leftovers);
  checks.push(storeCheck(t), storeTrustCheck(t));
  return checks;
}
