import * as ts from "typescript";
import { readFileSync } from "node:fs";
import { dirname, resolve, relative } from "node:path";
const seen = new Map<string, string>();
function walk(file: string, from: string) {
  if (seen.has(file)) return;
  seen.set(file, from);
  const text = readFileSync(file, "utf8");
  for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
    const before = text.slice(0, ref.pos);
    if (/\bimport\s*\(\s*$/.test(before)) continue;
    if (/import\s+type\b[^;]*$/.test(before.split("\n").slice(-8).join("\n")) && /^import type|^export type/m.test(before.slice(before.lastIndexOf("\n", before.lastIndexOf("import")) ))) {}
    if (!ref.fileName.startsWith(".")) { seen.set("pkg:" + ref.fileName, relative("src", file)); continue; }
    walk(resolve(dirname(file), ref.fileName), relative("src", file));
  }
}
for (const f of process.argv.slice(2)) walk(resolve(f), "root");
for (const [f, from] of seen) console.log(relative("src", f).padEnd(45), "<-", from);
