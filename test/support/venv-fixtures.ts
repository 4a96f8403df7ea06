/** Helpers shared by the undo, restore, snapshot, clean and atomicity tests. */
import { expect } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fixtures, makeSandbox, PY, pyctlBin, type Result, run, type Sandbox, sh, targetOf } from "./env.ts";

/**
 * The Python under test by its own file, not by the sandbox's link to it: a venv pyctl makes later
 * (clean, undo, rebuild) starts from the file pyvenv.cfg names, so init must too, for file sets
 * to compare equal. Its paths in a sandbox's user tier come from pyctl's own Layout.
 */
export const PYTHON = PY.real;
export const versionDir = (sb: Sandbox) => dirname(targetOf(sb).venv);
export const venv = (sb: Sandbox) => targetOf(sb).venv;
export const staging = (sb: Sandbox) => targetOf(sb).staging;
export const historyDir = (sb: Sandbox) => targetOf(sb).historyDir;
export const sitePackages = (sb: Sandbox) => targetOf(sb).sitePackages;

export const pip = (sb: Sandbox, ...args: string[]) => run(sb, ["pip", "--", ...args]);

/** What a fresh venv of the Python under test holds: pip, and setuptools before 3.12 (ensurepip's bundle). */
export function seeded(): string[] {
  const minor = Number(PY.version.split(".")[1]);
  return minor < 12 ? ["pip", "setuptools"] : ["pip"];
}

/** `pip freeze --all` lines of the seeded packages, any version: a RegExp source, for whole-freeze matches. */
export const seededFreeze = () =>
  seeded()
    .map((name) => String.raw`${name}==[\d.]+\n`)
    .join("");

export function ok(r: Result): Result {
  if (r.code !== 0) throw new Error(`exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

export function initSandbox(): Sandbox {
  const sb = makeSandbox();
  ok(run(sb, ["init", "--python", PYTHON]));
  return sb;
}

/** The installed set as the .dist-info folders name it: what "the venv's inventory" means in these tests. */
export function inventory(sb: Sandbox): string[] {
  return readdirSync(sitePackages(sb))
    .filter((f) => f.endsWith(".dist-info"))
    .sort();
}

/** pip's own view (a Python process, independent of pyctl's reader). */
export function pipFreeze(sb: Sandbox): string {
  return ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "freeze", "--all"], sb)).stdout;
}

export function historyFiles(sb: Sandbox): string[] {
  return existsSync(historyDir(sb)) ? readdirSync(historyDir(sb)).sort() : [];
}

export function lastEntry(
  sb: Sandbox,
): Record<string, unknown> & { id: number; kind: string; exit_code: number; interrupted: boolean } {
  const last = historyFiles(sb)
    .filter((f) => f.endsWith("_after.json"))
    .at(-1)!;
  return JSON.parse(readFileSync(join(historyDir(sb), last), "utf8"));
}

export function script(sb: Sandbox, name: string, ...args: string[]): string {
  return ok(sh([join(venv(sb), "bin", name), ...args], sb)).stdout.trim();
}

export function python(sb: Sandbox, code: string): string {
  return ok(sh([join(venv(sb), "bin", "python"), "-c", code], sb)).stdout.trim();
}

/** Runs `fn` and checks it changed neither the venv nor history. */
export function expectNothingChanged(sb: Sandbox, fn: () => void): void {
  const before = { inventory: inventory(sb), history: historyFiles(sb) };
  fn();
  expect({ inventory: inventory(sb), history: historyFiles(sb) }).toEqual(before);
  expect(existsSync(staging(sb))).toBe(false);
}

let cextBuilt = false;

/** Puts the compiled-extension wheel (test/support/cext.py) into the shared fixture index. */
export async function buildCext(sb: Sandbox): Promise<void> {
  if (cextBuilt) return;
  const { wheelDir } = await fixtures();
  ok(sh([PYTHON, join(import.meta.dir, "..", "support", "cext.py"), wheelDir], sb));
  cextBuilt = true;
}

let hugeBuilt = false;

/** Puts `huge` 1.0 and 2.0 (3,000 modules each, wheels.py --huge) into the shared fixture index. */
export async function buildHuge(sb: Sandbox): Promise<void> {
  if (hugeBuilt) return;
  const { wheelDir } = await fixtures();
  ok(sh([PYTHON, join(import.meta.dir, "..", "support", "wheels.py"), wheelDir, "--huge"], sb));
  hugeBuilt = true;
}

export interface Paused {
  pid: number;
  /** stderr up to and including the pause notice. */
  stderr: string;
  finish(): Promise<{ code: number; stderr: string }>;
}

/** Starts pyctl with PYCTL_TEST_PAUSE=phase and resolves once it waits there. */
export function startPaused(
  sb: Sandbox,
  args: string[],
  phase: string,
  env: Record<string, string> = {},
): Promise<Paused> {
  return startUntil(sb, args, `test pause at ${phase}`, { ...env, PYCTL_TEST_PAUSE: phase });
}

/** Starts pyctl and resolves once its stderr contains `marker`. */
export async function startUntil(
  sb: Sandbox,
  args: string[],
  marker: string,
  env: Record<string, string> = {},
): Promise<Paused> {
  const child = Bun.spawn([pyctlBin(), ...args], {
    env: { ...sb.env, ...env },
    cwd: sb.home,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  const reader = child.stderr.getReader();
  const decoder = new TextDecoder();
  let stderr = "";
  while (!stderr.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`pyctl ended before printing "${marker}":\n${stderr}`);
    stderr += decoder.decode(value);
  }
  const head = stderr;
  return {
    pid: child.pid,
    stderr: head,
    async finish() {
      let rest = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += decoder.decode(value);
      }
      const exit = await child.exited;
      return { code: child.signalCode === "SIGKILL" ? 137 : exit, stderr: head + rest };
    },
  };
}
