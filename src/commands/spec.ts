/** The shape of a command in the table (index.ts): what help, parsing and completions read. */

/** What a positional argument is, so completions can offer the right words. */
export type ArgKind =
  | "snapshot"
  | "history-id"
  | "point"
  | "shell"
  | "config-key"
  | "package"
  | "explicit-package"
  | "file"
  | "count"
  | "python";

export interface OptionSpec {
  /** "--limit" */
  flag: string;
  /** Metavar when the option takes a value ("N"), absent for a switch. */
  value?: string;
  /** Completion words for the value, if it is one of a fixed set. */
  choices?: string[];
  summary: string;
}

export interface PositionalSpec {
  name: string;
  kind?: ArgKind;
  optional?: boolean;
  /** Takes all remaining arguments. */
  rest?: boolean;
}

export interface ParsedArgs {
  options: Map<string, string | true>;
  positionals: string[];
}

/**
 * What src/cli.ts opens before a command runs (context.ts): "nothing"; "config": the tier (its
 * umask and write policy) and config.toml; "venv": that and the existing venv --python names;
 * "tolerant-config": the tier, and a config.toml that may be broken (doctor reports it).
 */
export type Needs = "nothing" | "config" | "venv" | "tolerant-config";

export interface CommandModule {
  /** `context` is a Context, or a VenvContext for needs "venv" (context.ts); undefined for "nothing". */
  run(args: ParsedArgs, context: never): Promise<number>;
}

export interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  positionals: PositionalSpec[];
  hidden?: boolean;
  /** Pass everything after the command's own options through untouched (the pip runner). */
  passthrough?: boolean;
  needs: Needs;
  load: () => Promise<CommandModule>;
}

export const PYTHON_OPTION: OptionSpec = {
  flag: "--python",
  value: "VERSION",
  summary: "act on that Python version's venv (e.g. 3.12)",
};
export const JSON_OPTION: OptionSpec = { flag: "--json", summary: "print JSON (stable, documented in the README)" };
