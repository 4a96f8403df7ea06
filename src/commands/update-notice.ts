/**
 * The optional once-a-day line after a pip write (`[updates] notify = true`): "N of your packages
 * have newer versions: pyctl outdated". The work starts once pip is running (`begin`), in this
 * pyctl process, and its answer is used only if it is in when pip has finished: the pip call never
 * waits for it (bench/outdated.ts measures what it costs). Its code loads only when it is due.
 */
import { markNoticed, noticeDue } from "../core/operations/update-stamp.ts";
import { inventoryOf, type Target } from "../core/recording/target.ts";
import type { Dist } from "../core/packages/inventory.ts";
import { notice } from "../ui/output.ts";

const PENDING = Symbol("pending");

export interface UpdateNotice {
  /** Call right after pip has started: reads the explicit packages and starts the index query. */
  begin(): void;
  /** After pip: print the line if the answer is in; never waits for the network. */
  finish(): Promise<void>;
}

export function startUpdateNotice(target: Target): UpdateNotice | undefined {
  if (!noticeDue(target)) return undefined;
  let counting: Promise<((after: Dist[]) => number) | undefined> | undefined;
  return {
    begin() {
      counting = import("../core/operations/upgrade.ts")
        .then((m) => m.beginOutdatedCount(target))
        .catch(() => undefined);
    },
    async finish() {
      if (!counting) return;
      const count = await Promise.race([counting, Bun.sleep(0).then((): typeof PENDING => PENDING)]);
      if (count === PENDING || count === undefined) return;
      const n = count(inventoryOf(target));
      markNoticed(target);
      if (n > 0)
        notice(`${n} of your packages ${n === 1 ? "has a newer version" : "have newer versions"}: pyctl outdated`);
    },
  };
}
