/**
 * The complete file set of a tree (a venv): every path with its kind and size (a symlink with its
 * target), so "unchanged" means every file, not only what `pip freeze` shows. Names are read as
 * bytes: one that is not UTF-8 shows with \xNN escapes, so two such files never look alike.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";

/** A name's bytes as text: printable ASCII and UTF-8 as they are, any other byte as \xNN. */
function shown(name: Buffer): string {
  const text = name.toString("utf8");
  if (Buffer.from(text).equals(name) && !text.includes("\uFFFD")) return text;
  return [...name].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16)}`)).join("");
}

export function fileSet(root: string, options: { skip?: (rel: string) => boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: Buffer, rel: string) => {
    for (const name of readdirSync(dir, { encoding: "buffer" }) as Buffer[]) {
      const full = Buffer.concat([dir, Buffer.from("/"), name]);
      const path = rel ? `${rel}/${shown(name)}` : shown(name);
      if (options.skip?.(path)) continue;
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out[path] = `-> ${readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[`${path}/`] = "dir";
        visit(full, path);
      } else out[path] = `${st.size} bytes`;
    }
  };
  visit(Buffer.from(root), "");
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
    const full = `${root}/${path}`;
    const mode = (lstatSync(full).mode & 0o7777).toString(8);
    if (kind.startsWith("-> ")) out[path] = kind;
    else if (kind === "dir") out[path] = `dir ${mode}`;
    else out[path] = `${new Bun.CryptoHasher("sha256").update(readFileSync(full)).digest("hex")} ${mode}`;
  }
  return out;
}
