/**
 * Rendering hooks/pyctl.{bash,zsh,fish}: read the template, put in the shared body (bash and zsh),
 * pip's option tables, and the facts (pyctl's path, the machine's Pythons, a pending notice),
 * each quoted for that shell. The templates are bundled as text.
 *
 * Two forms: the hook as `pyctl hook SHELL` prints it, and the cached file the rc block sources
 * (hooks/cached.{sh,fish} in front of the hook): the same hook, with the facts for each PATH it was
 * rendered for and the checks that tell when it is stale. For fish, the cached file leaves out the
 * functions of hooks/pyctl-functions.fish: fish autoloads them, one file each, from a folder it
 * names (fishFunctionFiles), so a shell start does not parse them.
 */
import bash from "../../hooks/pyctl.bash" with { type: "text" };
import zsh from "../../hooks/pyctl.zsh" with { type: "text" };
import fish from "../../hooks/pyctl.fish" with { type: "text" };
import fishFunctions from "../../hooks/pyctl-functions.fish" with { type: "text" };
import body from "../../hooks/pyctl.sh" with { type: "text" };
import cachedSh from "../../hooks/cached.sh" with { type: "text" };
import cachedFish from "../../hooks/cached.fish" with { type: "text" };
import { DEFAULT_SYSTEM_HOME, DEFAULT_USER_HOME, versionKey } from "../core/base/paths.ts";
import { PIP_READ_COMMANDS, PIP_VALUE_OPTIONS } from "../core/packages/pip-args.ts";

import type { Shell } from "./shells.ts";

export { isShell, SHELLS, type Shell } from "./shells.ts";

export interface PythonFact {
  /** "3.12" */
  version: string;
  /** Its base interpreter, or "" when only a pyctl venv of that version is left. */
  path: string;
}

export interface HookFacts {
  /** How the functions run pyctl: an absolute path. */
  pyctl: string;
  /** The version plain pip and python use, "" when none is known. */
  defaultVersion: string;
  pythons: PythonFact[];
  /** One line shown at shell start at most once a day (a Python upgrade), "" for none. */
  notice?: string;
}

/** What the cached file checks before it trusts itself (see hooks/cached.sh). */
export interface CacheChecks {
  /** The cached file itself: nothing in `newer` may be newer than it. */
  self: string;
  /** HOME|PYCTL_HOME|PYCTL_SYSTEM_HOME|PYCTL_TIER|PYENV_ROOT|EUID as rendered. */
  env: string;
  newer: string[];
  absent: string[];
  /** The facts for each PATH it was rendered for (and that PATH as the hook leaves it), newest first. */
  entries: { path: string; hooked?: string; facts: HookFacts }[];
  /** fish: the folder holding fishFunctionFiles(), which the file puts first in $fish_function_path. */
  functionsDir?: string;
}

const TEMPLATES: Record<Shell, string> = { bash, zsh, fish };

/** One word in single quotes, as bash and zsh read it. */
export function quotePosix(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * One word for fish: bare when fish_indent would leave it bare (letters, digits, `_`, `-`, `/`),
 * else in single quotes (where fish unescapes \\ and \').
 */
export function quoteFish(text: string): string {
  if (/^[A-Za-z0-9_/][A-Za-z0-9_/-]*$/.test(text)) return text;
  return `'${text.replace(/[\\']/g, "\\$&")}'`;
}

function quoteFor(shell: Shell): (text: string) => string {
  return shell === "fish" ? quoteFish : quotePosix;
}

/** The facts as variable assignments, one per line (`sep` between them in a case arm). */
function factLines(shell: Shell, facts: HookFacts): string[] {
  const q = quoteFor(shell);
  const pairs = facts.pythons.map((p) => `${p.version}=${p.path}`);
  const values: [string, string][] = [
    ["_pyctl_bin", q(facts.pyctl)],
    ["_pyctl_default", q(facts.defaultVersion)],
    ["_pyctl_pythons", shell === "fish" ? pairs.map(quoteFish).join(" ") : quotePosix(pairs.join(":"))],
    ["_pyctl_notice", q(facts.notice ?? "")],
  ];
  // fish also gets the versions alone and the default's folder name (py311): a shell start then
  // needs no command substitution, which costs fish more than the rest of its work.
  if (shell === "fish") {
    values.splice(2, 0, [
      "_pyctl_default_key",
      facts.defaultVersion ? quoteFish(versionKey(facts.defaultVersion)) : "",
    ]);
    values.splice(4, 0, ["_pyctl_versions", facts.pythons.map((p) => quoteFish(p.version)).join(" ")]);
  }
  return values.map(([name, value]) => (shell === "fish" ? `set -g ${name} ${value}`.trimEnd() : `${name}=${value}`));
}

const FACTS_NOTE = [
  "# pyctl's path; the default version; each Python found, as X.Y=/path/to/pythonX.Y; a Python",
  "# upgrade pyctl noticed when it rendered this (shown at most once a day), or nothing.",
];

/** fish: each function of hooks/pyctl-functions.fish (with the comment above it) as NAME.fish's text. */
export function fishFunctionFiles(): { name: string; text: string }[] {
  return fishFunctions
    .trimEnd()
    .split("\n\n")
    .flatMap((chunk) => {
      const name = /^function (\S+)/m.exec(chunk)?.[1];
      return name ? [{ name: `${name}.fish`, text: `${chunk}\n` }] : [];
    });
}

function words(list: readonly string[]): string {
  return ` ${list.join(" ")} `;
}

/** The line of the cached fish hook that lets fish autoload the functions from `dir`. */
function autoloadFrom(dir: string): string {
  const q = quoteFish(dir);
  return [
    "# The functions pip and python call (hooks/pyctl-functions.fish), one file each in this folder:",
    "# fish reads each one when it is first called.",
    `contains -- ${q} $fish_function_path; or set -g fish_function_path ${q} $fish_function_path`,
  ].join("\n");
}

function hookText(shell: Shell, facts: string, functionsDir?: string): string {
  const tables =
    shell === "fish"
      ? { value: PIP_VALUE_OPTIONS.join(" "), read: PIP_READ_COMMANDS.join(" ") }
      : { value: quotePosix(words(PIP_VALUE_OPTIONS)), read: quotePosix(words(PIP_READ_COMMANDS)) };
  const withTables = (text: string) =>
    text
      .replace("@VALUE_OPTIONS@", () => tables.value)
      .replace("@READ_COMMANDS@", () => tables.read)
      .replaceAll("@USER_ROOT@", () => DEFAULT_USER_HOME)
      .replaceAll("@SYSTEM_ROOT@", () => DEFAULT_SYSTEM_HOME);
  const shared = withTables(body);
  const inserted =
    shell === "zsh"
      ? quotePosix(
          shared
            .split("\n")
            .filter((l) => !/^\s*#/.test(l) && l.trim() !== "")
            .join("\n"),
        )
      : shared.trimEnd();
  return withTables(TEMPLATES[shell])
    .replace("@FACTS@", () => facts)
    .replace("@BODY@", () => inserted)
    .replace("@FUNCTIONS@", () => (functionsDir === undefined ? fishFunctions.trimEnd() : autoloadFrom(functionsDir)));
}

/** The hook as `pyctl hook SHELL` prints it, for `eval`. */
export function renderHook(shell: Shell, facts: HookFacts): string {
  return hookText(shell, [...FACTS_NOTE, ...factLines(shell, facts)].join("\n"));
}

/**
 * fish's freshness checks as more operands of one `test` (one builtin call, however many paths),
 * a path per line. A relative path (a PATH entry such as ".") gets "./", so no path reads as an
 * operator.
 */
function fishChecks(checks: CacheChecks): string {
  const q = (path: string) => quoteFish(path.startsWith("/") ? path : `./${path}`);
  const self = q(checks.self);
  const newer = checks.newer.map((p) => `-o ! -e ${q(p)} -o ${q(p)} -nt ${self}`);
  const absent = checks.absent.map((p) => `-o -e ${q(p)}`);
  return [...newer, ...absent].map((operands) => ` \\\n        ${operands}`).join("");
}

/** The file the rc block sources: the checks, the facts per PATH, then the hook. */
export function renderCachedHook(shell: Shell, checks: CacheChecks): string {
  const q = quoteFor(shell);
  const list = (paths: string[]) => (paths.length ? paths.map(q).join(" ") : q(""));
  const arms = checks.entries.map(({ path, hooked, facts }) => {
    const lines = factLines(shell, facts);
    const paths = [...new Set([path, hooked ?? path])].map(q);
    return shell === "fish"
      ? `        case ${paths.join(" ")}\n            set stale\n${lines.map((l) => `            ${l}`).join("\n")}`
      : `        ${paths.join(" | ")})\n            _pyctl_stale=\n${lines.map((l) => `            ${l}`).join("\n")}\n            ;;`;
  });
  const header = (shell === "fish" ? cachedFish : cachedSh)
    .replace("@CHECKS@", () => fishChecks(checks))
    .replaceAll("@SHELL@", shell)
    .replace("@ENV@", () => q(checks.env))
    .replace("@TABLE@", () => arms.join("\n"))
    .replace("@NEWER@", () => list(checks.newer))
    .replace("@ABSENT@", () => list(checks.absent))
    .replace("@SELF@", () => q(checks.self));
  // Sourcing succeeds (the rc block checks that), whatever the hook's last command returned.
  const facts = "# The facts (pyctl's path, the Pythons, a notice) were set above, for this PATH.";
  return `${header}${hookText(shell, facts, checks.functionsDir)}return 0\n`;
}
