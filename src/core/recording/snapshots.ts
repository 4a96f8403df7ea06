/**
 * Named snapshots: snapshots/NAME.txt, a package set in `pip freeze --all` format with a header:
 *
 *   # pyctl snapshot: NAME
 *   # python: 3.11.2
 *   # date: 2026-11-20T10:30:00.000Z
 *   # explicit: packages you asked for end with "# explicit"
 *   alpha==1.0
 *   beta==2.0  # explicit
 *
 * A trailing "# explicit" marks a package you asked for (pip reads it as a comment, so the file
 * stays a requirements file); restore makes exactly those explicit and the rest dependencies.
 * A snapshot without the "# explicit:" header line (older ones) says nothing about it: restore
 * then keeps the marks of what stays and gives the rest the marks their source carries.
 */
import { decodeRequirementsText, printable } from "../packages/requirements-check.ts";
import { isPinned, parseFreezeLine } from "../packages/freeze-line.ts";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { makeDataDir } from "../base/modes.ts";
import { PyctlError, UsageError } from "../base/errors.ts";
import { freezeLinesOf, type Dist } from "../packages/inventory.ts";

export interface SnapshotHeader {
  name: string;
  python: string;
  date: string;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

export function validateSnapshotName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(
      `invalid snapshot name "${name}"`,
      "use 1-64 letters, digits, '.', '_' or '-', not starting with '.' or '-'",
    );
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

/** pip freeze --all never lists these. */
const NEVER_LISTED = new Set(["python", "wsgiref", "argparse"]);
const EXPLICIT_HEADER = '# explicit: packages you asked for end with "# explicit"\n';
const EXPLICIT_MARK = /\s+#\s*explicit\s*$/;

/** The package set in `pip freeze --all` format, with the explicit mark on each package in `explicit`. */
export function snapshotText(dists: Dist[], explicit: Set<string>): string {
  let text = EXPLICIT_HEADER;
  for (const dist of dists) {
    if (NEVER_LISTED.has(dist.key)) continue;
    const lines = freezeLinesOf(dist);
    const last = lines.length - 1;
    text += lines
      .map((line, i) => (i === last && explicit.has(dist.key) ? `${line}  # explicit\n` : `${line}\n`))
      .join("");
  }
  return text;
}

export interface Snapshot extends SnapshotHeader {
  path: string;
  /** Requirement lines, comments and blanks dropped (and the explicit marks). */
  lines: string[];
  /** For each line, whether it is marked explicit; undefined for a snapshot that does not say. */
  explicit?: boolean[];
}

/**
 * Give each wanted line the snapshot's explicit mark, if it has marks. `lines` are the lines the
 * goal was made from, in its order (the snapshot's, or those whose markers apply, markers cut off).
 */
export function applyExplicitMarks(
  wanted: { requested?: boolean }[],
  snapshot: Snapshot,
  lines: string[] = snapshot.lines,
): void {
  const marks = snapshot.explicit;
  if (!marks) return;
  for (const [i, w] of wanted.entries()) {
    const line = lines[i] ?? "";
    const at = snapshot.lines.findIndex((l) => l === line || l.startsWith(`${line};`) || l.startsWith(`${line} `));
    w.requested = at >= 0 && marks[at] === true;
  }
}

export function parseSnapshotText(path: string, text: string, name: string): Snapshot {
  const header: SnapshotHeader = { name, python: "", date: "" };
  const lines: string[] = [];
  const explicit: boolean[] = [];
  let marked = false;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    let line = raw.trim();
    const meta = /^#\s*(python|date):\s*(.*)$/.exec(line);
    if (meta) header[meta[1] as "python" | "date"] = meta[2]!.trim();
    if (/^#\s*explicit:/.test(line)) marked = true;
    if (!line || line.startsWith("#")) continue;
    explicit.push(EXPLICIT_MARK.test(line));
    line = line.replace(EXPLICIT_MARK, "");
    const parsed = parseFreezeLine(line);
    if (!parsed || !isPinned(parsed)) {
      throw new PyctlError(
        `${path}:${i + 1}: not a pinned requirement (name==version, name @ url or -e path): ${printable(line)}`,
      );
    }
    lines.push(line);
  }
  return { ...header, path, lines, ...(marked || explicit.includes(true) ? { explicit } : {}) };
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
