// A recorded `pip install` (cli.ts -> context.ts -> commands/pip.ts) loads only what it runs: no
// snapshots, dependency graph, adopt, transaction engine or staging pip step. This follows the
// imports the runtime evaluates: static ones that are not type-only (import() is loaded lazily).
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import * as ts from "typescript";

const SRC = resolve(import.meta.dir, "..", "..", "src");

/** Relative modules `file` evaluates when it loads. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const node of source.statements) {
    if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) || !node.moduleSpecifier) continue;
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes =
        clause && !clause.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
      if (onlyTypes) continue;
    } else if (node.isTypeOnly) continue;
    const specifier = (node.moduleSpecifier as ts.StringLiteral).text;
    if (specifier.startsWith(".")) found.push(resolve(dirname(file), specifier));
  }
  return found;
}

function loadedBy(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of runtimeImports(file)) visit(next);
  };
  for (const entry of entries) visit(resolve(SRC, entry));
  return new Set([...seen].map((f) => relative(SRC, f)));
}

const NOT_ON_THE_HOT_PATH = [
  /^core\/recording\/snapshots\.ts$/,
  /^core\/recording\/graph\.ts$/,
  /^core\/packages\/dependencies\.ts$/,
  /^core\/packages\/requirements-check\.ts$/,
  /^core\/packages\/adopt-source\.ts$/,
  /^core\/operations\//,
  /^core\/transaction\//,
  /^core\/doctor\//,
  /^ui\/transaction\.ts$/,
];

test("a recorded pip write loads no snapshots, graph, adopt, engine or staging pip step", () => {
  const loaded = [...loadedBy(["cli.ts", "commands/context.ts", "commands/pip.ts"])];
  expect(loaded).toContain("core/recording/recorder.ts");
  expect(loaded.filter((m) => NOT_ON_THE_HOT_PATH.some((re) => re.test(m))).sort()).toEqual([]);
});

test("`pyctl --version` loads nothing of pyctl", () => {
  expect([...loadedBy(["cli.ts"])]).toEqual(["cli.ts"]);
});
