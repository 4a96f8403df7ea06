// The import rule of README "Development": imports only go down the layers, commands reach core
// through core/operations (and a named shared list), and no file imports itself back through a
// cycle. Imports are read with TypeScript's scanner. A failure names the file and line.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";

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

/**
 * Every relative import of `file` that lands inside src/, read by TypeScript's own scanner:
 * static imports, `import type`, re-exports, `import()` and `require()`; never a string that
 * merely looks like a path, nor one in a comment.
 */
export function importsOf(file: string, text = readFileSync(file, "utf8")): Import[] {
  const found: Import[] = [];
  for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
    if (!ref.fileName.startsWith(".")) continue;
    const target = resolve(dirname(file), ref.fileName);
    if (!target.startsWith(`${SRC}/`) || !target.endsWith(".ts")) continue;
    const before = text.slice(0, ref.pos);
    found.push({ file, line: before.split("\n").length, target, lazy: /\bimport\s*\(\s*$/.test(before) });
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
 * What commands may reach in core besides core/operations/ (one module per user action) and the
 * read-only reports of core/doctor/ and core/export/. Never core/transaction/: the engine is run
 * only by operations. Each entry says why a command needs it directly.
 */
export const SHARED_WITH_COMMANDS: Record<string, string> = {
  "core/base/errors.ts": "the typed errors a command throws for bad arguments",
  "core/base/config.ts": "`pyctl config` and `init` read and write config.toml",
  "core/base/paths.ts": "the tier's Layout, which the context carries",
  "core/base/modes.ts": "context.ts sets the tier's write policy once",
  "core/base/redact.ts": "history and diff show commands with credentials hidden",
  "core/base/atomic.ts": "export --output writes the user's own file",
  "core/recording/target.ts": "the Target every venv command acts on, and assertWritable",
  "core/packages/pep440.ts": "package arguments compared by canonical name",
  // Read-only views: what list, list-deps, history, diff, status, the snapshot listings and
  // completion show is the recorded data itself, so they read it where it is defined.
  "core/recording/history.ts": "read-only view",
  "core/recording/snapshots.ts": "read-only view (and delete-snapshot)",
  "core/recording/graph.ts": "read-only view: the dependency graph with explicit marks",
  "core/packages/dependencies.ts": "read-only view: list-deps's edge type",
  "core/packages/inventory.ts": "read-only view: the Dist type",
  // The recorded pip write (commands/pip.ts) is the hot path: it runs the recorder directly so
  // that a `pip install` loads none of operations' transaction engine.
  "core/recording/recorder.ts": "hot path: pip.ts",
  "core/recording/pip-runner.ts": "hot path: pip.ts",
  "core/recording/retention.ts": "hot path: pip.ts",
  "core/packages/pip-args.ts": "hot path: pip.ts",
  "core/python/interpreter.ts": "hot path: pip.ts (and init) find a base Python",
  "core/python/venv.ts": "hot path: pip.ts runs pip through the Venv, the one way pip is run",
};

/** Imports from commands/ into core/ that go around core/operations/ and the shared list. */
export function commandsAroundOperations(imports: Import[]): string[] {
  const allowed = (rel: string) =>
    /^core\/(operations|doctor|export)\//.test(rel) || Object.hasOwn(SHARED_WITH_COMMANDS, rel);
  return imports
    .filter(({ file, target }) => layerOf(file).folder === "commands" && relative(SRC, target).startsWith("core/"))
    .filter(({ target }) => !allowed(relative(SRC, target)))
    .map(({ file, line, target }) => `${relative(SRC, file)}:${line} imports ${relative(SRC, target)}`);
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

  test("commands reach core through core/operations and the named shared modules only", () => {
    expect(commandsAroundOperations(imports)).toEqual([]);
    const unused = Object.keys(SHARED_WITH_COMMANDS).filter(
      (rel) => !imports.some((i) => layerOf(i.file).folder === "commands" && relative(SRC, i.target) === rel),
    );
    expect(unused).toEqual([]); // the list stays as short as the commands need
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
    const required = importsOf(base, 'const y = require("../recording/y.ts");\n');
    expect(upwardImports(required)).toEqual([
      "core/base/x.ts:1 imports core/recording/y.ts (core/recording is not below core/base)",
    ]);
    const reexport = importsOf(base, '// a comment\nexport { y } from "../recording/y.ts";\n');
    expect(upwardImports(reexport)).toHaveLength(1);
    const strings = 'const where = "../recording/y.ts";\n// import { y } from "../recording/y.ts";\n';
    expect(importsOf(base, `${strings}const s = \`import("../recording/y.ts")\`;\n`)).toEqual([]);
    const command = join(SRC, "commands", "x.ts");
    expect(
      commandsAroundOperations(
        importsOf(
          command,
          'import { a } from "../core/operations/undo.ts";\nimport { b } from "../core/transaction/plan.ts";',
        ),
      ),
    ).toEqual(["commands/x.ts:2 imports core/transaction/plan.ts"]);
    const multiline = importsOf(base, 'import {\n  a,\n  b,\n} from "../recording/y.ts";\n');
    expect(upwardImports(multiline)).toEqual([
      "core/base/x.ts:4 imports core/recording/y.ts (core/recording is not below core/base)",
    ]);
  });
});
