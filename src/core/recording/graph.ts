/**
 * A venv's dependency graph with its explicit marks. Apart from explicit.ts, which the recorder
 * loads on every pip write: the graph (and its marker evaluation) is for the commands that show it.
 */
import { buildGraph, isExplicit, type Graph } from "../packages/dependencies.ts";
import type { Dist } from "../packages/inventory.ts";
import { markerEnvironment } from "../packages/requirements.ts";
import { explicitOf } from "./explicit.ts";
import { inventoryOf, pythonVersionOf, type Target } from "./target.ts";

/** Each installed distribution and whether the user asked for it: the graph's marks, without the graph. */
export function explicitMarks(target: Target): { dist: Dist; explicit: boolean }[] {
  const dists = inventoryOf(target);
  const named = explicitOf(target, dists);
  return dists.map((dist) => ({ dist, explicit: isExplicit(dist, named) }));
}

/** The graph of a target's venv, for its Python, with what its history says the user asked for. */
export function graphOf(target: Target, dists: Dist[] = inventoryOf(target)): Graph {
  const full = pythonVersionOf(target).split(".").slice(0, 3).join("."); // virtualenv writes "3.11.7.final.0"
  return buildGraph(dists, markerEnvironment(full), explicitOf(target, dists));
}
