/**
 * Requirements files as pip reads them (pip's req_file.py): `\` continues a line, ` #` starts a
 * comment, `${VAR}` is taken from the environment, `-r`/`-c` include other files (relative to the
 * including file), option lines (`--index-url`, `--find-links`, `--pre`, …) apply to the whole
 * install, and every other line is a requirement, with per-requirement options (`--hash=…`) after it.
 * This module reads; pip itself installs from the same file (`pip install -r FILE`). Every file
 * read, included ones too, must be UTF-8 text without control characters (one line otherwise);
 * what a restore then refuses (`--hash`, a project named twice) is requirements-check.ts's.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { PyctlError } from "../base/errors.ts";
import { decodeRequirementsText, type FileLine, hasControl, printable } from "./requirements-check.ts";
import { parseFreezeLine } from "./freeze-line.ts";
import { parseRequirement, RequirementError, type Requirement } from "./requirements.ts";

/** A requirement line and where it was read (requirements-check.ts checks these). */
export type RequirementLine = FileLine;

export interface RequirementsFile {
  path: string;
  requirements: RequirementLine[];
  /** From `-c` files: they limit versions, they do not ask for packages. */
  constraints: RequirementLine[];
  /** Options that apply to the whole install, as pip arguments (`--index-url URL`, `--pre`). */
  options: string[];
  /** Every file read, the given one first. */
  files: string[];
}

const INCLUDE = new Map([
  ["-r", "r"],
  ["--requirement", "r"],
  ["-c", "c"],
  ["--constraint", "c"],
]);
/** Global options of a requirements file that take a value, with their long spelling. */
const VALUE_OPTIONS = new Map([
  ["-i", "--index-url"],
  ["--index-url", "--index-url"],
  ["--extra-index-url", "--extra-index-url"],
  ["-f", "--find-links"],
  ["--find-links", "--find-links"],
  ["--trusted-host", "--trusted-host"],
  ["--only-binary", "--only-binary"],
  ["--no-binary", "--no-binary"],
  ["--use-feature", "--use-feature"],
  ["-Z", "--use-feature"],
]);
const SWITCHES = new Set(["--no-index", "--pre", "--prefer-binary", "--require-hashes", "--no-deps"]);

/** Physical lines joined at `\`, comments removed, `${VAR}` expanded; [line number, text]. */
export function logicalLines(text: string, env: Record<string, string | undefined>): [number, string][] {
  const lines: [number, string][] = [];
  let pending = "";
  let start = 0;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (!pending) start = i + 1;
    const stripped = raw.replace(/(^|\s)#.*$/, "");
    if (/\\$/.test(stripped) && !/\s#/.test(raw)) {
      pending += stripped.slice(0, -1);
      continue;
    }
    const joined = (pending + stripped)
      .replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => env[name] ?? whole)
      .trim();
    pending = "";
    if (joined) lines.push([start, joined]);
  }
  if (pending.trim()) lines.push([start, pending.trim()]);
  return lines;
}

/** `--opt=value` or `--opt value` (or `-rfile`): the option and its value. */
function splitOption(line: string): [string, string] {
  const eq = /^(--?[A-Za-z-]+)=(.*)$/.exec(line);
  if (eq) return [eq[1]!, eq[2]!.trim()];
  const short = /^(-[a-zA-Z])(\S.*)$/.exec(line);
  if (short && !line.startsWith("--")) return [short[1]!, short[2]!.trim()];
  const at = line.search(/\s/);
  return at < 0 ? [line, ""] : [line.slice(0, at), line.slice(at + 1).trim()];
}

function requirementLine(text: string, file: string, line: number): RequirementLine {
  const editable = /^(-e|--editable)(\s|=)/.test(text);
  const body = editable
    ? text.replace(/^(-e|--editable)[\s=]+/, "")
    : text.replace(/\s+--?[a-z][a-z-]*(=|\s+)\S+/g, "").trim();
  const isPathOrUrl = editable || parseFreezeLine(body)?.name === "";
  let requirement: Requirement | undefined;
  if (!isPathOrUrl) {
    try {
      requirement = parseRequirement(body);
    } catch (err) {
      if (err instanceof RequirementError) throw new PyctlError(`${file}:${line}: ${err.message}`);
      throw err;
    }
  }
  return { text: body.replace(/\s+/g, " "), file, line, requirement, editable, hashed: /\s--hash([=\s]|$)/.test(text) };
}

/** The file as UTF-8 text (a BOM dropped), or one line saying why not (UTF-16, binary). */
function readText(path: string, from?: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new PyctlError(`cannot read ${path}${from ? ` (included from ${from})` : ""}`);
  }
  return decodeRequirementsText(path, bytes);
}

/** Read a requirements file and everything it includes. */
export function readRequirementsFile(
  path: string,
  env: Record<string, string | undefined> = process.env,
): RequirementsFile {
  const result: RequirementsFile = { path, requirements: [], constraints: [], options: [], files: [] };
  const visit = (file: string, constraint: boolean, from?: string) => {
    const abs = resolve(file);
    if (result.files.includes(abs)) return; // pip would loop; once is what it means
    result.files.push(abs);
    for (const [n, line] of logicalLines(readText(file, from), env)) {
      const where = `${file}:${n}`;
      if (hasControl(line)) throw new PyctlError(`${where}: a line holds a control character: ${printable(line)}`);
      if (!line.startsWith("-") || /^(-e|--editable)(\s|=)/.test(line)) {
        (constraint ? result.constraints : result.requirements).push(requirementLine(line, file, n));
        continue;
      }
      const [option, value] = splitOption(line);
      const include = INCLUDE.get(option);
      if (include) {
        if (!value) throw new PyctlError(`${where}: ${option} needs a file`);
        if (/^[a-z]+:\/\//.test(value)) throw new PyctlError(`${where}: restore reads local files only, not ${value}`);
        visit(isAbsolute(value) ? value : join(dirname(file), value), constraint || include === "c", where);
      } else if (VALUE_OPTIONS.has(option)) {
        if (!value) throw new PyctlError(`${where}: ${option} needs a value`);
        result.options.push(VALUE_OPTIONS.get(option)!, findLinksValue(option, value, file));
      } else if (SWITCHES.has(option)) {
        result.options.push(option);
      } else {
        throw new PyctlError(`${where}: pip does not take ${option} in a requirements file`);
      }
    }
  };
  visit(path, false);
  return result;
}

/** pip resolves a relative --find-links against the requirements file's folder. */
function findLinksValue(option: string, value: string, file: string): string {
  if ((option !== "-f" && option !== "--find-links") || /^[a-z]+:/.test(value) || isAbsolute(value)) return value;
  return join(dirname(resolve(file)), value);
}

/** Only `name==version`, `name @ url` and `-e` lines, nothing else: a freeze file, restored as an exact set. */
export function isFreezeFile(file: RequirementsFile): boolean {
  return (
    file.files.length === 1 &&
    file.options.length === 0 &&
    file.constraints.length === 0 &&
    file.requirements.every(
      (r) => r.editable || (r.requirement && (r.requirement.url !== undefined || isExactPin(r.requirement))),
    )
  );
}

/** The version of a `==` pin (no wildcard, no other clause), else undefined. */
export function exactVersion(req: Requirement): string | undefined {
  return /^===?([^,*]+)$/.exec(req.specifier)?.[1];
}

function isExactPin(req: Requirement): boolean {
  return exactVersion(req) !== undefined && !req.marker;
}
