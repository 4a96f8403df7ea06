// Issue 9: "the lock must be held until every process pyctl started on the venv has exited".
// flock belongs to the open file description, so a child keeps the venv's lock only if it
// inherits the descriptor: every process pyctl starts is given the held locks (`withLockFds`),
// read-only helpers too (pip check, pip index versions, a dry-run report, export's pip), so a
// killed pyctl never leaves a child running on a venv another write already locked. A failure
// names the file and line of the spawn that does not pass them.
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

describe("every process pyctl starts inherits the venv locks it holds", () => {
  const all = sourceFiles(SRC).flatMap((file) => spawns(file).map((s) => ({ ...s, file: relative(SRC, file) })));

  test("the scan sees pyctl's spawns (pip runner, pip step, venv creation, pip check)", () => {
    const files = new Set(all.map((s) => s.file));
    for (const f of [
      "core/recording/pip-runner.ts",
      "core/transaction/pip-step.ts",
      "core/python/venv.ts",
      "core/doctor/venv-checks.ts",
    ])
      expect(files).toContain(f);
  });

  test("each passes withLockFds, or is exempt with its reason", () => {
    const bare = all
      .filter((s) => !s.call.includes("withLockFds"))
      .filter((s) => !(EXEMPT[s.file] && s.call.startsWith(EXEMPT[s.file]!)))
      .map((s) => `${s.file}:${s.line}: ${s.call.split("\n")[0]}`);
    expect(bare).toEqual([]);
  });
});
