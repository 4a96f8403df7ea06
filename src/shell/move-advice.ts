/**
 * The notice's advice when python3 became a newer minor version than the default venv's: a
 * command that moves the packages there. `pyctl rebuild --python X.Y` does that only while no
 * X.Y venv exists (with one, it rebuilds that venv in place), so then the advice installs the
 * packages you asked for into the existing venv with pipX.Y (pip merges them with what is
 * there; recorded, so one undo reverts it) and makes X.Y the default.
 */
import { existsSync } from "node:fs";
import type { Layout } from "../core/base/paths.ts";

const SEEDED = new Set(["pip", "setuptools", "wheel"]);

export async function moveAdvice(layout: Layout, from: string, to: string): Promise<string> {
  if (!existsSync(layout.venvDir(to))) return `run \`pyctl rebuild --python ${to}\` to move them`;
  const { explicitOf } = await import("../core/recording/explicit.ts");
  const { inventoryOf, targetFor } = await import("../core/recording/target.ts");
  const source = targetFor(layout, from);
  const names = existsSync(source.venv)
    ? [...explicitOf(source, inventoryOf(source)).keys()].filter((k) => !SEEDED.has(k)).sort()
    : [];
  const install = names.length ? `\`pip${to} install ${names.join(" ")}\` adds them to it, then ` : "";
  return `a Python ${to} venv exists already (\`pyctl rebuild --python ${to}\` would only rebuild that one): ${install}\`pyctl config python.default ${to}\` makes it your default`;
}
