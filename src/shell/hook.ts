/**
 * Rendering hooks/pyctl.{bash,zsh,fish}: read the template, put in the shared body (bash and zsh),
 * pip's option tables, and the facts (pyctl's path, the machine's Pythons, a pending notice),
 * each quoted for that shell. The templates are bundled as text.
 *
 * Two forms: the hook as `pyctl hook SHELL` prints it, and the cached file the rc block sources
 * (hooks/cached.{sh,fish} in front of the hook): the same hook, with the facts for each PATH it was
 * rendered for and the checks that tell when it is stale.
 */
import bash from "../../hooks/pyctl.bash" with { type: "text" };
import zsh from "../../hooks/pyctl.zsh" with { type: "text" };
import fish from "../../hooks/pyctl.fish" with { type: "text" };
import body from "../../hooks/pyctl.sh" with { type: "text" };
import cachedSh from "../../hooks/cached.sh" with { type: "text" };
import cachedFish from "../../hooks/cached.fish" with { type: "text" };
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
  return values.map(([name, value]) => (shell === "fish" ? `set -g ${name} ${value}`.trimEnd() : `${name}=${value}`));
}

const FACTS_NOTE = [
  "# pyctl's path; the default version; each Python found, as X.Y=/path/to/pythonX.Y; a Python",
  "# upgrade pyctl noticed when it rendered this (shown at most once a day), or nothing.",
];

function words(list: readonly string[]): string {
  return ` ${list.join(" ")} `;
}

function hookText(shell: Shell, facts: string): string {
  const tables =
    shell === "fish"
      ? { value: PIP_VALUE_OPTIONS.join(" "), read: PIP_READ_COMMANDS.join(" ") }
      : { value: quotePosix(words(PIP_VALUE_OPTIONS)), read: quotePosix(words(PIP_READ_COMMANDS)) };
  const withTables = (text: string) => text.replace("@VALUE_OPTIONS@", () => tables.value).replace("@READ_COMMANDS@", () => tables.read);
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
    .replace("@BODY@", () => inserted);
}

/** The hook as `pyctl hook SHELL` prints it, for `eval`. */
export function renderHook(shell: Shell, facts: HookFacts): string {
  return hookText(shell, [...FACTS_NOTE, ...factLines(shell, facts)].join("\n"));
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
    .replaceAll("@SHELL@", shell)
    .replace("@ENV@", () => q(checks.env))
    .replace("@TABLE@", () => arms.join("\n"))
    .replace("@NEWER@", () => list(checks.newer))
    .replace("@ABSENT@", () => list(checks.absent))
    .replace("@SELF@", () => q(checks.self));
  // Sourcing succeeds (the rc block checks that), whatever the hook's last command returned.
  return `${header}${hookText(shell, "# The facts (pyctl's path, the Pythons, a notice) were set above, for this PATH.")}return 0\n`;
}
