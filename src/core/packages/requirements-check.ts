/**
 * What a requirements or freeze FILE must be before `pyctl restore FILE` plans anything: UTF-8
 * text (UTF-16 and binary files are named as such), no control characters (never echoed raw to a
 * terminal), environment markers decided for the venv's Python (a line whose marker is false is
 * left out, as pip would), no project named twice, and no `--hash` options: pyctl restores from
 * its store of installed files, which cannot be checked against an archive's hash, so it refuses
 * rather than ignore them. The same checks hold for a freeze file or snapshot (applicableLines)
 * and for any other requirements file and the files it includes (checkRequirementsFile).
 * Separate from requirements.ts, which parses single requirements.
 */
import { PyctlError } from "../base/errors.ts";
import { markerAt, parseFreezeLine } from "./freeze-line.ts";
import {
  evaluateMarker,
  parseRequirement,
  RequirementError,
  requirementApplies,
  type MarkerEnvironment,
  type Requirement,
} from "./requirements.ts";

/** C0 and C1 control characters, tab aside: what could drive a terminal if echoed. */
const isControl = (code: number) => (code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f);

export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return false;
}

/** `text` with control characters shown as escapes, safe to print. */
export function printable(text: string): string {
  let out = "";
  for (const ch of text)
    out += isControl(ch.charCodeAt(0)) ? `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}` : ch;
  return out;
}

/** The file's text, or one clear error for UTF-16, binary or non-UTF-8 content. */
export function decodeRequirementsText(path: string, bytes: Uint8Array): string {
  const head = bytes.subarray(0, 64);
  const nuls = (parity: number) => head.filter((b, i) => i % 2 === parity && b === 0).length;
  const bom16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  const half = Math.floor(head.length / 2);
  if (bom16 || (head.length >= 4 && (nuls(0) === half || nuls(1) === half))) {
    throw new PyctlError(`${path} is UTF-16 text; pip and pyctl read requirements files as UTF-8`, {
      hint: `convert it: iconv -f UTF-16 -t UTF-8 ${path}`,
    });
  }
  if (bytes.includes(0)) throw new PyctlError(`${path} is not a text file (binary data at byte ${bytes.indexOf(0)})`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new PyctlError(`${path} is not UTF-8 text`);
  }
}

function projectKey(line: string): string | undefined {
  return parseFreezeLine(line)?.key || undefined;
}

/** One line for a hash-checked file (`what`: "alpha==1.0 has --hash", or the --require-hashes switch). */
function hashRefused(file: string, what: string, top: string): PyctlError {
  return new PyctlError(
    `${file}: ${what}: pyctl restores from its store of installed files and cannot check an archive's hash`,
    {
      hint: `remove the --hash options to restore with pyctl, or install with \`pip install --require-hashes -r ${top}\``,
    },
  );
}

/**
 * The requirement lines that apply to a venv with marker environment `env`, markers removed.
 * Throws one PyctlError for a control character, a `--hash` option, a bad marker or a project
 * named twice.
 */
export function applicableLines(
  path: string,
  lines: string[],
  env: MarkerEnvironment,
  skipped?: (line: string) => void,
): string[] {
  const kept: string[] = [];
  const seen = new Map<string, string>();
  for (const raw of lines) {
    if (hasControl(raw)) throw new PyctlError(`${path}: a line holds a control character: ${printable(raw)}`);
    if (/(^|\s)--hash([=\s]|$)/.test(raw)) throw hashRefused(path, `${raw.split(/\s/)[0]} has --hash`, path);
    let line = raw;
    const semi = line.startsWith("-e") ? -1 : markerAt(line);
    if (semi >= 0) {
      let applies: boolean;
      try {
        const marker = parseRequirement(line).marker;
        applies = marker ? evaluateMarker(marker, env) : true;
      } catch (err) {
        throw new PyctlError(`${path}: ${err instanceof RequirementError ? err.message : `bad marker in: ${line}`}`);
      }
      if (!applies) {
        skipped?.(line);
        continue;
      }
      line = line.slice(0, semi).trim();
    }
    const key = projectKey(line);
    if (key !== undefined) {
      const first = seen.get(key);
      if (first !== undefined) throw new PyctlError(`${path} names ${key} twice: "${first}" and "${line}"`);
      seen.set(key, line);
    }
    kept.push(line);
  }
  return kept;
}

/** A line of a requirements file as requirements-file.ts reads it (its RequirementLine). */
export interface FileLine {
  /** The requirement as written, per-requirement options removed. */
  text: string;
  file: string;
  line: number;
  /** A PEP 508 requirement; undefined for `-e`, paths and bare URLs, which only pip resolves. */
  requirement?: Requirement;
  editable: boolean;
  /** The line carries `--hash` options (pip's hash-checking mode). */
  hashed: boolean;
}

/**
 * The checks of applicableLines for a requirements file read with everything it includes:
 * `--hash` on any line or `--require-hashes` refused, a project named twice among the lines that
 * apply refused. Returns the requirement lines whose marker is false here, for the caller to name
 * (pip leaves them out too). Control characters and encodings are the reader's checks.
 */
export function checkRequirementsFile(
  file: { path: string; requirements: FileLine[]; constraints: FileLine[]; options: string[] },
  env: MarkerEnvironment,
): FileLine[] {
  if (file.options.includes("--require-hashes"))
    throw hashRefused(file.path, "--require-hashes asks for hash checking", file.path);
  const hashed = [...file.requirements, ...file.constraints].find((r) => r.hashed);
  if (hashed) throw hashRefused(hashed.file, `${hashed.text.split(" ")[0]} has --hash`, file.path);
  const skipped: FileLine[] = [];
  const seen = new Map<string, FileLine>();
  for (const r of file.requirements) {
    if (r.requirement && !requirementApplies(r.requirement, env)) {
      skipped.push(r);
      continue;
    }
    const key = r.requirement?.key ?? projectKey(`-e ${r.text}`);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first) {
      const where = (l: FileLine) => (first.file === r.file && r.file === file.path ? "" : ` (${l.file}:${l.line})`);
      throw new PyctlError(
        `${file.path} names ${key} twice: "${first.text}"${where(first)} and "${r.text}"${where(r)}`,
      );
    }
    seen.set(key, r);
  }
  return skipped;
}
