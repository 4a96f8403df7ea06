/**
 * Damaged files inside installed metadata folders: what a full disk, a killed writer or a hand
 * edit leaves. Readers never stop at one (the inventory skips or ignores it as pip does); this
 * names each, for doctor.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { listDir } from "../base/list-dir.ts";
import { isStash, recordPath } from "./accounting.ts";
import { parseDirectUrl, readHeaders } from "./inventory.ts";

export interface Damage {
  /** The damaged file. */
  path: string;
  /** What is wrong with it and how pip takes it. */
  why: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The file's text; undefined when it is absent, null when it cannot be read or is not UTF-8. */
function readUtf8(path: string): string | undefined | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return (err as { code?: string }).code === "ENOENT" ? undefined : null;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function metadataDamage(dir: string): string | undefined {
  let headers: Map<string, string[]>;
  try {
    headers = readHeaders(join(dir, "METADATA"));
  } catch {
    return "cannot be read (pip skips this package)";
  }
  if (!headers.get("name")?.[0]) return "has no Name (pip skips this package)";
  if (!headers.has("version")) return "has no Version (pip skips this package)";
  return undefined;
}

function recordDamage(text: string | undefined | null): string | undefined {
  if (text === undefined) return undefined; // doctor's dist-info check names a missing RECORD
  if (text === null) return "cannot be read as UTF-8 (pip cannot uninstall this package)";
  const lines = text.split(/\r?\n/);
  const bad = lines.findIndex(
    (line, i) => line !== "" && (!recordPath(line) || (i === lines.length - 1 && !text.endsWith("\n"))),
  );
  return bad >= 0
    ? `is cut short or malformed at line ${bad + 1} (pip may leave files behind on uninstall)`
    : undefined;
}

/** Each damaged METADATA, RECORD, direct_url.json or INSTALLER in `sitePackages`' .dist-info folders. */
export function damagedDistInfo(sitePackages: string): Damage[] {
  const found: Damage[] = [];
  for (const name of listDir(sitePackages).sort()) {
    if (!name.endsWith(".dist-info") || isStash(name)) continue;
    const dir = join(sitePackages, name);
    const note = (file: string, why: string | undefined) => why && found.push({ path: join(dir, file), why });
    note("METADATA", metadataDamage(dir));
    note("RECORD", recordDamage(readUtf8(join(dir, "RECORD"))));
    const directUrl = readUtf8(join(dir, "direct_url.json"));
    if (directUrl !== undefined && !parseDirectUrl(directUrl ?? "-"))
      note("direct_url.json", "is not valid JSON with a url (pip ignores it: the package shows as from an index)");
    const installer = readUtf8(join(dir, "INSTALLER"));
    if (installer === null || (installer && /[^\P{Cc}\t\n\r]/u.test(installer)))
      note("INSTALLER", "is not text (pip ignores it)");
  }
  return found;
}
