/**
 * Where `pip install` looks for packages, read the way pip reads its configuration, without
 * starting Python (pip's configuration.py and ConfigOptionParser):
 *
 *   files, lowest first: global ($XDG_CONFIG_DIRS/pip/pip.conf, /etc/pip.conf), user
 *   (~/.pip/pip.conf, $XDG_CONFIG_HOME/pip/pip.conf; skipped when PIP_CONFIG_FILE names a file
 *   that exists), site ($VENV/pip.conf), then PIP_CONFIG_FILE; PIP_CONFIG_FILE=/dev/null skips
 *   every file. Keys merge as "section.key" across files; then [global] < [install] < PIP_* env.
 *   A list option (extra-index-url, find-links) is whitespace-separated, and a later source
 *   replaces an earlier one's list, as in pip.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PyctlError } from "../base/errors.ts";

export const PYPI_SIMPLE = "https://pypi.org/simple";

export interface IndexSettings {
  indexUrl: string;
  extraIndexUrls: string[];
  /** Directories or HTML pages of links (pip's --find-links). */
  findLinks: string[];
  noIndex: boolean;
  /** pip's `pre`: pre-releases count for every package. */
  pre: boolean;
  timeoutSeconds: number;
  /** pip's `proxy`, `cert` (a CA bundle) and `trusted-host` (hosts whose TLS certificate is not checked). */
  proxy?: string;
  cert?: string;
  trustedHosts: string[];
  /** The configuration files that were read, lowest precedence first. */
  files: string[];
}

export interface PipConfigInputs {
  env: Record<string, string | undefined>;
  home: string;
  /** The venv pip runs in: its pip.conf is the "site" file. */
  venv: string;
}

type Sections = Map<string, Map<string, string>>;

/** pip's key spelling: lower case, `-` for `_`, no leading `--`. */
function normalizeKey(name: string): string {
  return name.toLowerCase().replace(/_/g, "-").replace(/^--/, "");
}

/** Python's configparser (RawConfigParser defaults): `[section]`, `key = value` or `key: value`, indented continuation lines. */
export function parseIni(text: string, path: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  let keyIndent = 0;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (current && lastKey && indent > keyIndent && line && !line.startsWith("#") && !line.startsWith(";")) {
      current.set(lastKey, `${current.get(lastKey)}\n${line}`.trim());
      continue;
    }
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!) ?? new Map();
      sections.set(header[1]!, current);
      lastKey = undefined;
      continue;
    }
    const at = line.search(/[=:]/);
    if (!current || at <= 0) throw new PyctlError(`${path}:${i + 1}: not a pip configuration line: ${line}`);
    lastKey = normalizeKey(line.slice(0, at).trim());
    keyIndent = indent;
    current.set(lastKey, line.slice(at + 1).trim());
  }
  return sections;
}

/** The files pip would read, lowest precedence first, or [] when PIP_CONFIG_FILE is /dev/null. */
export function pipConfigFiles(inputs: PipConfigInputs, exists: (path: string) => boolean): string[] {
  const { env, home, venv } = inputs;
  const envFile = env.PIP_CONFIG_FILE;
  if (envFile === "/dev/null") return [];
  const xdgDirs = (env.XDG_CONFIG_DIRS || "/etc/xdg").split(":").filter(Boolean);
  const global = [...xdgDirs.map((d) => join(d, "pip", "pip.conf")), "/etc/pip.conf"];
  const userConfig = env.XDG_CONFIG_HOME || join(home, ".config");
  const user = envFile && exists(envFile) ? [] : [join(home, ".pip", "pip.conf"), join(userConfig, "pip", "pip.conf")];
  return [...global, ...user, join(venv, "pip.conf"), ...(envFile ? [envFile] : [])];
}

function strtobool(value: string, key: string): boolean {
  const v = value.toLowerCase();
  if (["y", "yes", "t", "true", "on", "1"].includes(v)) return true;
  if (["n", "no", "f", "false", "off", "0"].includes(v)) return false;
  throw new PyctlError(`pip configuration: ${key} = ${value} is not a boolean`);
}

/** "section.key" -> value, merged over the files in order (what `pip config list` prints). */
export function mergedConfig(
  files: string[],
  read: (path: string) => string | undefined,
): { values: Map<string, string>; read: string[] } {
  const values = new Map<string, string>();
  const used: string[] = [];
  for (const path of files) {
    const text = read(path);
    if (text === undefined) continue;
    used.push(path);
    for (const [section, body] of parseIni(text, path))
      for (const [key, value] of body) values.set(`${section}.${key}`, value);
  }
  return { values, read: used };
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The index settings `pip install` would use in `venv`, from its config files and PIP_* variables. */
export function resolveIndexSettings(
  inputs: PipConfigInputs,
  read: (path: string) => string | undefined = readIfPresent,
): IndexSettings {
  const files = pipConfigFiles(inputs, (p) => read(p) !== undefined);
  const merged = mergedConfig(files, read);
  const ordered: [string, string][] = [];
  for (const section of ["global", "install"]) {
    for (const [k, v] of merged.values)
      if (k.startsWith(`${section}.`) && v) ordered.push([k.slice(section.length + 1), v]);
  }
  for (const [name, v] of Object.entries(inputs.env)) {
    if (name.startsWith("PIP_") && v) ordered.push([normalizeKey(name.slice(4)), v]);
  }
  const settings: IndexSettings = {
    indexUrl: PYPI_SIMPLE,
    extraIndexUrls: [],
    findLinks: [],
    noIndex: false,
    pre: false,
    timeoutSeconds: 15,
    trustedHosts: [],
    files: merged.read,
  };
  for (const [key, value] of ordered) {
    if (key === "index-url") settings.indexUrl = value.trim();
    else if (key === "extra-index-url") settings.extraIndexUrls = value.split(/\s+/).filter(Boolean);
    else if (key === "find-links") settings.findLinks = value.split(/\s+/).filter(Boolean);
    else if (key === "no-index") settings.noIndex = strtobool(value, key);
    else if (key === "pre") settings.pre = strtobool(value, key);
    else if (key === "timeout" && Number(value) > 0) settings.timeoutSeconds = Number(value);
    else if (key === "proxy") settings.proxy = value.trim();
    else if (key === "cert") settings.cert = value.trim();
    else if (key === "trusted-host") settings.trustedHosts = value.split(/\s+/).filter(Boolean);
  }
  return settings;
}

/** Every place candidates come from, in pip's order (the index, extra indexes; none with no-index). */
export function indexUrls(settings: IndexSettings): string[] {
  return settings.noIndex ? [] : [settings.indexUrl, ...settings.extraIndexUrls];
}
