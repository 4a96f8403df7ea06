/** File-tree plumbing shared by the venv seeds and the package store: hardlink trees, move scripts. */
import {
  copyFileSync,
  linkSync,
  lstatSync,
  statSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import { errnoCode } from "./errors.ts";
import { fsPath, listEntries } from "./raw-names.ts";

/** Relative paths of every file and symlink below `root` (directories are implied); names as raw-names.ts gives them. */
export function walkFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of listEntries(join(root, rel))) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDir) out.push(...walkFiles(root, path));
    else out.push(path);
  }
  return out;
}

/** Make `dst` the same file as `src`: a hardlink where possible, a copy across filesystems; symlinks are recreated. */
export function linkFile(src: string, dst: string): void {
  mkdirSync(fsPath(dirname(dst)), { recursive: true });
  try {
    unlinkSync(fsPath(dst));
  } catch {
    /* nothing there */
  }
  if (lstatSync(fsPath(src)).isSymbolicLink()) {
    symlinkSync(readlinkSync(fsPath(src), { encoding: "buffer" }), fsPath(dst));
    return;
  }
  linkOrCopy(src, dst);
}

/** Hardlink `src` at `dst` (which must not exist); copy it where a hardlink cannot be made. */
/** Hardlink `src` at `dst`, or copy it where a link cannot be made; true when it linked. */
export function linkOrCopy(src: string, dst: string): boolean {
  try {
    linkSync(fsPath(src), fsPath(dst));
    return true;
  } catch (err) {
    if (!["EXDEV", "EPERM", "EMLINK"].includes(errnoCode(err) ?? "")) throw err;
    copyFileSync(fsPath(src), fsPath(dst));
    return false;
  }
}

export function linkTree(src: string, dst: string, files: string[] = walkFiles(src)): void {
  for (const rel of files) linkFile(join(src, rel), join(dst, rel));
}

/**
 * Recreate `src` at `dst`: directories made (same modes), files hardlinked (or copied where
 * `copy(parent, name)` says so), symlinks recreated. A name that is not UTF-8 is carried byte
 * for byte (raw-names.ts).
 */
export function cloneTreeBytes(src: string, dst: string, copy: (parent: string, name: string) => boolean): void {
  mkdirSync(fsPath(dst), { mode: statSync(fsPath(src)).mode & 0o7777 });
  for (const { name, isDir, isLink } of listEntries(src)) {
    const [from, to] = [join(src, name), join(dst, name)];
    if (isDir) cloneTreeBytes(from, to, copy);
    else if (isLink) symlinkSync(readlinkSync(fsPath(from), { encoding: "buffer" }), fsPath(to));
    else if (copy(src, name)) copyFileSync(fsPath(from), fsPath(to));
    else linkOrCopy(from, to);
  }
}

function isText(head: Buffer): boolean {
  return !head.includes(0);
}

/** The longest first line a script gets as `#!PYTHON` (pip's script maker's limit: older kernels cut at 127). */
const SHEBANG_MAX = 127;

/**
 * A script's first line that runs `python`, as pip's script maker (distlib) writes it: `#!PYTHON`,
 * or for a path with a space or too long for a shebang, /bin/sh lines that exec it on this script
 * (a no-op string to Python).
 */
function shebangFor(python: string): string {
  if (python.length + 3 <= SHEBANG_MAX && !python.includes(" ")) return `#!${python}\n`;
  return `#!/bin/sh\n'''exec' "${python}" "$0" "$@"\n' '''\n`;
}

/** A script of the venv `to` whose `#!` line would not work there is given the /bin/sh form. */
function fitShebang(text: string, to: string): string {
  const end = text.indexOf("\n");
  if (!text.startsWith(`#!${to}/bin/`) || end < 0) return text;
  const python = text.slice(2, end);
  if (python.slice(to.length).includes(" ")) return text; // arguments after the interpreter: not pip's
  return shebangFor(python) + text.slice(end + 1);
}

/**
 * Replace `from` with `to` in the text files of a venv's bin/ (script shebangs, activate scripts)
 * and in pyvenv.cfg; a script's `#!` line that would be too long or hold a space at the new path
 * takes the form pip gives one there. Files are replaced, never edited in place: they may be
 * hardlinks into the store.
 */
export function relocateVenvText(venv: string, from: string, to: string): void {
  if (from === to) return;
  const candidates = [join(venv, "pyvenv.cfg"), ...walkFiles(join(venv, "bin")).map((f) => join(venv, "bin", f))];
  for (const path of candidates) {
    if (lstatSync(path).isSymbolicLink()) continue;
    const data = readFileSync(path);
    if (!isText(data.subarray(0, 1024))) continue;
    const text = data.toString("utf8");
    // Only whole paths: "/x/venv" must not match inside "/x/venv.staging".
    const whole = new RegExp(`${from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w.-])`, "g");
    if (whole.test(text))
      writeFileAtomic(
        path,
        fitShebang(
          text.replace(whole, () => to),
          to,
        ),
        statSync(path).mode & 0o7777,
      );
  }
}
