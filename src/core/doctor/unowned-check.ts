/**
 * Doctor's view of the files no distribution owns: each with its size and the operation that left
 * it; pip's ~stash folders are named as what they are (an interrupted change). `--fix` takes them
 * out as one recorded transaction (`pyctl undo` puts them back).
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { totalSize } from "../packages/accounting.ts";
import { isStash } from "../packages/accounting.ts";
import { goalFromDists, type Goal } from "../transaction/plan.ts";
import { runTransaction, type TransactionEvents } from "../transaction/transaction.ts";
import type { Config } from "../base/config.ts";
import { PyctlError } from "../base/errors.ts";
import { leftovers, unownedOf, type Leftover } from "../recording/unowned.ts";
import { inventoryOf, type Target } from "../recording/target.ts";
import { pass, problem, type Check } from "./check.ts";

function describe(unit: Leftover): string {
  const what = unit.files
    ? `${unit.path} (${unit.files} files, ${unit.size} bytes)`
    : `${unit.path} (${unit.size} bytes)`;
  const stash = isStash(basename(unit.path)) ? ", pip's uninstall stash" : "";
  const by = unit.leftBy
    ? `, left by #${unit.leftBy.id} (${unit.leftBy.command}${unit.leftBy.interrupted ? ", interrupted" : ""})`
    : "";
  return `${what}${stash}${by}`;
}

/**
 * The pip command that writes RECORD-less packages (`name==version` pins) anew: pip cannot
 * uninstall them (so not --force-reinstall), but installs over them.
 */
export function reinstallOver(pins: string[]): string {
  return `pip install --ignore-installed --no-deps ${pins.join(" ")}`;
}

export function unownedCheck(t: Target): Check {
  const id = `unowned:${t.version}`;
  const dists = inventoryOf(t);
  const units = leftovers(t, unownedOf(t, dists));
  if (units.length === 0) return pass(id, "every file in site-packages and bin/ belongs to an installed package");
  const torn = units.some((u) => u.leftBy?.interrupted || isStash(basename(u.path)));
  const found = `${units.length} file(s)/folder(s) no installed package owns (${totalSize(units)} bytes)${torn ? ", from an interrupted pip" : ""}: ${units.map(describe).join("; ")}`;
  // A package without a RECORD does not say which files are its own: removing any could break it.
  const recordless = dists.filter(
    (d) => d.metadataPath.endsWith(".dist-info") && !existsSync(join(d.metadataPath, "RECORD")),
  );
  if (recordless.length) {
    return problem(
      id,
      `${found} (some may be files of ${recordless.map((d) => d.name).join(", ")}, which has no RECORD)`,
      `\`${reinstallOver(recordless.map((d) => `${d.name}==${d.version}`))}\` gives them their RECORD; then \`pyctl doctor --fix\` removes the rest`,
    );
  }
  return problem(
    id,
    found,
    torn
      ? "`pyctl undo` reverts the interrupted operation; `pyctl doctor --fix` removes them (recorded, undoable)"
      : "remove them (recorded: `pyctl undo` puts them back)",
    { kind: "prune-unowned", version: t.version, paths: units.map((u) => u.path) },
  );
}

/** `doctor --fix`: take the named unowned files out, as one transaction on the venv. */
export async function pruneUnowned(
  t: Target,
  config: Config,
  paths: string[],
  events: TransactionEvents = {},
): Promise<string> {
  if (t.env.isLocked()) throw new PyctlError(`${t.venv} is in use by another pyctl; try again when it is done`);
  const gone = new Set(paths);
  const goal = (installed: Parameters<typeof goalFromDists>[0]): Goal => ({
    ...goalFromDists(installed, t.version),
    unowned: unownedOf(t, installed).filter((u) => !gone.has(u.path)),
  });
  const result = await runTransaction(
    t,
    config,
    { kind: "doctor", command: "pyctl doctor --fix (unowned files)", goal },
    events,
  );
  if (result.error) throw new PyctlError(`could not remove the unowned files of ${t.venv}: ${result.error.message}`);
  if (result.interrupted)
    throw new PyctlError(`interrupted: ${t.venv} is ${result.committed ? "in its new state" : "unchanged"}`);
  return `removed ${paths.length} unowned file(s)/folder(s) from ${t.venv} (recorded as #${result.entry.id}; \`pyctl undo\` puts them back)`;
}
