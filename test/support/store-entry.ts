/** Store entry folders as tests name them: by project and version, whatever build or origin key follows. */
import { readdirSync } from "node:fs";
import { join } from "node:path";

/** The entries of `name==version` in `store`: VERSION#BUILD, VERSION@ORIGIN#BUILD, or an older VERSION. */
export function storeEntries(store: string, name: string, version: string): string[] {
  return readdirSync(join(store, name))
    .filter((e) => e.split(/[@#]/)[0] === version && !e.endsWith(".tmp"))
    .map((e) => join(store, name, e));
}

/** The one index entry of `name==version` (no direct-URL origin). */
export function indexEntry(store: string, name: string, version: string): string {
  const found = storeEntries(store, name, version).filter((e) => !e.includes("@"));
  if (found.length !== 1) throw new Error(`expected one store entry of ${name} ${version}, found ${found.length}`);
  return found[0]!;
}
