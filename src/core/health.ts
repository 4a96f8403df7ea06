/**
 * `pyctl doctor`'s checks, as data. Each check is { id, ok, message, fix?, repair? }: `fix` says
 * in words what the user can do; `repair` is what `doctor --fix` can do safely by itself
 * (repair.ts carries it out). Checks never change anything.
 *
 * Tier-wide checks live here; per-venv ones in health-venv.ts, shell ones in health-shell.ts.
 */
import { existsSync, lstatSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { configString, type Config } from "./config.ts";
import { listSnapshotNames, readSnapshot } from "./snapshots.ts";
import { userHome, versionsIn, type Layout } from "./paths.ts";
import { venvChecks } from "./health-venv.ts";
import { shellChecks } from "./health-shell.ts";

export type Repair =
  | { kind: "rebuild"; version: string }
  | { kind: "ensurepip"; version: string }
  | { kind: "remove"; paths: string[] }
  | { kind: "recover-staging"; version: string }
  | { kind: "finish-entries"; version: string; ids: number[] }
  | { kind: "rc-block"; rcFile: string; system: boolean }
  | { kind: "permissions"; paths: string[] };

export interface Check {
  /** Stable id, e.g. "config", "interpreter:3.11". */
  id: string;
  ok: boolean;
  message: string;
  fix?: string;
  repair?: Repair;
}

export function pass(id: string, message: string): Check {
  return { id, ok: true, message };
}

export function problem(id: string, message: string, fix?: string, repair?: Repair): Check {
  return { id, ok: false, message, ...(fix ? { fix } : {}), ...(repair ? { repair } : {}) };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

export function versionsOf(layout: Layout): string[] {
  try {
    return versionsIn(readdirSync(layout.home));
  } catch {
    return [];
  }
}

function configCheck(layout: Layout, configError: Error | undefined): Check {
  if (configError) return problem("config", configError.message, `fix or delete ${layout.configFile}; \`pyctl config\` writes a fresh one`);
  return existsSync(layout.configFile) ? pass("config", `${layout.configFile} is valid`) : problem("config", `${layout.configFile} does not exist`, "run `pyctl init`");
}

function snapshotsCheck(layout: Layout): Check {
  const bad: string[] = [];
  for (const name of listSnapshotNames(layout.snapshotsDir)) {
    try {
      readSnapshot(layout.snapshotsDir, name);
    } catch (err) {
      bad.push((err as Error).message);
    }
  }
  if (bad.length) return problem("snapshots", `unreadable snapshots: ${bad.join("; ")}`, `fix or delete them (\`pyctl delete-snapshot NAME\`)`);
  return pass("snapshots", "every snapshot is readable");
}

/** Temp files (`.NAME.PID.N.tmp`, `NAME.PID.tmp`) left by a pyctl that died before renaming them. */
function staleTempFiles(layout: Layout): string[] {
  const dirs = [layout.home, layout.snapshotsDir, layout.seedsDir];
  for (const v of versionsOf(layout)) {
    dirs.push(layout.versionDir(v), layout.historyDir(v));
    try {
      dirs.push(...readdirSync(layout.storeDir(v)).map((name) => join(layout.storeDir(v), name)));
    } catch { /* no store yet */ }
  }
  const stale: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /\.(\d+)(?:\.\d+)?\.tmp$/.exec(name);
      if (m && !isAlive(Number(m[1]))) stale.push(join(dir, name));
    }
  }
  return stale;
}

function tempFilesCheck(layout: Layout): Check {
  const stale = staleTempFiles(layout);
  if (stale.length === 0) return pass("temp-files", "no temporary files left behind");
  return problem("temp-files", `${stale.length} temporary file(s) left by an interrupted pyctl: ${stale.join(", ")}`, "delete them", { kind: "remove", paths: stale });
}

function onPath(dir: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).includes(dir);
}

function pyctlOnPathCheck(): Check {
  const localBin = join(userHome(), ".local", "bin");
  if (existsSync(join(localBin, "pyctl")) && !onPath(localBin)) {
    return problem("pyctl-on-path", `${localBin} (where pyctl is installed) is not on PATH`, `add it, e.g. in ~/.profile: export PATH="$HOME/.local/bin:$PATH"`);
  }
  const found = Bun.which("pyctl");
  return found ? pass("pyctl-on-path", `pyctl on PATH: ${found}`) : problem("pyctl-on-path", "pyctl is not on PATH", "run ./install.sh, or add the folder holding pyctl to PATH");
}

/** Files and folders under `root` that someone other than root owns or can write. */
export function looseModes(root: string): string[] {
  const loose: string[] = [];
  const visit = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) loose.push(path);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  if (existsSync(root)) visit(root);
  return loose;
}

function systemModesCheck(layout: Layout): Check {
  const loose = looseModes(layout.home);
  if (loose.length === 0) return pass("system-permissions", `${layout.home} is owned by root and writable by nobody else`);
  const shown = loose.slice(0, 5).join(", ") + (loose.length > 5 ? `, … (${loose.length} in all)` : "");
  return problem("system-permissions", `the system tier is writable by users other than root: ${shown}`, `chown -R root:root ${layout.home} && chmod -R go-w ${layout.home}`, { kind: "permissions", paths: loose });
}

export interface HealthInput {
  layout: Layout;
  config: Config;
  /** Why config.toml could not be loaded (defaults are used instead). */
  configError?: Error;
}

export function runChecks(input: HealthInput): Check[] {
  const { layout, config } = input;
  const checks = [configCheck(layout, input.configError), snapshotsCheck(layout), tempFilesCheck(layout), pyctlOnPathCheck()];
  checks.push(...shellChecks(layout, configString(config, "python.default")));
  for (const version of versionsOf(layout)) checks.push(...venvChecks(layout, version));
  if (layout.tier === "system") checks.push(systemModesCheck(layout));
  return checks;
}

