/**
 * pyctl(1), generated from the command table (src/commands/index.ts): every visible command with
 * its usage, summary and options, then the files, environment and exit statuses.
 * `bun scripts/man-page.ts [OUTFILE]` writes it (default: standard output).
 */
import { writeFileSync } from "node:fs";
import { COMMANDS } from "../src/commands/index.ts";
import type { CommandSpec } from "../src/commands/spec.ts";
import { VERSION } from "../src/core/base/version.ts";

/** Text as roff reads it: backslashes and hyphens escaped, no line starting with a control character. */
export function roff(text: string): string {
  const escaped = text
    .replaceAll("\\", "\\e")
    .replaceAll("-", "\\-")
    .replaceAll("`", "")
    .replace(/[^ -~\n\t]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`);
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

function synopsis(spec: CommandSpec): string {
  const options = spec.options.map((o) => `[\\fB${roff(o.flag)}\\fR${o.value ? ` \\fI${roff(o.value)}\\fR` : ""}]`);
  const positionals = spec.positionals.map((p) => {
    const word = `\\fI${roff(p.name)}\\fR${p.rest ? "..." : ""}`;
    return p.optional ? `[${word}]` : word;
  });
  return [`\\fBpyctl ${roff(spec.name)}\\fR`, ...options, ...positionals].join(" ");
}

function commandSection(spec: CommandSpec): string[] {
  const lines = [".TP", synopsis(spec), `${roff(spec.summary)}.`];
  for (const option of spec.options) {
    const value = option.value ? ` \\fI${roff(option.value)}\\fR` : "";
    lines.push(".RS", ".TP", `\\fB${roff(option.flag)}\\fR${value}`, roff(option.summary), ".RE");
  }
  return lines;
}

const FILES: [string, string][] = [
  ["~/.local/python\\-packages/pyXY/venv", "the venv for Python X.Y (PYCTL_HOME moves the folder)"],
  [
    "~/.local/python\\-packages/pyXY/history/",
    "one record per operation: what pip changed, for history, diff and undo",
  ],
  ["~/.local/python\\-packages/pyXY/snapshots/", "named package sets (NAME.txt, readable by pip install \\-r)"],
  ["~/.local/python\\-packages/config.toml", "settings (pyctl config)"],
  ["~/.cache/pyctl/", "the rendered shell hooks, venv seeds and crash reports (safe to delete)"],
  ["/opt/system\\-python/", "the system tier, used by root once set up (PYCTL_SYSTEM_HOME moves it)"],
  ["/usr/share/pyctl/", "hook snippets for loading the hook by hand"],
];

const ENVIRONMENT: [string, string][] = [
  ["PYCTL_HOME", "the user tier's folder (default ~/.local/python\\-packages)"],
  ["PYCTL_SYSTEM_HOME", "the system tier's folder (default /opt/system\\-python)"],
  ["PYCTL_TIER", "user or system: which tier to act on (default: system for root once it is set up)"],
  ["PYCTL_SYSTEM_ROOT", "a prefix for every file setup\\-shell \\-\\-system writes (image builds)"],
  ["XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, ZDOTDIR", "where caches, fish's and zsh's files go"],
  ["VIRTUAL_ENV, CONDA_PREFIX", "an active venv or conda env: the hook leaves pip and python to it"],
  ["PIP_INDEX_URL", "the index outdated and upgrade ask, as pip does"],
  ["NO_COLOR, FORCE_COLOR", "turn colour off, or on when not writing to a terminal"],
];

function definitions(pairs: [string, string][]): string[] {
  return pairs.flatMap(([term, text]) => [".TP", `\\fB${term}\\fR`, `${text}.`]);
}

export function renderManPage(date: string): string {
  const visible = COMMANDS.filter((c) => !c.hidden);
  return [
    `.TH PYCTL 1 "${date}" "pyctl ${VERSION}" "User Commands"`,
    ".SH NAME",
    "pyctl \\- pip install that just works on PEP 668 systems, recorded and undoable",
    ".SH SYNOPSIS",
    "\\fBpyctl\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]",
    ".br",
    "\\fBpyctl\\fR \\fB\\-\\-version\\fR | \\fB\\-\\-help\\fR | \\fBhelp\\fR \\fICOMMAND\\fR",
    ".SH DESCRIPTION",
    "On Debian, Ubuntu and other PEP 668 systems \\fBpip install\\fR refuses to touch the system's Python.",
    "pyctl gives each user one venv per Python version and shell functions that send \\fBpip\\fR and",
    "\\fBpython\\fR there; every change goes through pyctl, which records it, so it can be shown and undone.",
    "An activated venv or conda environment always wins.",
    ".PP",
    "The package never edits shell start-up files: each user turns the hook on once with",
    "\\fBpyctl setup\\-shell\\fR (an administrator may run \\fBpyctl setup\\-shell \\-\\-system\\fR), then opens a new shell.",
    ".SH COMMANDS",
    "Every command takes \\fB\\-\\-help\\fR.",
    ...visible.flatMap(commandSection),
    ".SH FILES",
    ...definitions(FILES),
    ".SH ENVIRONMENT",
    ...definitions(ENVIRONMENT),
    ".SH EXIT STATUS",
    ...definitions([
      ["0", "success"],
      ["1", "failure: the one line on standard error says what went wrong"],
      ["2", "bad usage: an unknown command or option, or a missing argument"],
    ]),
    "A command run through the hook's \\fBpip\\fR exits with pip's own status.",
    ".SH EXAMPLES",
    ".nf",
    "pip install requests      # into ~/.local/python\\-packages/pyXY/venv, recorded",
    "pyctl history             # what changed, newest first",
    "pyctl undo                # roll back the last operation",
    ".fi",
    ".SH SEE ALSO",
    "\\fBpip\\fR(1), \\fBpython3\\fR(1)",
    "",
  ].join("\n");
}

if (import.meta.main) {
  const page = renderManPage(new Date().toISOString().slice(0, 10));
  if (process.argv[2]) writeFileSync(process.argv[2], page);
  else process.stdout.write(page);
}
