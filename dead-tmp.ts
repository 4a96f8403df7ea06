import * as ts from "typescript";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(d, e.name)] : []);
const all = [...files("src"), ...files("test"), ...files("bench"), ...files("scripts")];
const texts = new Map(all.map((f) => [f, readFileSync(f, "utf8")]));
for (const f of files("src")) {
  const sf = ts.createSourceFile(f, texts.get(f)!, ts.ScriptTarget.Latest, true);
  for (const st of sf.statements) {
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    if (!mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    const names: string[] = [];
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) names.push(d.name.getText());
    else if ((st as any).name) names.push((st as any).name.getText());
    for (const n of names) {
      const re = new RegExp(`\\b${n}\\b`);
      const users = [...texts].filter(([g, t]) => g !== f && re.test(t));
      const selfUses = (texts.get(f)!.match(new RegExp(`\\b${n}\\b`, "g")) ?? []).length;
      if (users.length === 0) console.log(`${f}: ${n}${selfUses > 1 ? " (used inside)" : " (UNUSED)"}`);
    }
  }
}
