/**
 * Issue 2's targets, measured side by side in one run:
 *  (a) pyctl's inventory (dist-info scan + freeze text) vs `pip freeze`, at 100+ and 1,000 distributions;
 *  (b) a recorded `pip install <already installed>` through pyctl vs the venv's pip alone.
 */
import { freeze, readInventory, sitePackagesOf } from "../src/core/packages/inventory.ts";
import { join } from "node:path";
import { latestAfter, median, ms, printTable, pyctlBin, sandboxWith, sh, teardown, time, venvOf } from "./lib.ts";

async function inventoryRow(fillers: number): Promise<string[]> {
  const sb = await sandboxWith(fillers);
  const site = sitePackagesOf(venvOf(sb), "3.11");
  const count = readInventory(site).length;
  const ours = median(Array.from({ length: 30 }, () => time(() => freeze(readInventory(site), { pythonVersion: "3.11" }))));
  const cache = `${sb.dir}/scan-cache.json`;
  readInventory(site, cache);
  const cached = median(Array.from({ length: 30 }, () => time(() => freeze(readInventory(site, cache), { pythonVersion: "3.11" }))));
  const pipFreeze = median(Array.from({ length: 5 }, () => time(() => sh([join(venvOf(sb), "bin", "pip"), "freeze"], sb))));
  sb.cleanup();
  return [String(count), ms(ours), ms(cached), ms(pipFreeze), `${(pipFreeze / ours).toFixed(0)}×`, `${(pipFreeze / cached).toFixed(0)}×`];
}

async function recordingRows(): Promise<string[][]> {
  const sb = await sandboxWith(100);
  const pip = join(venvOf(sb), "bin", "pip");
  const args = ["install", "-q", "filler000==1.0"];
  const plain: number[] = [];
  const recorded: number[] = [];
  const ownCost: number[] = [];
  for (let i = 0; i < 9; i++) {
    plain.push(time(() => sh([pip, ...args], sb)));
    const wall = time(() => sh([pyctlBin(), "pip", "--", ...args], sb));
    recorded.push(wall);
    ownCost.push(wall - latestAfter(sb).duration_ms);
  }
  sb.cleanup();
  return [
    ["pip alone (median of 9)", ms(median(plain))],
    ["through pyctl, recorded", ms(median(recorded))],
    ["added, wall-clock difference", ms(median(recorded) - median(plain))],
    ["added, pyctl's own time (wall − pip's run)", ms(median(ownCost))],
  ];
}

const rows = [["distributions", "pyctl (cold)", "pyctl (scan cache)", "pip freeze", "speed-up cold", "cached"]];
for (const n of [100, 1000]) rows.push(await inventoryRow(n));
printTable("(a) inventory vs pip freeze (targets: ≥ 50×, ≤ 10 ms at 100, ≤ 60 ms at 1,000)", rows);
printTable("(b) `pip install <already installed>` on a venv of 100+ distributions (target: ≤ 20 ms added)", await recordingRows());
teardown();
