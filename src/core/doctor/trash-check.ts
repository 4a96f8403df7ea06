/**
 * Doctor's check for what a transaction leaves beside the venv: a staging venv or the old venv
 * of the two-rename fallback (an interrupted transaction), and replaced venvs (`venv.trash.<pid>`).
 * A trash whose deleting process still runs is the transaction's own background deletion, not a
 * problem; only one whose process is gone is a leftover.
 */
import { existsSync } from "node:fs";
import { isBeingDeleted, trashFolders } from "../base/swap.ts";
import type { Target } from "../recording/target.ts";
import { pass, problem, type Check } from "./check.ts";

export function leftoversCheck(t: Target, locked: boolean): Check | undefined {
  const trash = trashFolders(t);
  const deleting = trash.filter((path) => isBeingDeleted(t, path));
  const stale = [t.staging, t.retired].filter((p) => existsSync(p)).concat(trash.filter((p) => !deleting.includes(p)));
  if (stale.length && !locked)
    return problem(
      `staging:${t.version}`,
      `left over from an interrupted undo, restore, rebuild or venv replacement: ${stale.join(", ")}`,
      "remove them (the venv itself is complete)",
      { kind: "recover-staging", version: t.version },
    );
  if (deleting.length)
    return pass(`staging:${t.version}`, `a replaced venv is being deleted in the background: ${deleting.join(", ")}`);
  return undefined;
}
