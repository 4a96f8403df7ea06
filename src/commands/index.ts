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
    summary: "show what operation N changed (default: the last)",
    options: [PYTHON_OPTION, JSON_OPTION],
    positionals: [{ name: "N", kind: "history-id", optional: true }],
    load: () => import("./diff.ts"),
  },
  {
    name: "config",
    summary: "show all settings, show one, or set one",
    options: [],
    positionals: [{ name: "KEY", kind: "config-key", optional: true }, { name: "VALUE", optional: true }],
    load: () => import("./config.ts"),
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
