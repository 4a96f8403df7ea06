/**
 * PEP 508 dependency specifiers as found in METADATA's Requires-Dist: `name[extras] specifier ; marker`
 * or `name[extras] @ url ; marker`. Markers are evaluated the way `packaging` does: a comparison
 * whose right side makes a valid PEP 440 specifier is a version comparison (prereleases allowed),
 * anything else compares strings; `extra` values are compared normalised.
 */
import { arch, release, version as osVersion } from "node:os";
import { parseFreezeLine } from "./freeze-line.ts";
import { canonicalName } from "./pep440.ts";

type Pep440 = typeof import("@renovatebot/pep440");
let library: Pep440 | undefined;
function pep440(): Pep440 {
  library ??= require("@renovatebot/pep440") as Pep440;
  return library;
}

export type Marker =
  | { kind: "bool"; op: "and" | "or"; left: Marker; right: Marker }
  | { kind: "compare"; lhs: Operand; op: string; rhs: Operand };
type Operand = { variable: string } | { literal: string };

export interface Requirement {
  /** The name as written. */
  name: string;
  /** PEP 503 normalised name. */
  key: string;
  /** Normalised extras requested of the dependency: `gamma[fast]` -> ["fast"]. */
  extras: string[];
  /** Version specifier, e.g. ">=1.0,<2" ("" when any version will do). */
  specifier: string;
  url?: string;
  marker?: Marker;
  /** The marker as written after `;`. */
  markerText?: string;
}

/** Variables of the marker environment; `extra` is filled in per evaluation. */
export type MarkerEnvironment = Record<string, string>;

export class RequirementError extends Error {}

const ALIASES: Record<string, string> = {
  "os.name": "os_name",
  "sys.platform": "sys_platform",
  "platform.version": "platform_version",
  "platform.machine": "platform_machine",
  "platform.python_implementation": "platform_python_implementation",
  python_implementation: "platform_python_implementation",
};
const VARIABLES = new Set([
  "python_version",
  "python_full_version",
  "os_name",
  "sys_platform",
  "platform_release",
  "platform_system",
  "platform_version",
  "platform_machine",
  "platform_python_implementation",
  "implementation_name",
  "implementation_version",
  "extra",
  "extras",
  "dependency_groups",
  ...Object.keys(ALIASES),
]);

export function normalizeExtra(extra: string): string {
  return canonicalName(extra.trim());
}

export function parseRequirement(text: string): Requirement {
  const line = parseFreezeLine(text);
  if (!line?.name || line.editable || line.options.length) throw new RequirementError(`not a requirement: ${text}`);
  const req: Requirement = {
    name: line.name,
    key: line.key,
    extras: line.extras.map(normalizeExtra).filter(Boolean),
    specifier: line.specifier,
  };
  if (line.url !== undefined) req.url = line.url;
  else if (line.specifier && !pep440().validRange(line.specifier))
    throw new RequirementError(`invalid version specifier "${line.specifier}" in: ${text}`);
  if (line.marker !== undefined) {
    req.markerText = line.marker;
    req.marker = parseMarker(line.marker);
  }
  return req;
}

const TOKEN = /\s*(\(|\)|'[^']*'|"[^"]*"|===|==|!=|~=|<=|>=|<|>|not\s+in\b|in\b|and\b|or\b|[A-Za-z_][A-Za-z0-9_.]*)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new RequirementError(`invalid marker at "${text.slice(start)}": ${text}`);
    tokens.push(m[1]!.replace(/\s+/g, " "));
  }
  return tokens;
}

export function parseMarker(text: string): Marker {
  const tokens = tokenize(text);
  let pos = 0;
  const fail = (what: string): never => {
    throw new RequirementError(`invalid marker (${what}): ${text}`);
  };
  const operand = (): Operand => {
    const t = tokens[pos++] ?? fail("expected a value");
    if (/^['"]/.test(t)) return { literal: t.slice(1, -1) };
    if (!VARIABLES.has(t)) fail(`unknown variable ${t}`);
    return { variable: ALIASES[t] ?? t };
  };
  const atom = (): Marker => {
    if (tokens[pos] === "(") {
      pos++;
      const inner = or();
      if (tokens[pos++] !== ")") fail("expected )");
      return inner;
    }
    const lhs = operand();
    const op = tokens[pos++] ?? fail("expected an operator");
    if (!/^(===|==|!=|~=|<=|>=|<|>|in|not in)$/.test(op)) fail(`unexpected ${op}`);
    return { kind: "compare", lhs, op, rhs: operand() };
  };
  const chain = (op: "and" | "or", next: () => Marker) => (): Marker => {
    let left = next();
    while (tokens[pos] === op) {
      pos++;
      left = { kind: "bool", op, left, right: next() };
    }
    return left;
  };
  const and = chain("and", atom);
  const or = chain("or", and);
  const marker = or();
  if (pos !== tokens.length) fail(`unexpected ${tokens[pos]}`);
  return marker;
}

function compare(lhs: string, op: string, rhs: string): boolean {
  const lib = pep440();
  if (op !== "in" && op !== "not in" && lib.validRange(`${op}${rhs}`)) {
    return lib.valid(lhs) !== null && lib.satisfies(lhs, `${op}${rhs}`, { prereleases: true });
  }
  switch (op) {
    case "==":
    case "===":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
    case "<":
      return lhs < rhs;
    case "<=":
      return lhs <= rhs;
    case ">":
      return lhs > rhs;
    case ">=":
      return lhs >= rhs;
    case "in":
      return rhs.includes(lhs);
    case "not in":
      return !rhs.includes(lhs);
    default:
      return false; // ~= on non-versions: undefined in packaging; it never holds
  }
}

function value(operand: Operand, env: MarkerEnvironment): string {
  return "literal" in operand ? operand.literal : (env[operand.variable] ?? "");
}

export function evaluateMarker(marker: Marker, env: MarkerEnvironment): boolean {
  if (marker.kind === "bool") {
    const left = evaluateMarker(marker.left, env);
    return marker.op === "and" ? left && evaluateMarker(marker.right, env) : left || evaluateMarker(marker.right, env);
  }
  const names = ["variable" in marker.lhs && marker.lhs.variable, "variable" in marker.rhs && marker.rhs.variable];
  let lhs = value(marker.lhs, env);
  let rhs = value(marker.rhs, env);
  if (names.includes("extra")) [lhs, rhs] = [normalizeExtra(lhs), normalizeExtra(rhs)];
  if (names.includes("extras") || names.includes("dependency_groups")) {
    const set = new Set(("variable" in marker.rhs ? rhs : lhs).split(",").filter(Boolean));
    const item = normalizeExtra("variable" in marker.rhs ? lhs : rhs);
    return marker.op === "not in" ? !set.has(item) : marker.op === "in" && set.has(item);
  }
  return compare(lhs, marker.op, rhs);
}

/** Whether `req` counts for a distribution installed with `extras` (pip: any of them, or none). */
export function requirementApplies(req: Requirement, env: MarkerEnvironment, extras: Iterable<string> = []): boolean {
  if (!req.marker) return true;
  for (const extra of ["", ...extras]) {
    if (evaluateMarker(req.marker, { ...env, extra })) return true;
  }
  return false;
}

/** Whether an installed version meets the requirement's specifier (prereleases count, as in `pip check`). */
export function versionSatisfies(req: Requirement, version: string): boolean {
  if (!req.specifier) return true;
  const lib = pep440();
  if (lib.valid(version) === null) return req.specifier === `===${version}`;
  return lib.satisfies(version, req.specifier, { prereleases: true });
}

const MACHINES: Record<string, string> = {
  x64: "x86_64",
  arm64: "aarch64",
  ia32: "i686",
  arm: "armv7l",
  ppc64: "ppc64le",
  s390x: "s390x",
};

/**
 * The marker environment of a CPython venv on this machine, without starting Python:
 * `fullVersion` is the venv's Python version ("3.11.2", from pyvenv.cfg).
 */
export function markerEnvironment(fullVersion: string, implementation = "cpython"): MarkerEnvironment {
  const cpython = implementation === "cpython";
  return {
    python_version: fullVersion.split(".").slice(0, 2).join("."),
    python_full_version: fullVersion,
    implementation_name: implementation,
    implementation_version: fullVersion,
    platform_python_implementation: cpython ? "CPython" : "PyPy",
    os_name: "posix",
    sys_platform: process.platform === "darwin" ? "darwin" : "linux",
    platform_system: process.platform === "darwin" ? "Darwin" : "Linux",
    platform_machine: MACHINES[arch()] ?? arch(),
    platform_release: release(),
    platform_version: osVersion(),
    extra: "",
  };
}
