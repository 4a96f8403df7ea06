/**
 * The state a recorded operation left the venv in (its after-state's packages, freeze and
 * unowned files), saved with the stamps that state was read from: every folder the unowned scan
 * read and every metadata folder (packages/accounting.ts). The next recorded write takes its
 * before-state from here while history's newest entry is still that operation's and every stamp
 * holds; the answer is the one a fresh read would give, since it rests on the same stamps the
 * inventory and unowned-file caches rest on. After pip, the same stamps say whether pip changed
 * anything at all (`pip install` of what is installed changes nothing on disk).
 * Saves a recorded write the inventory, the store check, the unowned scan and the newest entry's
 * read (issue 16: a recorded write's own time).
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../base/atomic.ts";
import { answerStamps, stampOf, stampsHold, type UnownedFile } from "../packages/accounting.ts";
import { entryFile, latestId, type AfterEntry } from "./history.ts";
import type { Dist } from "../packages/inventory.ts";
import type { PackageRecord } from "./package-records.ts";
import { manifestPathOf } from "./store.ts";
import type { Target } from "./target.ts";
import { filesCacheOf } from "./unowned.ts";

export interface VenvState {
  /** The history entry whose after-state this is, and its file's stamp. */
  id: number;
  entry: string;
  dirs: [string, string][];
  metadata: [string, string][];
  freeze: string;
  packages: PackageRecord[];
  unowned: UnownedFile[];
  /** The store manifests of the installed builds: each must still be there (nothing to store). */
  stored: string[];
}

function read(target: Target): VenvState | undefined {
  try {
    const state = JSON.parse(readFileSync(target.layout.stateCache(target.version), "utf8")) as VenvState;
    const lists = [state.dirs, state.metadata, state.packages, state.stored];
    return lists.every(Array.isArray) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** The saved state, when it is the venv's now: history's newest entry is its own and every stamp holds. */
export function currentState(target: Target): VenvState | undefined {
  const state = read(target);
  if (!state || latestId(target.historyDir) !== state.id) return undefined;
  if (stampOf(entryFile(target.historyDir, state.id, "after")) !== state.entry) return undefined;
  if (!state.stored.every((manifest) => existsSync(manifest))) return undefined;
  return stampsHold(target.venv, state) ? state : undefined;
}

/**
 * Save `after` (just written) as the venv's state: read from `dists` (with the stamps of the scan
 * just made), or taken from `held`, a state that still holds. A state that cannot be written only
 * costs the next write its speed.
 */
export function saveState(target: Target, after: AfterEntry, from: { dists: Dist[] } | { held: VenvState }): void {
  const entry = stampOf(entryFile(target.historyDir, after.id, "after"));
  const stamps = "held" in from ? from.held : answerStamps(filesCacheOf(target));
  const stored =
    "held" in from ? from.held.stored : from.dists.flatMap((d) => manifestPathOf(target.storeDir, d) ?? []);
  if (!stamps || !entry) return;
  const state: VenvState = {
    id: after.id,
    entry,
    dirs: stamps.dirs,
    metadata: stamps.metadata,
    freeze: after.freeze,
    packages: after.packages,
    unowned: after.unowned ?? [],
    stored,
  };
  try {
    writeFileAtomic(target.layout.stateCache(target.version), JSON.stringify(state));
  } catch {
    // the next write reads the venv instead
  }
}
