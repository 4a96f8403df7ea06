/**
 * config.toml: the user's preferences. This module owns its keys, types, defaults and file format.
 *
 *   [python]    default = "3.11"            version that plain `pip` and `python` use
 *               interpreter = "/usr/bin/python3.11"   base interpreter of that version's venv
 *   [history]   max_entries = 100           oldest operations beyond this are pruned
 *               auto_snapshot = true        record pip writes (false: run pip unrecorded)
 *               show_diff_after_install = true
 *   [snapshots] auto_baseline = true        take snapshots/baseline.txt at init
 *   [ui]        color = true                (NO_COLOR in the environment also turns colour off)
 *               verbose = false
 *   [updates]   notify = false              once a day, a pip write says how many packages have newer versions
 */
import { existsSync, readFileSync } from "node:fs";
import { makeDataDir } from "./modes.ts";
import { dirname } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import { errnoCode, PyctlError, UsageError } from "./errors.ts";

type Value = string | number | boolean;
interface KeySpec {
  type: "string" | "integer" | "boolean";
  default: Value;
  summary: string;
  min?: number;
}

export const CONFIG_KEYS: Record<string, KeySpec> = {
  "python.default": { type: "string", default: "", summary: "Python version plain pip and python use (e.g. 3.11)" },
  "python.interpreter": { type: "string", default: "", summary: "base interpreter of the default version's venv" },
  "history.max_entries": { type: "integer", default: 100, min: 1, summary: "operations kept in history" },
  "history.auto_snapshot": { type: "boolean", default: true, summary: "record every pip write" },
  "history.show_diff_after_install": { type: "boolean", default: true, summary: "print what changed after pip" },
  "snapshots.auto_baseline": { type: "boolean", default: true, summary: "take the baseline snapshot at init" },
  "ui.color": { type: "boolean", default: true, summary: "coloured output (NO_COLOR also disables)" },
  "ui.verbose": { type: "boolean", default: false, summary: "say more about what pyctl does" },
  "updates.notify": {
    type: "boolean",
    default: false,
    summary: "once a day, a pip write says how many packages have newer versions",
  },
};

export type Config = Map<string, Value>;

export function defaultConfig(): Config {
  return new Map(Object.entries(CONFIG_KEYS).map(([key, spec]) => [key, spec.default]));
}

export function configString(config: Config, key: string): string {
  return String(config.get(key) ?? "");
}
export function configNumber(config: Config, key: string): number {
  return Number(config.get(key));
}
export function configFlag(config: Config, key: string): boolean {
  return config.get(key) === true;
}

/** A readable error for a file Bun's fast parser rejected: the slower parser knows the line. */
async function describeSyntaxError(path: string, text: string): Promise<PyctlError> {
  const toml = (await import("@iarna/toml")).default;
  try {
    toml.parse(text);
    return new PyctlError(`${path}: not valid TOML`);
  } catch (err) {
    const e = err as { line?: number; col?: number; message: string };
    const reason = e.message.split(" at row")[0]?.split("\n")[0] ?? "not valid TOML";
    return new PyctlError(`${path}:${(e.line ?? 0) + 1}:${(e.col ?? 0) + 1}: ${reason}`, {
      hint: "fix or delete the file; `pyctl config` rewrites it with defaults",
    });
  }
}

function lineOf(text: string, section: string, name: string): number {
  const lines = text.split("\n");
  let current = "";
  for (const [i, line] of lines.entries()) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) current = header[1]!.trim();
    else if (current === section && new RegExp(`^\\s*${name}\\s*=`).test(line)) return i + 1;
  }
  return 0;
}

function checkValue(key: string, value: unknown): Value {
  const spec = CONFIG_KEYS[key]!;
  const ok =
    spec.type === "integer"
      ? Number.isInteger(value) && (value as number) >= (spec.min ?? -Infinity)
      : typeof value === spec.type;
  if (!ok) throw new Error(`${key} must be ${spec.type === "integer" ? `an integer ≥ ${spec.min}` : `a ${spec.type}`}`);
  if (key === "python.default" && !isDefaultVersion(value as string))
    throw new Error(`${key} must be a Python version such as 3.11, not ${JSON.stringify(value)}`);
  return value as Value;
}

export async function loadConfig(path: string): Promise<Config> {
  const config = defaultConfig();
  if (!existsSync(path)) return config;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const why = errnoCode(err) === "EISDIR" ? "is a folder, not a file" : `cannot be read (${errnoCode(err) ?? err})`;
    throw new PyctlError(`${path} ${why}`, { hint: "move it aside; `pyctl config` writes a fresh one" });
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = Bun.TOML.parse(text) as Record<string, unknown>;
  } catch {
    throw await describeSyntaxError(path, text);
  }
  for (const [section, body] of Object.entries(parsed)) {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new PyctlError(`${path}:${lineOf(text, "", section)}: "${section}" must be a [${section}] table`);
    }
    for (const [name, value] of Object.entries(body)) {
      const key = `${section}.${name}`;
      const where = () => `${path}:${lineOf(text, section, name)}`; // only for an error: a line scan per key
      if (!(key in CONFIG_KEYS))
        throw new PyctlError(`${where()}: unknown key ${key}`, { hint: "`pyctl config` lists the keys" });
      try {
        config.set(key, checkValue(key, value));
      } catch (err) {
        throw new PyctlError(`${where()}: ${(err as Error).message}`);
      }
    }
  }
  return config;
}

/** python.default's form: X.Y (the hooks render it, so nothing else may reach them), or "" for none. */
export function isDefaultVersion(text: string): boolean {
  return text === "" || /^3\.\d{1,3}$/.test(text);
}

/** Turn a command-line string into the key's type, or say why it cannot be. */
export function parseConfigValue(key: string, raw: string): Value {
  const spec = CONFIG_KEYS[key];
  if (!spec) throw new UsageError(`unknown config key "${key}"`, "`pyctl config` lists the keys");
  if (spec.type === "boolean") {
    if (["true", "yes", "on", "1"].includes(raw)) return true;
    if (["false", "no", "off", "0"].includes(raw)) return false;
    throw new UsageError(`${key} takes true or false, not "${raw}"`);
  }
  if (spec.type === "integer") {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || n < (spec.min ?? -Infinity))
      throw new UsageError(`${key} takes an integer ≥ ${spec.min}, not "${raw}"`);
    return n;
  }
  if (key === "python.default" && !isDefaultVersion(raw))
    throw new UsageError(`${key} takes a Python version such as 3.11, not ${JSON.stringify(raw)}`);
  return raw;
}

export function renderConfig(config: Config): string {
  const sections = new Map<string, string[]>();
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const [section, name] = key.split(".") as [string, string];
    const value = config.get(key) ?? spec.default;
    const lines = sections.get(section) ?? [];
    lines.push(`${name} = ${typeof value === "string" ? JSON.stringify(value) : String(value)}  # ${spec.summary}`);
    sections.set(section, lines);
  }
  const body = [...sections].map(([section, lines]) => `[${section}]\n${lines.join("\n")}\n`).join("\n");
  return `# pyctl configuration: \`pyctl config KEY VALUE\` edits it, \`pyctl config\` shows it.\n\n${body}`;
}

export function saveConfig(path: string, config: Config): void {
  makeDataDir(dirname(path));
  writeFileAtomic(path, renderConfig(config));
}
