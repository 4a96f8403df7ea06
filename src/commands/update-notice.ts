/**
 * The optional once-a-day line after a pip write (`[updates] notify = true`): "N of your packages
 * have newer versions: pyctl outdated". The index query runs in this pyctl process while pip
 * runs, and is used only if it has already finished when pip has: the pip call never waits for it
 * (bench/outdated.ts measures that it costs nothing). The query's code loads only when it is due.
 */
import { markNoticed, noticeDue } from "../core/transaction/update-stamp.ts";
import { inventoryOf, type Target } from "../core/recording/target.ts";
import { notice } from "../ui/output.ts";

const PENDING = Symbol("pending");

export interface UpdateNotice {
  /** After pip: print the line if the answer is in; never waits for the network. */
  finish(): Promise<void>;
}

export async function startUpdateNotice(target: Target): Promise<UpdateNotice | undefined> {
  if (!noticeDue(target)) return undefined;
  const { beginOutdatedCount } = await import("../core/transaction/upgrade.ts");
  const counting = beginOutdatedCount(target);
  return {
    async finish() {
      const count = await Promise.race([counting, Bun.sleep(0).then((): typeof PENDING => PENDING)]);
      if (count === PENDING || count === undefined) return;
      const n = count(inventoryOf(target));
      markNoticed(target);
      if (n > 0) notice(`${n} of your packages ${n === 1 ? "has a newer version" : "have newer versions"}: pyctl outdated`);
    },
  };
}
