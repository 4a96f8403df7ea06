/**
 * The complete file set of a tree (a venv): every path with its kind and size (a symlink with its
 * target), so "unchanged" means every file, not only what `pip freeze` shows.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
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

/**
 * The file set with each file's bytes (a sha256) and mode: "the same file set byte for byte"
 * means equal byteSets. Symlinks keep their target, folders their mode.
 */
export function byteSet(root: string, options: { skip?: (rel: string) => boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, kind] of Object.entries(fileSet(root, options))) {
    const full = join(root, path);
    const mode = (lstatSync(full).mode & 0o7777).toString(8);
    if (kind.startsWith("-> ")) out[path] = kind;
    else if (kind === "dir") out[path] = `dir ${mode}`;
    else out[path] = `${new Bun.CryptoHasher("sha256").update(readFileSync(full)).digest("hex")} ${mode}`;
  }
  return out;
}
