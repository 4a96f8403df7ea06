/**
 * A distribution's RECORD (PEP 376, 627): one CSV line `path,sha256=<urlsafe base64, no padding>,size`
 * per installed file, paths relative to site-packages, written by pip with "\r\n" line ends.
 * pyctl rewrites a few installed files (scripts' shebangs when a venv is built elsewhere, the
 * REQUESTED marker): this module keeps RECORD saying what those files are. RECORD is replaced,
 * never edited in place: it may be a hardlink into the store or a venv seed.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";

export interface RecordLine {
  path: string;
  hash: string;
  size: string;
}

/** One RECORD line; undefined for a blank or malformed one. */
export function parseRecordLine(line: string): RecordLine | undefined {
  let path: string;
  let rest: string;
  if (line.startsWith('"')) {
    const end = line.indexOf('",');
    if (end < 0) return undefined;
    path = line.slice(1, end).replace(/""/g, '"');
    rest = line.slice(end + 2);
  } else {
    const comma = line.lastIndexOf(",", line.lastIndexOf(",") - 1);
    if (comma <= 0) return undefined;
    path = line.slice(0, comma);
    rest = line.slice(comma + 1);
  }
  const [hash = "", size = ""] = rest.split(",");
  return { path, hash, size };
}

export function formatRecordLine(r: RecordLine): string {
  const path = /[",\r\n]/.test(r.path) ? `"${r.path.replace(/"/g, '""')}"` : r.path;
  return `${path},${r.hash},${r.size}`;
}

/** The line end a RECORD uses: pip's "\r\n" unless the file already uses "\n" only. */
export function recordLineEnd(text: string): string {
  return text.includes("\n") && !text.includes("\r\n") ? "\n" : "\r\n";
}

/**
 * The key of a build: a hash of its RECORD's hashed lines (REQUESTED, and bytecode, which pip lists unhashed, left out), so
 * two builds of one version with different files are different entries.
 */
export function buildKey(recordText: string): string {
  const lines = recordText
    .split(/\r?\n/)
    .map(parseRecordLine)
    .filter((r) => r?.hash && !r.path.endsWith(".dist-info/REQUESTED"))
    .map((r) => `${r!.path},${r!.hash}`)
    .sort();
  return new Bun.CryptoHasher("sha256").update(lines.join("\n")).digest("hex").slice(0, 12);
}

/** The build key of the dist-info at `metadataPath`; undefined without a readable RECORD. */
export function buildOf(metadataPath: string): string | undefined {
  try {
    return buildKey(readFileSync(join(metadataPath, "RECORD"), "utf8"));
  } catch {
    return undefined;
  }
}

/** RECORD's hash of some bytes: `sha256=` and the urlsafe base64 digest without padding. */
export function recordDigest(data: Uint8Array | string): string {
  const digest = new Bun.CryptoHasher("sha256").update(data).digest("base64");
  return `sha256=${digest.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** The RECORD hash of a file on disk (symlinks are hashed as the file they point to, as pip reads them). */
export function fileDigest(path: string): string {
  return recordDigest(readFileSync(path));
}

/**
 * Rewrite the RECORD of the dist-info at `metadataPath` with `edit`, which changes the parsed
 * lines in place and says whether it changed anything. Line ends are kept.
 */
export function editRecord(metadataPath: string, edit: (lines: (RecordLine | string)[]) => boolean): void {
  const record = `${metadataPath}/RECORD`;
  let text: string;
  try {
    text = readFileSync(record, "utf8");
  } catch {
    return;
  }
  const end = recordLineEnd(text);
  const lines: (RecordLine | string)[] = text
    .split(/\r?\n/)
    .filter((l, i, all) => l !== "" || i < all.length - 1)
    .map((l) => parseRecordLine(l) ?? l);
  if (!edit(lines)) return;
  const body = lines.map((l) => (typeof l === "string" ? l : formatRecordLine(l))).join(end);
  writeFileAtomic(record, body === "" ? "" : `${body}${end}`, statSync(record).mode & 0o7777);
}

/**
 * Make the RECORD lines of the given files (absolute paths) carry their current hash and size:
 * after pyctl rewrote them (a script's shebang naming the venv's final path).
 */
export function rehashRecorded(metadataPath: string, changed: Set<string>): void {
  const site = dirname(metadataPath);
  editRecord(metadataPath, (lines) => {
    let edited = false;
    for (const line of lines) {
      if (typeof line === "string" || !line.hash) continue;
      const path = resolve(site, line.path);
      if (!changed.has(path)) continue;
      let data: Buffer;
      try {
        if (lstatSync(path).isSymbolicLink()) continue;
        data = readFileSync(path);
      } catch {
        continue; // gone: a RECORD check names it
      }
      const hash = recordDigest(data);
      if (hash === line.hash && line.size === String(data.length)) continue;
      Object.assign(line, { hash, size: String(data.length) });
      edited = true;
    }
    return edited;
  });
}

/**
 * After a venv's scripts were pointed at another path (relocateVenvText), make every RECORD of
 * its site-packages say what its bin/ files now are.
 */
export function rehashVenvScripts(venv: string, sitePackages: string): void {
  const bin = resolve(venv, "bin");
  let names: string[];
  try {
    names = readdirSync(sitePackages).filter((n) => n.endsWith(".dist-info"));
  } catch {
    return;
  }
  const scripts = new Set<string>();
  try {
    for (const name of readdirSync(bin)) scripts.add(`${bin}/${name}`);
  } catch {
    return;
  }
  for (const name of names) rehashRecorded(`${sitePackages}/${name}`, scripts);
}
