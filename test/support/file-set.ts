/**
 * The complete file set of a tree (a venv): every path with its kind and size (a symlink with its
 * target), so "unchanged" means every file, not only what `pip freeze` shows.
 */
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";

export function fileSet(root: string, options: { skip?: (rel: string) => boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (rel: string) => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (options.skip?.(path)) continue;
      const full = join(root, path);
      if (entry.isSymbolicLink()) out[path] = `-> ${readlinkSync(full)}`;
      else if (entry.isDirectory()) {
        out[`${path}/`] = "dir";
        visit(path);
      } else out[path] = `${lstatSync(full).size} bytes`;
    }
  };
  visit("");
  return out;
}

/** Bytecode Python writes whenever a module is imported: left out when a test runs the venv's code. */
export const bytecode = (rel: string) => rel.endsWith("__pycache__") || rel.endsWith(".pyc");
