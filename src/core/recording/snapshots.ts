/**
 * Named snapshots: snapshots/NAME.txt, a package set in `pip freeze --all` format with a header:
 *
 *   # pyctl snapshot: NAME
 *   # python: 3.11.2
 *   # date: 2026-11-20T10:30:00.000Z
 *   alpha==1.0
 *   beta==2.0
 */
import { decodeRequirementsText, printable } from "../packages/requirements-check.ts";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { makeDataDir } from "../base/modes.ts";
import { PyctlError, UsageError } from "../base/errors.ts";

export interface SnapshotHeader {
  name: string;
  python: string;
  date: string;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

export function validateSnapshotName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(`invalid snapshot name "${name}"`, "use 1-64 letters, digits, '.', '_' or '-', not starting with '.' or '-'");
  }
  return name;
}

export function snapshotPath(dir: string, name: string): string {
  return join(dir, `${validateSnapshotName(name)}.txt`);
}

export function writeSnapshot(dir: string, name: string, python: string, freezeAll: string, date = new Date()): string {
  const path = snapshotPath(dir, name);
  makeDataDir(dir);
  const header = `# pyctl snapshot: ${name}\n# python: ${python}\n# date: ${date.toISOString()}\n`;
  writeFileAtomic(path, header + freezeAll);
  return path;
}

export interface Snapshot extends SnapshotHeader {
  path: string;
  /** Requirement lines, comments and blanks dropped. */
  lines: string[];
}

export function parseSnapshotText(path: string, text: string, name: string): Snapshot {
  const header: SnapshotHeader = { name, python: "", date: "" };
  const lines: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    const meta = /^#\s*(python|date):\s*(.*)$/.exec(line);
    if (meta) header[meta[1] as "python" | "date"] = meta[2]!.trim();
    if (!line || line.startsWith("#")) continue;
    if (!/^(-e\s+\S|[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*(===?\s*[^\s=<>!~]|@\s*\S))/.test(line)) {
      throw new PyctlError(`${path}:${i + 1}: not a pinned requirement (name==version, name @ url or -e path): ${printable(line)}`);
    }
    lines.push(line);
  }
  return { ...header, path, lines };
}

export function readSnapshot(dir: string, name: string): Snapshot {
  const path = snapshotPath(dir, name);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new PyctlError(`no snapshot named "${name}"`, { hint: "`pyctl list-snapshots` shows the snapshots" });
  }
  return parseSnapshotText(path, text, name);
}

/** A freeze or requirements file given by path (`pyctl restore FILE`). */
export function readSnapshotFile(path: string): Snapshot {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new PyctlError(`cannot read ${path}`, { hint: "restore takes a snapshot name or the path of a freeze file" });
  }
  return parseSnapshotText(path, decodeRequirementsText(path, bytes), basename(path).replace(/\.txt$/, ""));
}

export function listSnapshotNames(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".txt"))
      .map((f) => f.slice(0, -4))
      .filter((n) => NAME.test(n))
      .sort();
  } catch {
    return [];
  }
}

export function deleteSnapshot(dir: string, name: string): void {
  readSnapshot(dir, name);
  rmSync(snapshotPath(dir, name));
}
