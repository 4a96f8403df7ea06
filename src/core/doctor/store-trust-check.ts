/**
 * Store entries that would be served with bytes other than their RECORD says: a file of an
 * installed build written in place (a hardlinked store file shares its data with the venv's).
 * Such an entry is never served (transaction/sources.ts); this check names it, and `doctor --fix`
 * removes it (undo then takes that build from another good copy or the index, or names it missing).
 */
import { join } from "node:path";
import { pass, problem, type Check } from "./check.ts";
import { listDir } from "../base/list-dir.ts";
import { entryIsComplete, readManifest, storedEntries, UNOWNED } from "../recording/store.ts";
import { untrustedFiles } from "../recording/store-serve.ts";
import type { Target } from "../recording/target.ts";

export function storeTrustCheck(t: Target): Check {
  const found: string[] = [];
  const paths: string[] = [];
  for (const name of listDir(t.storeDir)) {
    if (name === UNOWNED) continue;
    for (const entry of storedEntries(t.storeDir, name)) {
      const manifest = readManifest(t.storeDir, name, entry);
      // A missing manifest or file is the store check's finding (venv-checks.ts).
      if (!manifest || !entryIsComplete(t.storeDir, manifest)) continue;
      const changed = untrustedFiles(t.storeDir, manifest, { repair: false });
      if (changed.length === 0) continue;
      found.push(`${manifest.name} ${manifest.version} (${entry}): ${changed.join(", ")}`);
      paths.push(join(t.storeDir, name, entry));
    }
  }
  const id = `store-files:${t.version}`;
  if (found.length === 0) return pass(id, "every stored file is what its RECORD says");
  return problem(
    id,
    `stored files changed after they were installed (written in place), not served: ${found.join("; ")}`,
    "`pyctl doctor --fix` removes those entries; undo then installs those versions from the index or names them missing",
    { kind: "remove", paths },
  );
}
