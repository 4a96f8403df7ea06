// The import rule of README "Development": imports only go down the layers, and no file
// imports itself back through a cycle. A failure names the file and line of the import.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "..", "..", "src");

/** Lowest first. A module may import its own folder or any folder of a lower rank. */
const LAYERS: [string, number][] = [
  ["core/base", 0],
  ["core/python", 1],
  ["core/packages", 2],
  ["core/recording", 3],
  ["core/transaction", 4],
  ["core/doctor", 5],
  ["core/export", 5],
  ["core/operations", 6],
  ["shell", 7],
  ["ui", 7],
  ["commands", 8],
  ["cli.ts", 9],
];

export interface Import {
  file: string;
  line: number;
  target: string;
  /** `import("…")`: loaded when called, after both modules are initialised. */
  lazy: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

const SPECIFIER =
  /(?:^|\n)(?:import|export)\b(?!\s*\()[^"'`;]*?(?:from\s*)?["'](\.[^"']+)["']|\bimport\(\s*["'](\.[^"']+)["']\s*\)/g;

/** Every relative import of `file` that lands inside src/, with the line of its specifier. */
export function importsOf(file: string, text = readFileSync(file, "utf8")): Import[] {
  const found: Import[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const specifier = (m[1] ?? m[2])!;
    const target = resolve(dirname(file), specifier);
    if (!target.startsWith(`${SRC}/`) || !target.endsWith(".ts")) continue;
    const line = text.slice(0, m.index + m[0].lastIndexOf(specifier)).split("\n").length;
    found.push({ file, line, target, lazy: m[2] !== undefined });
  }
  return found;
}

export function layerOf(file: string): { folder: string; rank: number } {
  const rel = relative(SRC, file);
  const hit = LAYERS.find(([folder]) => rel === folder || rel.startsWith(`${folder}/`));
  if (!hit) throw new Error(`${rel} is in no layer: add its folder to LAYERS`);
  return { folder: hit[0], rank: hit[1] };
}

export function upwardImports(imports: Import[]): string[] {
  return imports
    .filter(({ file, target }) => {
      const from = layerOf(file);
      const to = layerOf(target);
      return from.folder !== to.folder && to.rank >= from.rank;
    })
    .map(
      ({ file, line, target }) =>
        `${relative(SRC, file)}:${line} imports ${relative(SRC, target)} (${layerOf(target).folder} is not below ${layerOf(file).folder})`,
    );
}

/**
 * Cycles of static imports, as "a.ts:3 -> b.ts:7 -> a.ts". The command table's lazy
 * `load: () => import("./undo.ts")` may point back at a module that reads the table.
 */
export function cycles(imports: Import[]): string[] {
  const edges = new Map<string, Import[]>();
  for (const i of imports.filter((i) => !i.lazy)) edges.set(i.file, [...(edges.get(i.file) ?? []), i]);
  const found: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: Import[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    for (const edge of edges.get(file) ?? []) {
      if (state.get(edge.target) === "open") {
        const start = stack.findIndex((s) => s.file === edge.target);
        const path = [...stack.slice(start === -1 ? stack.length : start), edge];
        found.push(
          `${path.map((s) => `${relative(SRC, s.file)}:${s.line}`).join(" -> ")} -> ${relative(SRC, edge.target)}`,
        );
      } else if (!state.has(edge.target)) {
        stack.push(edge);
        visit(edge.target);
        stack.pop();
      }
    }
    state.set(file, "done");
  };
  for (const file of edges.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe("the import rule", () => {
  const imports = sourceFiles(SRC).flatMap((f) => importsOf(f));

  test("every source file belongs to a layer", () => {
    for (const file of sourceFiles(SRC)) expect(() => layerOf(file)).not.toThrow();
  });

  test("imports only go down: cli -> commands -> shell, ui -> core; inside core, down the list", () => {
    expect(upwardImports(imports)).toEqual([]);
  });

  test("no import cycles", () => {
    expect(cycles(imports)).toEqual([]);
  });

  test("the checker itself catches an upward import and a cycle", () => {
    const base = join(SRC, "core", "base", "x.ts");
    const recording = join(SRC, "core", "recording", "y.ts");
    const up = importsOf(base, 'import { y } from "../recording/y.ts";\n');
    expect(upwardImports(up)).toEqual([
      "core/base/x.ts:1 imports core/recording/y.ts (core/recording is not below core/base)",
    ]);
    const back = importsOf(recording, 'import type { X } from "../base/x.ts";');
    expect(cycles([...up, ...back])).toEqual(["core/base/x.ts:1 -> core/recording/y.ts:1 -> core/base/x.ts"]);
    expect(upwardImports(importsOf(recording, 'const m = await import("../transaction/z.ts");'))).toHaveLength(1);
    const multiline = importsOf(base, 'import {\n  a,\n  b,\n} from "../recording/y.ts";\n');
    expect(upwardImports(multiline)).toEqual([
      "core/base/x.ts:4 imports core/recording/y.ts (core/recording is not below core/base)",
    ]);
  });
});
