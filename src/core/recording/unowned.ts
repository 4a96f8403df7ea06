/**
 * The files of a target's venv that no distribution owns (packages/accounting.ts), and which
 * recorded operation left them there. A pip uninstall stash (`~name` folder) is evidence of an
 * interrupted change.
 */
import { basename } from "node:path";
import { isStash, unownedFiles, type UnownedFile } from "../packages/accounting.ts";
import type { Dist } from "../packages/inventory.ts";
import { listHistory } from "./history.ts";
import { inventoryOf, type Target } from "./target.ts";

export function filesCacheOf(target: Target): string {
  return target.layout.filesCache(target.version);
}

export function unownedOf(target: Target, dists: Dist[] = inventoryOf(target)): UnownedFile[] {
  return unownedFiles(target.venv, target.sitePackages, dists, filesCacheOf(target));
}

export function stashes(units: UnownedFile[]): UnownedFile[] {
  return units.filter((u) => isStash(basename(u.path)));
}

export function unitKey(u: UnownedFile): string {
  return `${u.path}\0${u.size}`;
}

export interface Leftover extends UnownedFile {
  /** The operation whose after-state first has it and whose before-state does not. */
  leftBy?: { id: number; command: string; interrupted: boolean };
}

/** Each unowned unit with the newest operation that left it, when the history knows (a killed one too). */
export function leftovers(target: Target, units: UnownedFile[]): Leftover[] {
  const history = listHistory(target.historyDir);
  const has = (list: UnownedFile[] | undefined, unit: UnownedFile) => list?.some((u) => u.path === unit.path);
  return units.map((unit) => {
    for (const [i, item] of history.entries()) {
      if (!item.before?.unowned || has(item.before.unowned, unit)) continue;
      // A killed operation has no after-state: what came next started from its result.
      const after = item.after ? item.after.unowned : i === 0 ? units : history[i - 1]?.before?.unowned;
      if (!has(after, unit)) continue;
      const interrupted = !item.after || item.after.interrupted || item.after.exit_code !== 0;
      return { ...unit, leftBy: { id: item.id, command: item.before.command, interrupted } };
    }
    return unit;
  });
}
