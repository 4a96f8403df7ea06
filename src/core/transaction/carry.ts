/**
 * Carrying a pure-Python distribution from one Python version's store into a venv of another
 * minor version, offline: a wheel tagged pyN-none-any with Root-Is-Purelib installs the same
 * files for every Python 3, so only the site-packages folder name (lib/python3.11 ->
 * lib/python3.12) and the scripts' shebangs change. Bytecode is left out (Python recompiles it).
 */
import { lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { linkOrCopy } from "../base/fstree.ts";
import { rehashRecorded } from "../python/record.ts";
import { manifestDir, type StoreManifest } from "../recording/store.ts";
import { indexEntry } from "../recording/store-serve.ts";

const PURE_TAG = /^py\d*(\.py\d+)*-none-any$/;

/** Whether a WHEEL file says the wheel is pure Python (every tag pyN-none-any, purelib root). */
export function isPureWheel(wheelText: string): boolean {
  const fields = wheelText.split(/\r?\n/).map((line) => line.split(":").map((part) => part.trim()));
  const purelib = fields.some(
    ([key, value]) => key?.toLowerCase() === "root-is-purelib" && value?.toLowerCase() === "true",
  );
  const tags = fields.filter(([key]) => key?.toLowerCase() === "tag").map(([, value]) => value ?? "");
  return purelib && tags.length > 0 && tags.every((tag) => PURE_TAG.test(tag));
}

/** The store entry of `name==version` if it can be carried to another minor version; else why not. */
export function carriableEntry(store: string, name: string, version: string, fromSite: string): StoreManifest | string {
  const manifest = indexEntry(store, name, version);
  if (!manifest) return "not in the local package store";
  const wheel = manifest.files.find((f) => /\.dist-info\/WHEEL$/.test(f));
  if (!wheel) return "not installed from a wheel";
  if (!isPureWheel(readFileSync(join(manifestDir(store, manifest), "files", wheel), "utf8")))
    return "not a pure-Python wheel";
  if (!manifest.files.every((f) => f.startsWith(`${fromSite}/`) || f.startsWith("bin/")))
    return "it has files outside site-packages and bin/";
  return manifest;
}

/** The old venv's path becomes the new one's; its versioned python (bin/python3.11) becomes bin/python. */
function renameVenvIn(text: string, from: string, to: string): string {
  return text
    .split(`${from}/bin/python`)
    .map((part, i) => (i === 0 ? part : part.replace(/^\d+(\.\d+)?/, "")))
    .join(`${to}/bin/python`)
    .split(from)
    .join(to);
}

function isText(data: Buffer): boolean {
  return !data.subarray(0, 1024).includes(0);
}

/** Link a carriable entry into `venv` (the staging one), its site-packages renamed; scripts name `finalVenv`. */
export function carryEntry(
  store: string,
  manifest: StoreManifest,
  fromSite: string,
  toSite: string,
  venv: string,
  finalVenv: string,
): void {
  const files = join(manifestDir(store, manifest), "files");
  const moved = (rel: string) => (rel.startsWith(`${fromSite}/`) ? toSite + rel.slice(fromSite.length) : rel);
  const rewritten = new Set<string>();
  for (const rel of manifest.files) {
    if (rel.endsWith(".pyc")) continue;
    const src = join(files, rel);
    const dst = join(venv, moved(rel));
    mkdirSync(dirname(dst), { recursive: true });
    try {
      unlinkSync(dst);
    } catch {
      /* nothing there */
    }
    const st = lstatSync(src);
    if (st.isSymbolicLink()) {
      symlinkSync(readlinkSync(src), dst);
      continue;
    }
    if (rel.startsWith("bin/")) {
      const data = readFileSync(src);
      if (isText(data) && data.includes(manifest.venv)) {
        writeFileAtomic(
          dst,
          renameVenvIn(data.toString("utf8"), manifest.venv, finalVenv),
          statSync(src).mode & 0o7777,
        );
        rewritten.add(dst);
        continue;
      }
    }
    linkOrCopy(src, dst);
  }
  // The scripts now name the new venv: RECORD must say what they are.
  const record = manifest.files.find((f) => /\.dist-info\/RECORD$/.test(f));
  if (record && rewritten.size) rehashRecorded(join(venv, dirname(moved(record))), rewritten);
}
