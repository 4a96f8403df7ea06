/**
 * A venv: its paths, its lock and the one way its pip is run. Every pip pyctl starts goes through
 * a `Venv` (or, before any venv exists, `startInterpreterPip`), which decides the environment
 * (pip.ts: the user's, or pyctl's own), stdio, `bin/pip` or `python -m pip`; child.ts adds the
 * lock descriptors every child inherits. "pip works" is defined here once (`pipWorks`): `bin/pip`
 * exists and runs, since that is what the hook's pip function runs; doctor checks it and its
 * repair (`ensurePip`) restores it. Creating a venv is create-venv.ts's, which this stays light
 * without: a recorded `pip install` loads this module.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { errnoCode } from "../base/errors.ts";
import { acquireLock, isLocked, type LockHolder, readHolder, tryLock, type VenvLock } from "../base/lock.ts";
import { type ChildEnv, type ChildResult, runChild, type Stdio, startChild, startGated } from "./child.ts";
import { toolPipEnv, userPipEnv } from "./pip.ts";
import gateSource from "./pip-gate.py" with { type: "text" };

export interface VenvConfig {
  home: string;
  /** "3.11.2" */
  version: string;
  executable?: string;
}

export type VenvHealth = { ok: true } | { ok: false; missingBase: string } | { ok: false; brokenPython: string };

export interface PipRun {
  /** stdin, stdout, stderr; the held lock descriptors follow. */
  stdio: [Stdio, Stdio, Stdio];
  /**
   * "user": the user's own command, in their environment without PIP_USER (the venv is their
   * user install). "tool": pyctl's own run, which no PIP_REQUIRE_VIRTUALENV or PIP_USER may refuse.
   */
  as: "user" | "tool";
  /** Run `bin/pip` when it is there, as a recorded write does (the pip the user typed); else `python -m pip`. */
  binPip?: boolean;
}

export interface DryRun extends ChildResult {
  /** pip's JSON installation report, when it wrote one. */
  report?: string;
}

/**
 * A pip started ahead of time: its python is up and waits at a gate (pip-gate.py) while pyctl
 * still reads the venv's before-state; pip itself runs only once the gate opens.
 */
export interface GatedPip {
  /** Until the python waits at the gate, or has ended (a test pauses only then, so signals meet a settled process). */
  ready(): Promise<void>;
  /** Let pip run: the child, to await as any other. */
  open(): ReturnType<typeof startChild>;
  /** Pip never runs: the python ends at the gate. */
  close(): Promise<void>;
}

/** The user's terminal, for a pip the user typed. */
export const TERMINAL: PipRun["stdio"] = ["inherit", "inherit", "inherit"];

const pipModule = (python: string) => [python, "-m", "pip"];

const pipEnv = (as: PipRun["as"]): ChildEnv => (as === "tool" ? toolPipEnv() : userPipEnv());

/**
 * The interpreter a console script names when it is one of the venv's own, run without options:
 * `#!/venv/bin/python3`, or distlib's form for a long or spaced path (`#!/bin/sh`, then
 * `'''exec' "/venv/bin/python3" "$0" "$@"`). That python runs such a script through the gate
 * exactly as its shebang would.
 */
function scriptPython(script: string, bin: string): string | undefined {
  const head = Buffer.alloc(512);
  let text: string;
  try {
    const fd = openSync(script, "r");
    try {
      text = head.toString("utf8", 0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const viaSh = /^#!\/bin\/sh\n'''exec' (?:"([^"\n]+)"|(\S+)) "\$0" "\$@"\n/.exec(text);
  const direct = viaSh ? undefined : /^#!(\/\S+)\n/.exec(text);
  const python = viaSh ? (viaSh[1] ?? viaSh[2]) : direct?.[1];
  return python && dirname(python) === bin ? python : undefined;
}

export function isVenv(dir: string): boolean {
  return existsSync(join(dir, "pyvenv.cfg"));
}

export function readPyvenvCfg(venv: string): VenvConfig | undefined {
  let text: string;
  try {
    text = readFileSync(join(venv, "pyvenv.cfg"), "utf8");
  } catch {
    return undefined;
  }
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return {
    home: values.get("home") ?? "",
    version: values.get("version") ?? values.get("version_info") ?? "",
    executable: values.get("executable"),
  };
}

/** The user's pip command run by a base interpreter: a read before the version has a venv. */
export function startInterpreterPip(python: string, args: string[], stdio: PipRun["stdio"]) {
  return startChild([...pipModule(python), ...args], { stdio, env: userPipEnv() });
}

export class Venv {
  /** `version` is the venv's "3.11"; `lockFile` the lock every write to it holds. */
  constructor(
    readonly root: string,
    readonly version: string,
    readonly lockFile: string,
  ) {}

  /** The same venv built in another folder (its staging copy): same version, same lock. */
  at(root: string): Venv {
    return new Venv(root, this.version, this.lockFile);
  }

  get bin(): string {
    return join(this.root, "bin");
  }
  get python(): string {
    return join(this.bin, "python");
  }
  /** What the hook's pip function runs. */
  get pip(): string {
    return join(this.bin, "pip");
  }
  get sitePackages(): string {
    return join(this.root, "lib", `python${this.version}`, "site-packages");
  }
  get cfgFile(): string {
    return join(this.root, "pyvenv.cfg");
  }

  exists(): boolean {
    return isVenv(this.root);
  }

  cfg(): VenvConfig | undefined {
    return readPyvenvCfg(this.root);
  }

  /** The base interpreter the venv was made from, as pyvenv.cfg names it (home/pythonX.Y, or executable). */
  baseInterpreter(): string | undefined {
    const cfg = this.cfg();
    if (!cfg) return undefined;
    if (cfg.executable) return cfg.executable;
    return cfg.home ? join(cfg.home, `python${this.version}`) : undefined;
  }

  /**
   * Whether the venv's python can start as far as files go (nothing is run): its base interpreter
   * is there, and so is bin/python. A venv without pyvenv.cfg is not judged here.
   */
  health(): VenvHealth {
    if (existsSync(this.python)) return { ok: true };
    const base = this.baseInterpreter();
    if (!base) return { ok: true };
    if (!existsSync(base)) return { ok: false, missingBase: base };
    return { ok: false, brokenPython: this.python };
  }

  /** Wait for the venv's lock; `waiting` is told once who holds it. */
  lock(command: string, waiting?: (holder: LockHolder | undefined) => void): Promise<VenvLock> {
    return acquireLock(this.lockFile, command, (holder) => waiting?.(holder));
  }

  /** The venv's lock if it is free, without waiting. */
  tryLock(command: string): VenvLock | undefined {
    return tryLock(this.lockFile, command);
  }

  isLocked(): boolean {
    return existsSync(this.lockFile) && isLocked(this.lockFile);
  }

  lockHolder(): LockHolder | undefined {
    return readHolder(this.lockFile);
  }

  /** Start pip with ARGS; the caller awaits `exited` (and reads piped streams). */
  startPip(args: string[], run: PipRun) {
    const command = run.binPip && existsSync(this.pip) ? [this.pip] : pipModule(this.python);
    return startChild([...command, ...args], { stdio: run.stdio, env: pipEnv(run.as) });
  }

  /**
   * The user's pip write started ahead, held at a gate (`GatedPip`), when `bin/pip` is a script
   * of the venv's own python; otherwise nothing starts, and the caller starts pip when due.
   */
  startGatedPip(args: string[], stdio: PipRun["stdio"]): GatedPip | undefined {
    const python = scriptPython(this.pip, this.bin);
    if (!python) return undefined;
    const { child, gate } = startGated((fd) => [python, "-c", gateSource, String(fd), this.pip, ...args], {
      stdio,
      env: pipEnv("user"),
    });
    let shut = false;
    const shutGate = () => {
      if (!shut) closeSync(gate);
      shut = true;
    };
    return {
      async ready() {
        // pyctl's end of the pair does not block: poll it (tests only)
        while (!shut) {
          try {
            readSync(gate, Buffer.alloc(1));
            return; // "r", or the end of a python that never got there
          } catch (err) {
            if (errnoCode(err) !== "EAGAIN") return;
            await Bun.sleep(5);
          }
        }
      },
      open() {
        try {
          writeSync(gate, "g");
        } finally {
          shutGate();
        }
        return child;
      },
      async close() {
        shutGate();
        await child.exited;
      },
    };
  }

  /** pyctl's own pip run to its end, output captured; `extra` adds to its environment. */
  runPip(args: string[], extra: ChildEnv = {}): ChildResult {
    return runChild([...pipModule(this.python), ...args], { env: toolPipEnv(extra) });
  }

  /** Whether pip works: `bin/pip` exists and runs. */
  pipWorks(): boolean {
    if (!existsSync(this.pip)) return false;
    return runChild([this.pip, "--version"], { env: toolPipEnv({ PIP_DISABLE_PIP_VERSION_CHECK: "1" }) }).status === 0;
  }

  /**
   * Put pip back with the interpreter's bundled wheel (offline), `bin/pip` included. An installed
   * pip is taken out first (if it can run at all): ensurepip leaves one alone, scripts missing or not.
   */
  ensurePip(): ChildResult {
    this.runPip(["uninstall", "--yes", "--quiet", "--disable-pip-version-check", "pip"]);
    return runChild([this.python, "-m", "ensurepip", "--upgrade", "--default-pip"], {
      env: toolPipEnv({ PIP_NO_COMPILE: "1" }),
    });
  }

  /** `pip check`: ok, or pip's lines naming the conflicts. */
  check(): { ok: boolean; lines: string[] } {
    const run = this.runPip(["check"]);
    const lines = run.stdout.trim().split("\n").filter(Boolean);
    return { ok: run.status === 0, lines: lines.length ? lines : [run.stderr.trim()].filter(Boolean) };
  }

  /** The versions of `name` the index offers for the venv's Python (empty: none, or no index). */
  indexVersions(name: string): string[] {
    const run = this.runPip(["index", "versions", "--disable-pip-version-check", name]);
    const line = run.stdout.split("\n").find((l) => l.startsWith("Available versions:"));
    if (run.status !== 0 || !line) return [];
    return line
      .slice("Available versions:".length)
      .split(",")
      .map((v) => v.trim());
  }

  /** `pip install --dry-run --report FILE ARGS`: what pip would install, or its output saying why not. */
  dryRun(args: string[]): DryRun {
    const dir = mkdtempSync(join(tmpdir(), "pyctl-report-"));
    try {
      const report = join(dir, "report.json");
      const run = this.runPip(["install", "--dry-run", "--report", report, "--disable-pip-version-check", ...args]);
      return { ...run, ...(existsSync(report) ? { report: readFileSync(report, "utf8") } : {}) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
