/** File-tree plumbing shared by the venv seeds and the package store: hardlink trees, move scripts. */
import {
  copyFileSync,
  linkSync,
  lstatSync,
  statSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  unlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import { errnoCode } from "./errors.ts";

/** Relative paths of every file and symlink below `root` (directories are implied). */
export function walkFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walkFiles(root, path));
    else out.push(path);
  }
  return out;
}

/** Make `dst` the same file as `src`: a hardlink where possible, a copy across filesystems; symlinks are recreated. */
export function linkFile(src: string, dst: string): void {
  mkdirSync(dirname(dst), { recursive: true });
  try {
    unlinkSync(dst);
  } catch {
    /* nothing there */
  }
  if (lstatSync(src).isSymbolicLink()) {
    symlinkSync(readlinkSync(src), dst);
    return;
  }
  linkOrCopy(src, dst);
}

/** Hardlink `src` at `dst` (which must not exist); copy it where a hardlink cannot be made. */
export function linkOrCopy(src: string, dst: string): void {
  try {
    linkSync(src, dst);
  } catch (err) {
    if (!["EXDEV", "EPERM", "EMLINK"].includes(errnoCode(err) ?? "")) throw err;
    copyFileSync(src, dst);
  }
}

export function linkTree(src: string, dst: string, files: string[] = walkFiles(src)): void {
  for (const rel of files) linkFile(join(src, rel), join(dst, rel));
}

function isText(head: Buffer): boolean {
  return !head.includes(0);
}

/**
 * Replace `from` with `to` in the text files of a venv's bin/ (script shebangs, activate scripts)
 * and in pyvenv.cfg. Files are replaced, never edited in place: they may be hardlinks into the store.
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
        text.replace(whole, () => to),
        statSync(path).mode & 0o7777,
      );
  }
}
