/**
 * The one reader of a freeze or requirement line's shape: `name[extras] specifier ; marker`,
 * `name[extras] @ url ; marker`, `-e path-or-url` (its project named by `#egg=`), a bare path or
 * URL, each followed by per-requirement options (` --hash=…`). It only splits the line (no
 * PEP 440 library, no marker evaluation: it runs on the recorded-install path); requirements.ts
 * validates specifiers and evaluates markers on top of it. Snapshots, history, the store's
 * retention, export, restore's goal and requirements files all read lines through here, so a line
 * with extras, a marker, a URL or a non-normal version means the same thing to each of them.
 */
import { canonicalName } from "./pep440.ts";

export interface FreezeLine {
  /** The project name as written; "" for an editable or a path without `#egg=`. */
  name: string;
  /** PEP 503 normalised name ("" when unnamed). */
  key: string;
  /** Extras as written, trimmed: `gamma[fast]` -> ["fast"]. */
  extras: string[];
  /** Version specifier without spaces (">=1.0,<2", "==1.0"); "" for a URL or editable. */
  specifier: string;
  /** The pinned version of a single `==`/`===` clause (no wildcard), as written. */
  version?: string;
  /** "===" pins an arbitrary string; "==" a PEP 440 version. */
  pinOperator?: "==" | "===";
  /** The URL or path of `name @ url`, an editable, or a bare path/URL line. */
  url?: string;
  editable: boolean;
  /** The marker text after `;`. */
  marker?: string;
  /** Per-requirement options after the requirement (`--hash=sha256:…`). */
  options: string[];
}

/** A comment starts at `#` after whitespace, as pip reads it (a URL's `#egg=` is no comment). */
const COMMENT = /(^|\s)#.*$/;
const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;
const EDITABLE = /^(?:-e|--editable)(?:\s+|=)(.*)$/;
const EGG = /[#&]egg=([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;
const PATH_OR_URL = /^(\.|\/|~|[A-Za-z][A-Za-z0-9+.-]*:\/\/)/;
const ARCHIVE = /\.(whl|zip|tar\.gz|tar\.bz2|tgz)$/;
/** Options pip takes after a requirement; what follows the first of them is theirs. */
const TRAILING_OPTION = /\s--?[a-z][a-z-]*(?:=|\s|$)/;

/** Where the marker's `;` is: after whitespace for a URL requirement (PEP 508), -1 if none. */
export function markerAt(body: string): number {
  const at = body.includes("@") || PATH_OR_URL.test(body) ? body.search(/\s;/) : body.indexOf(";");
  return at < 0 ? -1 : body.indexOf(";", at);
}

function splitOptions(text: string): [string, string[]] {
  const at = text.search(TRAILING_OPTION);
  if (at < 0) return [text.trim(), []];
  return [text.slice(0, at).trim(), text.slice(at).trim().split(/\s+/)];
}

function splitMarker(body: string): [string, string | undefined] {
  const semi = markerAt(body);
  return semi < 0 ? [body.trim(), undefined] : [body.slice(0, semi).trim(), body.slice(semi + 1).trim() || undefined];
}

function pinOf(specifier: string): Pick<FreezeLine, "version" | "pinOperator"> {
  const m = /^(===?)([^,*;]+)$/.exec(specifier);
  return m ? { pinOperator: m[1] as "==" | "===", version: m[2]! } : {};
}

function unnamed(url: string, editable: boolean, marker: string | undefined, options: string[]): FreezeLine {
  const egg = EGG.exec(url)?.[1] ?? "";
  return {
    name: egg,
    key: egg ? canonicalName(egg) : "",
    extras: [],
    specifier: "",
    url,
    editable,
    options,
    ...(marker ? { marker } : {}),
  };
}

/** A line's parts, or undefined when it is not a requirement (an option line, a comment, garbage). */
export function parseFreezeLine(line: string): FreezeLine | undefined {
  const trimmed = line.replace(COMMENT, "").trim();
  const editable = EDITABLE.exec(trimmed);
  if (editable) {
    const [target, options] = splitOptions(editable[1]!);
    const [url, marker] = splitMarker(target);
    return url ? unnamed(url, true, marker, options) : undefined;
  }
  if (!trimmed || trimmed.startsWith("-") || trimmed.startsWith("#")) return undefined;
  const [requirement, options] = splitOptions(trimmed);
  const [body, marker] = splitMarker(requirement);
  const named = NAME.exec(body);
  const rest = named ? body.slice(named[0].length) : "";
  const bare = rest === "" && ARCHIVE.test(body);
  if (!named || bare || (rest !== "" && !/^[[@(<>=!~]/.test(rest))) {
    return PATH_OR_URL.test(body) || ARCHIVE.test(body) ? unnamed(body, false, marker, options) : undefined;
  }
  return namedLine(named[1]!, rest, marker, options);
}

function namedLine(name: string, afterName: string, marker: string | undefined, options: string[]) {
  let rest = afterName;
  let extras: string[] = [];
  if (rest.startsWith("[")) {
    const end = rest.indexOf("]");
    if (end < 0) return undefined;
    extras = rest
      .slice(1, end)
      .split(",")
      .map((e) => e.trim())
      .filter(Boolean);
    rest = rest.slice(end + 1).trim();
  }
  const base = { name, key: canonicalName(name), extras, editable: false, options, ...(marker ? { marker } : {}) };
  if (rest.startsWith("@")) {
    const url = rest.slice(1).trim();
    return url ? { ...base, specifier: "", url } : undefined;
  }
  const specifier = rest.replace(/^\((.*)\)$/, "$1").replace(/\s+/g, "");
  if (specifier && !/^(===|==|!=|~=|<=|>=|<|>)/.test(specifier)) return undefined;
  return { ...base, specifier, ...pinOf(specifier) };
}

/** What a snapshot or a freeze holds: a `==`/`===` pin, a `name @ url`, or an editable. */
export function isPinned(line: FreezeLine): boolean {
  return line.version !== undefined || (line.url !== undefined && (line.editable || line.name !== ""));
}
