/** The packages `python -m venv` puts in every venv, which nobody asked for. */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sitePackagesOf } from "../packages/inventory.ts";

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
  for (const name of names) if (SEEDED.test(name)) rmSync(join(site, name, "REQUESTED"), { force: true });
}
