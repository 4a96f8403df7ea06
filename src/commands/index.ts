/**
 * The command table: the single source of command names, summaries, usage, options and
 * completion words. Each command lives in its own file and is loaded only when it runs.
 */
import { JSON_OPTION, PYTHON_OPTION, type CommandSpec } from "./spec.ts";

export const COMMANDS: CommandSpec[] = [
  {
    name: "init",
    summary: "create the venv for a Python version and the config file",
    options: [{ flag: "--python", value: "VERSION|PATH", summary: "the base Python (default: first python3 on PATH)" }],
    positionals: [],
    load: () => import("./init.ts"),
  },
  {
    name: "status",
    summary: "show the tier, venvs, package counts, history and hook state",
    options: [JSON_OPTION],
    positionals: [],
    load: () => import("./status.ts"),
  },
  {
    name: "history",
    summary: "list recorded operations, newest first",
    options: [{ flag: "--limit", value: "N", summary: "show at most N operations" }, PYTHON_OPTION, JSON_OPTION],
    positionals: [],
    load: () => import("./history.ts"),
  },
  {
    name: "diff",
    summary: "show what operation N changed (default: the last), or how point B (default: now) differs from point A",
    options: [PYTHON_OPTION, JSON_OPTION],
    positionals: [
      { name: "N|A", kind: "point", optional: true },
      { name: "B", kind: "point", optional: true },
    ],
    load: () => import("./diff.ts"),
  },
  {
    name: "undo",
    summary: "roll the venv back to its state before the last N operations that changed something (default 1)",
    options: [{ flag: "--dry-run", summary: "show the plan; change nothing" }, PYTHON_OPTION],
    positionals: [{ name: "N", kind: "count", optional: true }],
    load: () => import("./undo.ts"),
  },
  {
    name: "bisect",
    summary:
      "find the first operation after which COMMAND fails, in scratch venvs (the venv and history stay as they are)",
    options: [
      {
        flag: "--good",
        value: "POINT",
        summary: "a point where COMMAND passes (default: the oldest the store can build)",
      },
      { flag: "--bad", value: "POINT", summary: "a point where COMMAND fails (default: now)" },
      { flag: "--timeout", value: "S", summary: "count COMMAND as failing when it runs longer than S seconds" },
      PYTHON_OPTION,
      JSON_OPTION,
    ],
    positionals: [{ name: "-- COMMAND", rest: true }],
    load: () => import("./bisect.ts"),
  },
  {
    name: "why",
    summary: "say why PKG is installed: asked for since when, brought by which operation, needed by what",
    options: [PYTHON_OPTION, JSON_OPTION],
    positionals: [{ name: "PKG", kind: "package" }],
    load: () => import("./why.ts"),
  },
  {
    name: "snapshot",
    summary: "save the current package set as snapshots/NAME.txt",
    options: [{ flag: "--force", summary: "replace an existing snapshot of that name" }, PYTHON_OPTION],
    positionals: [{ name: "NAME" }],
    load: () => import("./snapshot.ts"),
  },
  {
    name: "restore",
    summary:
      "change the venv to snapshot NAME, a freeze FILE or a point of its history (#ID, @DATE), touching only what differs",
    options: [
      { flag: "--dry-run", summary: "show the plan; change nothing" },
      { flag: "--allow-missing", summary: "accept a venv without the packages that cannot be had (each is named)" },
      PYTHON_OPTION,
    ],
    positionals: [{ name: "NAME|FILE|#ID|@DATE", kind: "point" }],
    load: () => import("./restore.ts"),
  },
  {
    name: "list-snapshots",
    summary: "list named snapshots: name, date, Python version, package count",
    options: [JSON_OPTION],
    positionals: [],
    load: () => import("./list-snapshots.ts"),
  },
  {
    name: "delete-snapshot",
    summary: "delete snapshot NAME",
    options: [],
    positionals: [{ name: "NAME", kind: "snapshot" }],
    load: () => import("./delete-snapshot.ts"),
  },
  {
    name: "clean",
    summary: "recreate the venv empty, or as the baseline with --keep-baseline (recorded, undoable)",
    options: [
      { flag: "--keep-baseline", summary: "recreate it as the baseline snapshot" },
      { flag: "--yes", summary: "do not ask for confirmation" },
      PYTHON_OPTION,
    ],
    positionals: [],
    load: () => import("./clean.ts"),
  },
  {
    name: "config",
    summary: "show all settings, show one, or set one",
    options: [],
    positionals: [
      { name: "KEY", kind: "config-key", optional: true },
      { name: "VALUE", optional: true },
    ],
    load: () => import("./config.ts"),
  },
  {
    name: "list",
    summary: "list packages: version, explicit or dependency, install date",
    options: [PYTHON_OPTION, JSON_OPTION],
    positionals: [],
    load: () => import("./list.ts"),
  },
  {
    name: "list-deps",
    summary: "show what a package requires and what requires it",
    options: [PYTHON_OPTION, JSON_OPTION],
    positionals: [{ name: "PKG", kind: "package" }],
    load: () => import("./list-deps.ts"),
  },
  {
    name: "autoremove",
    summary: "uninstall dependencies nothing you asked for needs (recorded, undoable)",
    options: [{ flag: "--dry-run", summary: "show what would be removed; change nothing" }, PYTHON_OPTION],
    positionals: [],
    load: () => import("./autoremove.ts"),
  },
  {
    name: "doctor",
    summary: "check venvs, interpreters, history, store and shell set-up; --fix repairs",
    options: [{ flag: "--fix", summary: "repair what can be repaired safely (recorded)" }, JSON_OPTION],
    positionals: [],
    load: () => import("./doctor.ts"),
  },
  {
    name: "rebuild",
    summary:
      "rebuild a venv for a reinstalled Python (every package, offline) or a new one (every package; compiled ones from the index)",
    options: [
      {
        flag: "--python",
        value: "VERSION|PATH",
        summary: "the interpreter to rebuild for (default: the same version)",
      },
      { flag: "--dry-run", summary: "show the plan; change nothing" },
      { flag: "--allow-missing", summary: "accept a venv without the packages that cannot be had (each is named)" },
    ],
    positionals: [],
    load: () => import("./rebuild.ts"),
  },
  {
    name: "outdated",
    summary: "list packages you asked for that have a newer version on pip's index",
    options: [{ flag: "--all", summary: "every package, dependencies too" }, PYTHON_OPTION, JSON_OPTION],
    positionals: [],
    load: () => import("./outdated.ts"),
  },
  {
    name: "upgrade",
    summary: "upgrade packages (default: every one you asked for) with pip's resolver, as one undoable step",
    options: [
      { flag: "--dry-run", summary: "show old → new for every package that would change; change nothing" },
      PYTHON_OPTION,
    ],
    positionals: [{ name: "PKG", kind: "explicit-package", optional: true, rest: true }],
    load: () => import("./upgrade.ts"),
  },
  {
    name: "adopt",
    summary:
      "move packages from `pip install --user` (or a venv, or a --target folder) into your venv (recorded, undoable)",
    options: [
      { flag: "--dry-run", summary: "show what would move; change nothing" },
      { flag: "--yes", summary: "do not ask before removing them from where they were" },
      { flag: "--keep", summary: "copy them in and leave the originals where they are" },
      PYTHON_OPTION,
    ],
    positionals: [{ name: "PATH", kind: "file", optional: true }],
    load: () => import("./adopt.ts"),
  },
  {
    name: "export",
    summary: "write the package set, or snapshot NAME, as requirements.txt or pylock.toml",
    options: [
      {
        flag: "--format",
        value: "FORMAT",
        choices: ["requirements", "pylock"],
        summary: "requirements (default) or pylock (PEP 751)",
      },
      { flag: "--output", value: "FILE", summary: "write to FILE instead of standard output" },
      PYTHON_OPTION,
    ],
    positionals: [{ name: "NAME", kind: "snapshot", optional: true }],
    load: () => import("./export.ts"),
  },
  {
    name: "hook",
    summary: "print the shell functions that route pip and python (eval it in your shell's rc file)",
    options: [],
    positionals: [{ name: "SHELL", kind: "shell" }],
    load: () => import("./hook.ts"),
  },
  {
    name: "setup-shell",
    summary: "add the hook and completions to your shell rc files (--remove takes them out)",
    options: [
      { flag: "--remove", summary: "remove the pyctl block and the completion files" },
      { flag: "--system", summary: "set up every user's shells (/etc; run as root)" },
    ],
    positionals: [{ name: "RC_FILE", kind: "file", optional: true, rest: true }],
    load: () => import("./setup-shell.ts"),
  },
  {
    name: "complete",
    summary: "print completion words for a partly typed pyctl command line (called by completions)",
    options: [],
    positionals: [{ name: "WORDS", rest: true, optional: true }],
    hidden: true,
    passthrough: true,
    load: () => import("./complete.ts"),
  },
  {
    name: "explain-missing",
    summary:
      "say why a venv's python cannot run (base interpreter gone), exit 1; silent exit 0 if it can (called by the shell functions)",
    options: [PYTHON_OPTION],
    positionals: [],
    hidden: true,
    load: () => import("./explain-missing.ts"),
  },
  {
    name: "pip",
    summary: "run a venv's pip, recording writes (called by the shell functions)",
    options: [PYTHON_OPTION, { flag: "--as", value: "NAME", summary: "the name pip was called by, for history" }],
    positionals: [{ name: "ARGS", rest: true, optional: true }],
    hidden: true,
    passthrough: true,
    load: () => import("./pip.ts"),
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
