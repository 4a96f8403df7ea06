/**
 * The state a recorded operation left the venv in (its after-state's packages, freeze and
 * unowned files), saved with the stamps that state was read from: every folder the unowned scan
 * read and every metadata folder (packages/accounting.ts). The next recorded write takes its
 * before-state from here while history's newest entry is still that operation's and every stamp
 * holds; the answer is the one a fresh read would give, since it rests on the same stamps the
 * inventory and unowned-file caches rest on. After pip, the same stamps say whether pip changed
 * anything at all (`pip install` of what is installed changes nothing on disk).
 * Saves a recorded write the inventory, the store check, the unowned scan and the newest entry's
 * read (issue 16: a recorded write's own time). The file is a line saying whose state it is, then
 * the state: a write that changed nothing rewrites the first line only.
 */
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { type PreparedFile, prepareFile } from "../base/atomic.ts";
import { type FolderWatch, watchFolders } from "../base/folder-watch.ts";
import { answerStamps, stampOf, type UnownedFile } from "../packages/accounting.ts";
import { entryFile, latestId, type AfterEntry } from "./history.ts";
import type { Dist } from "../packages/inventory.ts";
import type { PackageRecord } from "./package-records.ts";
import { manifestPathOf } from "./store.ts";
import type { Target } from "./target.ts";
import { filesCacheOf } from "./unowned.ts";

/** Which after-state the state is (first line of the file): all that changes when pip changed nothing. */
interface Whose {
  /** The history entry whose after-state this is, and its file's stamp. */
  id: number;
  entry: string;
}

/**
 * A folder's stat stamp (accounting.ts's `stampOf`) as numbers: a check compares ~300 of them twice
 * per write, and numbers need no string built per lstat. Folders under the venv are relative.
 */
type Stamp = [path: string, ino: number, mtimeMs: number, ctimeMs: number];

export interface VenvState extends Whose {
  dirs: Stamp[];
  metadata: Stamp[];
  freeze: string;
  packages: PackageRecord[];
  unowned: UnownedFile[];
  /** The store manifests of the installed builds: each must still be there (nothing to store). */
  stored: string[];
  /** The rest of the file as read: written again as it is when only `Whose` changes. */
  readonly text?: string;
  /** Set by `currentState`: the kernel's word on whether the folders changed since. */
  readonly watch?: FolderWatch;
}

function read(target: Target): VenvState | undefined {
  try {
    const text = readFileSync(target.layout.stateCache(target.version), "utf8");
    const rest = text.indexOf("\n") + 1;
    const state: VenvState = {
      ...JSON.parse(text.slice(0, rest)),
      ...JSON.parse(text.slice(rest)),
      text: text.slice(rest),
    };
    const lists = [state.dirs, state.metadata, state.packages, state.stored];
    return lists.every(Array.isArray) ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The saved state, when it is the venv's now: history's newest entry is its own and every stamp
 * holds. Its folders are watched from before the stamps are checked (a change in between is seen
 * by one or the other), and `stillHolds` asks the watch when there is one: the caller closes it.
 */
export function currentState(target: Target): VenvState | undefined {
  const state = read(target);
  if (!state || latestId(target.historyDir) !== state.id) return undefined;
  if (stampOf(entryFile(target.historyDir, state.id, "after")) !== state.entry) return undefined;
  if (!state.stored.every((manifest) => existsSync(manifest))) return undefined;
  const watch = watchFolders(foldersOf(target, state));
  if (stampsMatch(target, state)) return watch ? { ...state, watch } : state;
  watch?.close();
  return undefined;
}

/** Every folder the state was read from, and the venv's folders above them (a venv replaced whole is seen too). */
function foldersOf(target: Target, state: VenvState): Set<string> {
  const folders = new Set([target.venv]);
  for (const [rel] of state.dirs) {
    for (let end = rel.indexOf("/"); end > 0; end = rel.indexOf("/", end + 1))
      folders.add(`${target.venv}/${rel.slice(0, end)}`);
    folders.add(`${target.venv}/${rel}`);
  }
  for (const [path] of state.metadata) folders.add(path);
  return folders;
}

function holds(path: string, stamp: Stamp): boolean {
  const st = lstatSync(path, { throwIfNoEntry: false });
  return st !== undefined && st.ino === stamp[1] && st.mtimeMs === stamp[2] && st.ctimeMs === stamp[3];
}

/** Whether every folder and metadata folder the state was read from is as it was: one lstat each. */
function stampsMatch(target: Target, state: VenvState): boolean {
  const venv = `${target.venv}/`;
  return (
    state.dirs.length > 0 &&
    state.dirs.every((stamp) => holds(venv + stamp[0], stamp)) &&
    state.metadata.every((stamp) => holds(stamp[0], stamp))
  );
}

/** Whether the venv is still in `state` (after an action): the watch's word, or the stamps'. */
export function stillHolds(target: Target, state: VenvState): boolean {
  return state.watch ? !state.watch.changed() : stampsMatch(target, state);
}

const numeric = (stamps: [string, string][]): Stamp[] =>
  stamps.map(([path, stamp]) => {
    const [ino, mtime, ctime] = stamp.split(":").map(Number);
    return [path, ino!, mtime!, ctime!];
  });

/**
 * Save `after` (just written) as the venv's state: read from `dists` (with the stamps of the scan
 * just made), or taken from `held`, a state that still holds (its text reused when `after` marked
 * nothing explicit anew); into `file` when it was prepared ahead. A state that cannot be written
 * only costs the next write its speed.
 */
export function saveState(
  target: Target,
  after: AfterEntry,
  from: { dists: Dist[] } | { held: VenvState },
  file?: PreparedFile,
): void {
  const entry = stampOf(entryFile(target.historyDir, after.id, "after"));
  const held = "held" in from ? from.held : undefined;
  const answered = held ? undefined : answerStamps(filesCacheOf(target));
  const stamps = held ?? (answered && { dirs: numeric(answered.dirs), metadata: numeric(answered.metadata) });
  if (!stamps || !entry) return;
  const whose: Whose = { id: after.id, entry };
  const text =
    held?.text !== undefined && after.packages === held.packages
      ? held.text
      : JSON.stringify({
          dirs: stamps.dirs,
          metadata: stamps.metadata,
          freeze: after.freeze,
          packages: after.packages,
          unowned: after.unowned ?? [],
          stored:
            "held" in from ? from.held.stored : from.dists.flatMap((d) => manifestPathOf(target.storeDir, d) ?? []),
        });
  try {
    (file ?? prepareFile(target.layout.stateCache(target.version))).commit(`${JSON.stringify(whose)}\n${text}`);
  } catch {
    // the next write reads the venv instead
  }
}
