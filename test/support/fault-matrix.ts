/**
 * The fault matrix's machinery (test/e2e/faults.test.ts). Each lane is a sandbox at a fixed
 * path holding a template of every operation's before-state; a case resets the lane by hardlink
 * clone (`cp -al`, so the venv's absolute paths stay valid), starts pyctl in a process group of
 * its own so a signal hits the group as a terminal would, or runs it on a tmpfs that is full,
 * then checks whether the case survived. Two lanes run cases side by side (everything here is
 * async: one blocking spawn would stall the other lane).
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { makeSandbox, PY, pyctlBin, type Sandbox } from "./env.ts";
import { fileSet } from "./file-set.ts";

export type Signal = "SIGINT" | "SIGHUP" | "SIGKILL";

export interface Operation {
  /** How the matrix names it: "undo", "doctor --fix", "pip install". */
  name: string;
  args: string[];
  /** A transaction must leave the venv's files as before or as after; a pip write may tear them. */
  kind: "transaction" | "pip";
  /** PYCTL_TEST_PAUSE phases it passes through. */
  phases: string[];
  /** Turns the shared before-state into this operation's (e.g. breaks what doctor repairs). */
  prepare?(venv: string): void;
  /**
   * The command run before the next write, when a pip write cannot run in the before-state
   * (doctor's broken venv refuses pip): it must bring the venv to the after-state.
   */
  next?: string[];
  /** Problems of the final venv that its file set does not show (e.g. a file edited in place served back). */
  check?(venv: string): string[];
}

export type Fault = { phase: string; signal: Signal } | { diskFree: number };

export interface Case {
  op: Operation;
  fault: Fault;
}

export function caseName({ op, fault }: Case): string {
  return "signal" in fault
    ? `${op.name} @ ${fault.phase} / ${fault.signal}`
    : `${op.name} / disk full (${fault.diskFree} bytes free)`;
}

/** Fixture packages (test/support/wheels.py) whose module is imported and script run when present. */
const MODULES = ["alpha", "beta", "gamma", "delta", "epsilon"];
const SCRIPTED = ["alpha", "beta"];

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** A command in the lane's sandbox, without blocking the event loop. */
export async function exec(sb: Sandbox, cmd: string[], env: Record<string, string> = {}, cwd = sb.dir): Promise<Run> {
  const child = Bun.spawn(cmd, { env: { ...sb.env, ...env }, cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { code: await child.exited, out, err };
}

export const pyctl = (sb: Sandbox, args: string[], env: Record<string, string> = {}) =>
  exec(sb, [pyctlBin(), ...args], env);

async function must(r: Promise<Run>, what: string): Promise<Run> {
  const done = await r;
  if (done.code !== 0) throw new Error(`${what}: exit ${done.code}\n${done.out}\n${done.err}`);
  return done;
}

const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

/** The venv's complete file set (file-set.ts) as sorted lines; none when the venv is gone. */
function venvFiles(venv: string): string[] {
  if (!existsSync(venv)) return [];
  return Object.entries(fileSet(venv))
    .map(([path, what]) => `${path} ${what}`)
    .sort();
}

/** A short account of how two file sets differ (for failure messages). */
export function setDiff(actual: string[], expected: string[]): string {
  const a = new Set(actual);
  const e = new Set(expected);
  const extra = actual.filter((x) => !e.has(x));
  const missing = expected.filter((x) => !a.has(x));
  const show = (xs: string[]) => xs.slice(0, 3).join(", ") + (xs.length > 3 ? `, … (${xs.length})` : "");
  return [extra.length ? `extra: ${show(extra)}` : "", missing.length ? `missing: ${show(missing)}` : ""]
    .filter(Boolean)
    .join("; ");
}

const same = (a: string[], b: string[] | undefined) =>
  b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

export interface States {
  before: string[];
  /** Undefined when the operation does not succeed from this before-state. */
  after?: string[];
}

/** One sandbox with a template per operation; cases on one lane run one after another. */
export class Lane {
  readonly sb: Sandbox = makeSandbox();
  readonly states = new Map<Operation, States>();
  readonly venv = join(this.sb.pyctlHome, PY.key, "venv");
  private resets = 0;

  private template(op: Operation | "base"): string {
    return join(this.sb.dir, `template-${op === "base" ? op : op.name.replace(/\W+/g, "-")}`);
  }

  /** Replace home with a clone of a template: hardlinks, or a copy onto a tmpfs already mounted there. */
  async reset(op: Operation | "base", copy = false): Promise<void> {
    const { home, dir } = this.sb;
    if (copy) return void (await must(exec(this.sb, ["cp", "-a", `${this.template(op)}/.`, `${home}/`]), "copy"));
    // Renamed aside first: a detached `rm -rf` that pyctl started may still be deleting in there.
    const old = `${home}.old`;
    if (existsSync(home)) renameSync(home, `${old}.${++this.resets}`);
    for (const name of readdirSync(dir).filter((n) => n.startsWith("home.old."))) {
      try {
        rmSync(join(dir, name), { recursive: true, force: true });
      } catch {
        /* still being deleted; the next reset tries again */
      }
    }
    await must(exec(this.sb, ["cp", "-al", this.template(op), home], {}, dir), "clone");
  }

  /** Build the shared state with `build`, then each operation's template and its after-state. */
  async setUp(ops: Operation[], build: (lane: Lane) => Promise<void>): Promise<this> {
    await build(this);
    await must(exec(this.sb, ["cp", "-al", this.sb.home, this.template("base")]), "template");
    for (const op of ops) {
      await this.reset("base");
      op.prepare?.(this.venv);
      await must(exec(this.sb, ["cp", "-al", this.sb.home, this.template(op)]), "template");
      const before = venvFiles(this.venv);
      const r = await pyctl(this.sb, op.args); // its exit code may say other problems remain (doctor --fix): the files tell
      const after = venvFiles(this.venv);
      if (r.code !== 0 && same(after, before)) throw new Error(`${op.name} fails from its before-state:\n${r.err}`);
      this.states.set(op, { before, after });
    }
    return this;
  }

  async run(c: Case): Promise<string[]> {
    const { op, fault } = c;
    const states = this.states.get(op)!;
    if ("signal" in fault) {
      await this.reset(op);
      const ended = await runAndSignal(this.sb, op.args, fault.phase, fault.signal);
      if (!ended.signalled) return [`never paused at ${fault.phase} (exit ${ended.code}): ${lastLine(ended.output)}`];
      return survivalProblems(this, op, states, ended);
    }
    const { home } = this.sb;
    if (existsSync(home)) renameSync(home, `${home}.old.${++this.resets}`);
    mkdirSync(home);
    await must(exec(this.sb, ["mount", "-t", "tmpfs", "-o", "size=96m,mode=0755", "tmpfs", home], {}, "/"), "mount");
    try {
      await this.reset(op, true);
      const filler = fillDisk(home, fault.diskFree);
      const r = await pyctl(this.sb, op.args);
      const ended = { code: r.code, output: r.out + r.err, signalled: false, diskFull: true };
      return await survivalProblems(this, op, states, ended, () => rmSync(filler));
    } finally {
      await exec(this.sb, ["umount", "-l", home], {}, "/");
    }
  }
}

export interface Ended {
  code: number;
  output: string;
  /** The pause was reached and the signal sent. */
  signalled: boolean;
  /** The operation ran on a full disk. */
  diskFull?: boolean;
}

/**
 * Start pyctl in a process group of its own (as a shell's job), wait until it pauses at `phase`,
 * signal the whole group (Ctrl-C, a closed terminal, kill -9 of the job), and wait for the end.
 */
export async function runAndSignal(sb: Sandbox, args: string[], phase: string, signal: Signal): Promise<Ended> {
  const child = Bun.spawn(["setsid", pyctlBin(), ...args], {
    env: { ...sb.env, PYCTL_TEST_PAUSE: phase },
    cwd: sb.dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const stdout = new Response(child.stdout).text();
  const reader = child.stderr.getReader();
  const decoder = new TextDecoder();
  let stderr = "";
  let signalled = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    stderr += decoder.decode(value);
    if (!signalled && stderr.includes(`test pause at ${phase}`)) {
      process.kill(-child.pid, signal);
      signalled = true;
    }
  }
  const code = await child.exited;
  return { code: child.signalCode === "SIGKILL" ? 137 : code, output: `${await stdout}${stderr}`, signalled };
}

/** Fill the filesystem at `dir` until only `free` bytes are left; returns the filler's path. */
export function fillDisk(dir: string, free: number): string {
  const filler = join(dir, "filler");
  const st = statfsSync(dir);
  writeFileSync(filler, Buffer.alloc(Math.max(0, st.bavail * st.bsize - free)));
  return filler;
}

interface Listed {
  id: number;
  status: string;
  kind: string;
}

/** The history as `pyctl history --json` shows it; problems if it cannot be read. */
async function readHistory(sb: Sandbox, problems: string[]): Promise<Listed[]> {
  const r = await pyctl(sb, ["history", "--json", "--limit", "5"]);
  if (r.code !== 0) {
    problems.push(`history unreadable: ${lastLine(r.err)}`);
    return [];
  }
  try {
    const entries = JSON.parse(r.out) as Listed[];
    for (const e of entries) if (e.status === "corrupt") problems.push(`history entry #${e.id} is corrupt`);
    return entries;
  } catch {
    problems.push("history --json is not JSON");
    return [];
  }
}

/** Imports work and console scripts run in the venv's current state. */
async function workingProblems(lane: Lane, problems: string[]): Promise<void> {
  const bin = join(lane.venv, "bin");
  const python = ["python", "python3"].map((n) => join(bin, n)).find((p) => existsSync(p));
  if (!python) return void problems.push("the venv has no python");
  const site = join(lane.venv, "lib", `python${PY.version}`, "site-packages");
  const present = readdirSync(site)
    .map((f) => /^([^-]+)-([^-]+)\.dist-info$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && MODULES.includes(m[1]!));
  const r = await exec(lane.sb, [
    python,
    "-c",
    ["pip", ...present.map((m) => m[1]!)].map((m) => `import ${m}`).join("; "),
  ]);
  if (r.code !== 0) problems.push(`imports fail: ${lastLine(r.err)}`);
  for (const [, name, version] of present.filter((m) => SCRIPTED.includes(m[1]!))) {
    const s = await exec(lane.sb, [join(bin, name!)]);
    if (s.out.trim() !== `${name} ${version}`)
      problems.push(`console script ${name}: ${s.out.trim() || lastLine(s.err)}`);
  }
  const shebang = /^#!(\S+)/.exec(existsSync(join(bin, "pip")) ? readFileSync(join(bin, "pip"), "utf8") : "")?.[1];
  if (!shebang || !existsSync(shebang))
    problems.push(`console script pip: interpreter ${shebang ?? "(none)"} is missing`);
}

/** Whether pid `pid` is deleting a trash of this tier (discardTree's shell, or the rm it became). */
function deleting(pid: string, home: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`${home}/`);
  } catch {
    return false;
  }
}

/**
 * Leftovers the next write must have removed: staging/retired/trash venvs, temp files. A trash
 * (`venv.trash.<pid>`) whose deleting process still runs is the transaction's own background
 * deletion, not a leftover: it must be gone once that process ends.
 */
async function leftovers(home: string): Promise<string[]> {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (/^venv\.(staging|trash)/.test(name) || name.endsWith(".tmp")) found.push(relative(home, path));
      else if (depth < 3 && name !== "venv" && name !== "store" && lstatSync(path).isDirectory()) walk(path, depth + 1);
    }
  };
  walk(home, 0);
  for (const rel of found.filter((r) => /venv\.trash\.\d+$/.test(r))) {
    const pid = rel.split(".").at(-1)!;
    while (deleting(pid, home)) await Bun.sleep(50); // the condition: its deleter ends
  }
  return found.filter((rel) => existsSync(join(home, rel)));
}

/**
 * After a fault: what is wrong (empty: the case survived). A transaction's venv must hold its
 * complete before- or after-state; a torn pip write must be marked, named by doctor and undone
 * to the before-state. Then history must read, the next write must clean up, and imports and
 * console scripts must work. `freeSpace` runs once the fault's own effects were looked at.
 */
export async function survivalProblems(
  lane: Lane,
  op: Operation,
  states: States,
  ended: Ended,
  freeSpace = () => {},
): Promise<string[]> {
  const { sb, venv } = lane;
  const problems: string[] = [];
  if (/internal error|\n\s+at .+:\d+/.test(ended.output))
    problems.push(`internal error: ${ended.output.trim().split("\n").slice(-2).join(" | ")}`);
  let now = venvFiles(venv);
  const entries = await readHistory(sb, problems);
  freeSpace();
  if (op.kind === "transaction" && !same(now, states.before) && !same(now, states.after)) {
    problems.push(`venv neither before nor after (vs before: ${setDiff(now, states.before)})`);
  }
  const last = entries[0];
  const completed = same(now, states.after) && last?.status === "ok"; // the fault came too late to bite
  if (op.kind === "pip" && !same(now, states.before) && !completed) {
    // A killed pyctl cannot mark its entry: it stays "incomplete" until the next pyctl looks.
    // One whose disk is full leaves its before-state and, when even an empty file fits, an
    // "unrecorded" marker saying how it ended; undo goes back to the before-state.
    const marked = [
      "interrupted",
      "failed",
      ...(ended.code === 137 || ended.diskFull ? ["incomplete"] : []),
      ...(ended.diskFull ? ["unrecorded"] : []),
    ];
    if (!last || !marked.includes(last.status))
      problems.push(`the torn pip write is recorded as ${last?.status ?? "nothing"}`);
    const doctor = await pyctl(sb, ["doctor"]);
    if (!last || !doctor.out.includes(`#${last.id}`)) problems.push("doctor does not name the torn operation");
    const undo = await pyctl(sb, ["undo"]);
    now = venvFiles(venv);
    if (undo.code !== 0) problems.push(`undo fails: ${lastLine(undo.err)}`);
    else if (!same(now, states.before))
      problems.push(`undo does not bring back the before-state (${setDiff(now, states.before)})`);
  }
  if (op.next) {
    const repair = await pyctl(sb, op.next);
    if (/internal error|\n\s+at .+:\d+/.test(repair.err))
      problems.push(`${op.next.join(" ")}: ${lastLine(repair.err)}`);
  }
  const next = await pyctl(sb, ["pip", "--", "uninstall", "-y", "not-installed-anywhere"]);
  if (next.code !== 0) problems.push(`the next write fails: ${lastLine(next.err)}`);
  const left = await leftovers(sb.pyctlHome);
  if (left.length) problems.push(`left after the next write: ${left.join(", ")}`);
  const final = venvFiles(venv);
  if (op.next && !same(final, states.after))
    problems.push(`${op.next.join(" ")} did not reach the after-state (${setDiff(final, states.after ?? [])})`);
  if (!op.next && !same(final, now)) problems.push(`the next write changed the venv (${setDiff(final, now)})`);
  await workingProblems(lane, problems);
  problems.push(...(op.check?.(venv) ?? []));
  return problems;
}

/**
 * Busy CPUs for as long as the matrix runs (PYCTL_FAULTS_LOAD burners, default one per CPU; 0:
 * none): what a detached rm or a slow pip does on a loaded machine must not fail a case.
 * Returns the function that stops them.
 */
export function burnCpus(count = Number(process.env.PYCTL_FAULTS_LOAD ?? availableParallelism())): () => void {
  const burners = Array.from({ length: count }, () =>
    Bun.spawn(["sh", "-c", "while :; do :; done"], { stdio: ["ignore", "ignore", "ignore"] }),
  );
  return () => {
    for (const burner of burners) burner.kill("SIGKILL");
  };
}

/** Run `cases` over the lanes, each lane one case at a time. */
export async function runOnLanes(lanes: Lane[], cases: Case[]): Promise<Map<Case, string[]>> {
  const results = new Map<Case, string[]>();
  const queue = [...cases];
  await Promise.all(
    lanes.map(async (lane) => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        if (process.env.PYCTL_TEST_VERBOSE) console.error(`case: ${caseName(c)}`);
        const problems = await lane.run(c);
        if (process.env.PYCTL_TEST_VERBOSE && problems.length) console.error(`  ${problems.join("\n  ")}`);
        results.set(c, problems);
      }
    }),
  );
  return results;
}
