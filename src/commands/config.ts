/** `pyctl config [KEY [VALUE]]`: show all settings, show one, or set one (validated, written atomically). */
import { CONFIG_KEYS, parseConfigValue, saveConfig } from "../core/base/config.ts";
import { UsageError } from "../core/base/errors.ts";
import type { Layout } from "../core/base/paths.ts";
import { locateInterpreter } from "../core/python/interpreter.ts";
import { targetFor } from "../core/recording/target.ts";
import { out, table } from "../ui/output.ts";
import type { Context } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

/** Seed-style short names (`pyctl config auto_snapshot false`) resolve to their section. */
function resolveKey(name: string): string {
  if (name in CONFIG_KEYS) return name;
  const matches = Object.keys(CONFIG_KEYS).filter((k) => k.endsWith(`.${name}`));
  if (matches.length === 1) return matches[0]!;
  throw new UsageError(`unknown config key "${name}"`, `keys: ${Object.keys(CONFIG_KEYS).join(", ")}`);
}

/** A version pyctl can use: an interpreter of it, or a venv of it already made. */
function canResolve(layout: Layout, version: string): boolean {
  return locateInterpreter(`python${version}`) !== undefined || targetFor(layout, version).env.exists();
}

export async function run(args: ParsedArgs, { layout, config }: Context): Promise<number> {
  const [name, value] = args.positionals;
  if (name === undefined) {
    out(`# ${layout.configFile}`);
    for (const line of table([...config].map(([k, v]) => [k, "=", JSON.stringify(v)]))) out(line);
    return 0;
  }
  const key = resolveKey(name);
  if (value === undefined) {
    out(String(config.get(key)));
    return 0;
  }
  config.set(key, parseConfigValue(key, value));
  if (key === "python.default" && value !== "" && !canResolve(layout, value))
    throw new UsageError(
      `no Python ${value} found (on PATH or under pyenv) and no venv of it`,
      "`pyctl status` lists them",
    );
  saveConfig(layout.configFile, config);
  out(`${key} = ${JSON.stringify(config.get(key))}`);
  return 0;
}
