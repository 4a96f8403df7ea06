/** The packages `python -m venv` puts in every venv, which nobody asked for. */
import { readdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { sitePackagesOf } from "../packages/inventory.ts";
import { editRecord } from "../python/record.ts";

/** What `python -m venv` (ensurepip) puts in every venv: nobody asked for them. */
const SEEDED = /^(pip|setuptools|wheel)-[^-]+\.dist-info$/i;

/**
 * Takes ensurepip's REQUESTED markers off the seeded packages of a fresh venv, so they count as
 * explicit only once the user installs them by name (`upgrade` and `clean` leave them alone).
 */
export function unmarkSeeded(venv: string, pythonVersion: string): void {
  const site = sitePackagesOf(venv, pythonVersion);
  let names: string[];
  try {
    names = readdirSync(site);
  } catch {
    return;
  }
  for (const name of names) if (SEEDED.test(name)) unmark(join(site, name));
}

/** The marker goes, and RECORD's line for it too: a listed file that is gone fails a RECORD check. */
function unmark(metadataPath: string): void {
  rmSync(join(metadataPath, "REQUESTED"), { force: true });
  const rel = `${basename(metadataPath)}/REQUESTED`;
  editRecord(metadataPath, (lines) => {
    const at = lines.findIndex((l) => typeof l !== "string" && l.path === rel);
    if (at >= 0) lines.splice(at, 1);
    return at >= 0;
  });
}
