/** Shared by the bench scripts: a hermetic sandbox with ≥ N distributions, timing and printing. */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, makeSandbox, PY, pyctlBin, run, sh, teardown, type Sandbox } from "../test/support/env.ts";

/** The tests' Python's folder in PYCTL_HOME: "py311", "py312"… */
export const PY_KEY = `py${PY.version.replace(".", "")}`;

export { pyctlBin, run, sh, teardown, type Sandbox };

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Run `cmd` in a sandbox: wall time, and CPU time (user + system, its children's included) in ms. */
export function measure(cmd: string[], sb: Sandbox): { wall: number; cpu: number } {
  const start = performance.now();
  const proc = Bun.spawnSync(cmd, { env: sb.env, cwd: sb.home, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  const wall = performance.now() - start;
  if (proc.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${proc.stderr.toString()}`);
  return { wall, cpu: Number(proc.resourceUsage.cpuTime.total) / 1000 };
}

export function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

/** A pyctl-initialised sandbox (the tests' Python) whose venv holds `fillers` filler packages. */
export async function sandboxWith(fillers: number): Promise<Sandbox> {
  const { wheelDir } = await fixtures();
  if (fillers > 120) {
    const built = Bun.spawnSync([
      "python3",
      join(import.meta.dir, "..", "test", "support", "wheels.py"),
      wheelDir,
      "--many",
      String(fillers),
    ]);
    if (built.exitCode !== 0) throw new Error(built.stderr.toString());
  }
  const sb = makeSandbox();
  if (run(sb, ["init", "--python", PY.real]).code !== 0) throw new Error("pyctl init failed");
  const names = Array.from({ length: fillers }, (_, i) => `filler${String(i).padStart(3, "0")}==1.0`);
  const pip = join(venvOf(sb), "bin", "pip");
  for (let i = 0; i < names.length; i += 250) {
    const r = sh([pip, "install", "-q", "--no-deps", ...names.slice(i, i + 250)], sb, { timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  return sb;
}

export function venvOf(sb: Sandbox): string {
  return join(sb.pyctlHome, PY_KEY, "venv");
}

export function latestAfter(sb: Sandbox): { duration_ms: number } {
  const dir = join(sb.pyctlHome, PY_KEY, "history");
  const last = Bun.spawnSync(["sh", "-c", `ls ${dir} | grep _after.json | sort | tail -1`])
    .stdout.toString()
    .trim();
  return JSON.parse(readFileSync(join(dir, last), "utf8"));
}

export function printTable(title: string, rows: string[][]): void {
  console.log(`\n${title}`);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`);
}

/**
 * Put a timer around the venv's pip (the real one moved out of the venv): `pipRun` then says how
 * long pip itself ran in the last call, so pyctl's complete own time (start-up and exit
 * included) is a run's wall time minus that, whatever pip's own time does on a busy machine.
 * The timer is a Python script of the venv's python, as pip's is, so that pyctl runs it as it
 * runs pip (held at its gate while the before-state is read); it starts once its python is up,
 * and the python's start-up is the timer's own share (the `pip alone` row's wall − `pipRun`).
 */
export function timePip(sb: Sandbox): { pipRun(): number } {
  const bin = join(venvOf(sb), "bin");
  const real = join(sb.dir, "pip-real");
  const stamps = join(sb.dir, "pip-times");
  renameSync(join(bin, "pip"), real);
  // It ends with os._exit once pip's output is flushed: the interpreter's teardown of pip's modules
  // takes tens of ms after the end stamp, and varies as much, in every row alike.
  const timer = [
    `#!${join(bin, "python")}`,
    "import os, sys, time",
    "start = time.time_ns()",
    `sys.argv[0] = ${JSON.stringify(real)}`,
    "try:",
    `    with open(sys.argv[0], "rb") as f: code = compile(f.read(), sys.argv[0], "exec")`,
    '    exec(code, {"__name__": "__main__", "__file__": sys.argv[0], "__builtins__": __builtins__})',
    "    code = 0",
    "except SystemExit as e:",
    "    code = e.code if isinstance(e.code, int) else int(e.code is not None)",
    `with open(${JSON.stringify(stamps)}, "w") as f:`,
    '    f.write(f"{start} {time.time_ns()}")',
    "sys.stdout.flush()",
    "sys.stderr.flush()",
    "os._exit(code)",
    "",
  ];
  writeFileSync(join(bin, "pip"), timer.join("\n"), { mode: 0o755 });
  return {
    pipRun() {
      const [start, end] = readFileSync(stamps, "utf8").trim().split(" ").map(Number);
      return (end! - start!) / 1e6;
    },
  };
}
