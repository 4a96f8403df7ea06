// Issue 9: "the lock must be held until every process pyctl started on the venv has exited".
// flock belongs to the open file description, so a child keeps the venv's lock only if it
// inherits the descriptor. Issue 16: one file starts processes (core/python/child.ts, under the
// Venv's pip runner in core/python/venv.ts), and it gives every child the held locks
// (`withLockFds`), read-only helpers too (pip check, pip index versions, a dry-run report, export's
// pip), so a killed pyctl never leaves a child running on a venv another write already locked.
// Only the Venv builds a pip command line or environment. A failure names the file and line.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "..", "..", "src");

/** Spawns that must not hold the lock, each with its reason. */
const EXEMPT: Record<string, string> = {
  // the detached rm of a replaced venv: the next write must not wait until it finishes
  "core/base/swap.ts": 'Bun.spawn(["sh", "-c", script',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every call that starts a process, with the text of its arguments (to the matching parenthesis). */
function spawns(file: string): { line: number; call: string }[] {
  const text = readFileSync(file, "utf8");
  const found: { line: number; call: string }[] = [];
  for (const m of text.matchAll(/\b(?:Bun\.spawn|Bun\.spawnSync|spawnSync|spawn|execFileSync|execSync|exec)\(/g)) {
    if (/function\s+$|\.\s*$/.test(text.slice(Math.max(0, m.index - 12), m.index)) && !m[0].startsWith("Bun."))
      continue;
    let depth = 0;
    let end = m.index + m[0].length - 1;
    for (; end < text.length; end++) {
      if (text[end] === "(") depth++;
      else if (text[end] === ")" && --depth === 0) break;
    }
    found.push({ line: text.slice(0, m.index).split("\n").length, call: text.slice(m.index, end + 1) });
  }
  return found;
}

/** The one module that starts processes. */
const RUNNER = "core/python/child.ts";

describe("every process pyctl starts inherits the venv locks it holds", () => {
  const all = sourceFiles(SRC).flatMap((file) => spawns(file).map((s) => ({ ...s, file: relative(SRC, file) })));
  const exempt = (s: { file: string; call: string }) =>
    EXEMPT[s.file] !== undefined && s.call.startsWith(EXEMPT[s.file]!);
  const where = (s: { file: string; line: number; call: string }) => `${s.file}:${s.line}: ${s.call.split("\n")[0]}`;

  test("the scan sees the runner's spawns and the exempt rm", () => {
    expect(all.filter((s) => s.file === RUNNER).length).toBeGreaterThanOrEqual(2);
    expect(all.some(exempt)).toBe(true);
  });

  test("only the runner starts processes, the exempt rm aside", () => {
    expect(all.filter((s) => s.file !== RUNNER && !exempt(s)).map(where)).toEqual([]);
  });

  test("each of the runner's spawns passes withLockFds", () => {
    expect(all.filter((s) => s.file === RUNNER && !s.call.includes("withLockFds")).map(where)).toEqual([]);
  });
});

/** The Venv, its environments and venv creation: the only files that may spell how pip is run. */
const PIP_OWNERS = new Set(["core/python/venv.ts", "core/python/pip.ts", "core/python/create-venv.ts"]);

/** A pip command line, a PIP_* variable set or dropped for a child, or a way around the Venv. */
const BUILDS_PIP = [
  /"-m",\s*"(?:pip|ensurepip)"/,
  /"bin",\s*"pip"/,
  /\bPIP_[A-Z_]+:\s*["'`]/,
  /delete\s+[\w.]+\.PIP_/,
  /from\s+"[^"]*python\/pip\.ts"/,
];

function pipBuilders(rel: string, text: string): string[] {
  if (PIP_OWNERS.has(rel)) return [];
  return text
    .split("\n")
    .flatMap((line, i) => (BUILDS_PIP.some((re) => re.test(line)) ? [`${rel}:${i + 1}: ${line.trim()}`] : []));
}

describe("pip is run only through the Venv", () => {
  test("the scan catches each way around it, and lets the Venv be", () => {
    const planted = [
      'startChild([python, "-m", "pip", "list"])',
      'runChild([python, "-m", "ensurepip"])',
      'join(venv, "bin", "pip")',
      'env: { ...process.env, PIP_REQUIRE_VIRTUALENV: "" }',
      "delete env.PIP_USER;",
      'import { toolPipEnv } from "../python/pip.ts";',
    ];
    for (const line of planted) expect(pipBuilders("core/doctor/x.ts", line)).toEqual([`core/doctor/x.ts:1: ${line}`]);
    expect(pipBuilders("core/packages/pip-args.ts", "export const PIP_READ_COMMANDS: readonly string[] = [")).toEqual(
      [],
    );
    expect(pipBuilders("core/python/venv.ts", planted.join("\n"))).toEqual([]);
  });

  test("no other file builds a pip command line or environment", () => {
    const found = sourceFiles(SRC).flatMap((file) => pipBuilders(relative(SRC, file), readFileSync(file, "utf8")));
    expect(found).toEqual([]);
  });
});
