/**
 * The doctor subsystem: health checks of a tier (config, snapshots, temp files, pyctl on PATH,
 * the system tier's modes) and of each venv (venv-checks.ts), as data (check.ts), and the safe
 * repairs `doctor --fix` makes (operations/doctor-repair.ts). Checks never change anything. Shell checks (hook, rc
 * blocks, PATH order) belong to the shell layer: src/shell/doctor-checks.ts.
 */ import { existsSync, lstatSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { isAlive, pass, problem, type Check, type Repair } from "./check.ts";
import { listSnapshotNames, readSnapshot } from "../recording/snapshots.ts";
import { userHome, versionsIn, type Layout } from "../base/paths.ts";
import { venvChecks } from "./venv-checks.ts";
import { shadowingChecks } from "./shadowing.ts";
import { listDir } from "../base/list-dir.ts";
import { tempOwner } from "../base/atomic.ts";

export function versionsOf(layout: Layout): string[] {
  try {
    return versionsIn(readdirSync(layout.home));
  } catch {
    return [];
  }
}

function configCheck(layout: Layout, configError: Error | undefined): Check {
  if (configError)
    return problem(
      "config",
      configError.message,
      `fix or delete ${layout.configFile}; \`pyctl config\` writes a fresh one`,
    );
  return existsSync(layout.configFile)
    ? pass("config", `${layout.configFile} is valid`)
    : problem("config", `${layout.configFile} does not exist`, "run `pyctl init`");
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
  if (bad.length)
    return problem(
      "snapshots",
      `unreadable snapshots: ${bad.join("; ")}`,
      `fix or delete them (\`pyctl delete-snapshot NAME\`)`,
    );
  return pass("snapshots", "every snapshot is readable");
}

/** Temp files (`.NAME.PID.N.tmp`, `NAME.PID.tmp`) left by a pyctl that died before renaming them. */
function staleTempFiles(layout: Layout): string[] {
  const dirs = [layout.home, layout.snapshotsDir, layout.seedsDir];
  for (const v of versionsOf(layout)) {
    dirs.push(layout.versionDir(v), layout.historyDir(v));
    try {
      dirs.push(...readdirSync(layout.storeDir(v)).map((name) => join(layout.storeDir(v), name)));
    } catch {
      /* no store yet */
    }
  }
  const stale: string[] = [];
  for (const dir of dirs) {
    for (const name of listDir(dir)) {
      const pid = tempOwner(name);
      if (pid !== undefined && !isAlive(pid)) stale.push(join(dir, name));
    }
  }
  return stale;
}

function tempFilesCheck(layout: Layout): Check {
  const stale = staleTempFiles(layout);
  if (stale.length === 0) return pass("temp-files", "no temporary files left behind");
  return problem(
    "temp-files",
    `${stale.length} temporary file(s) left by an interrupted pyctl: ${stale.join(", ")}`,
    "delete them",
    {
      kind: "remove",
      paths: stale,
    },
  );
}

function onPath(dir: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).includes(dir);
}

function pyctlOnPathCheck(): Check {
  const localBin = join(userHome(), ".local", "bin");
  if (existsSync(join(localBin, "pyctl")) && !onPath(localBin)) {
    return problem(
      "pyctl-on-path",
      `${localBin} (where pyctl is installed) is not on PATH`,
      `add it, e.g. in ~/.profile: export PATH="$HOME/.local/bin:$PATH"`,
    );
  }
  const found = Bun.which("pyctl");
  return found
    ? pass("pyctl-on-path", `pyctl on PATH: ${found}`)
    : problem("pyctl-on-path", "pyctl is not on PATH", "run ./install.sh, or add the folder holding pyctl to PATH");
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
  if (loose.length === 0)
    return pass("system-permissions", `${layout.home} is owned by root and writable by nobody else`);
  const shown = loose.slice(0, 5).join(", ") + (loose.length > 5 ? `, … (${loose.length} in all)` : "");
  return problem(
    "system-permissions",
    `the system tier is writable by users other than root: ${shown}`,
    `chown -R root:root ${layout.home} && chmod -R go-w ${layout.home}`,
    { kind: "permissions", paths: loose },
  );
}

export interface HealthInput<R> {
  layout: Layout;
  /** Why config.toml could not be loaded (defaults are used instead). */
  configError?: Error;
  /** Checks made by a higher layer (the shell set-up), listed after the tier-wide ones. */
  more?: Check<R>[];
}

export function runChecks<R = never>(input: HealthInput<R>): Check<Repair | R>[] {
  const { layout } = input;
  const checks: Check<Repair | R>[] = [
    configCheck(layout, input.configError),
    snapshotsCheck(layout),
    tempFilesCheck(layout),
    pyctlOnPathCheck(),
  ];
  checks.push(...(input.more ?? []));
  for (const version of versionsOf(layout)) checks.push(...venvChecks(layout, version));
  checks.push(...shadowingChecks(layout, versionsOf(layout)));
  if (layout.tier === "system") checks.push(systemModesCheck(layout));
  return checks;
}
