/**
 * `pyctl why PKG`: whether the user asked for PKG and since which operation, which recorded
 * operation first brought it, and which packages the user asked for need it now, as chains
 * (jupyterlab → jupyter-server → tornado).
 */
import { PyctlError } from "../base/errors.ts";
import type { Graph } from "../packages/dependencies.ts";
import { canonicalName } from "../packages/pep440.ts";
import { graphOf } from "../recording/graph.ts";
import { ids, readItem, type BeforeEntry } from "../recording/history.ts";
import { inventoryOf, type Target } from "../recording/target.ts";

export interface OperationRef {
  id: number;
  timestamp: string;
  command: string;
}

export interface WhyAnswer {
  name: string;
  version: string;
  explicit: boolean;
  /** The operation after which it was explicit without a break up to now. */
  explicitSince?: OperationRef;
  /** The first recorded operation that installed it; undefined when it predates the history. */
  broughtBy?: OperationRef;
  /** It was already installed when the history (as kept) starts. */
  predatesHistory: boolean;
  /** Chains from a package the user asked for down to PKG, shortest first, one per such package. */
  neededBy: string[][];
}

function has(entry: BeforeEntry | undefined, key: string): { requested: boolean } | undefined {
  const p = entry?.packages.find((r) => canonicalName(r.name) === key);
  return p && { requested: p.requested === true };
}

function ref(id: number, entry: BeforeEntry): OperationRef {
  return { id, timestamp: entry.timestamp, command: entry.command };
}

/** Walk the history oldest first: where the package first arrived, and where it became explicit. */
function fromHistory(target: Target, key: string): Pick<WhyAnswer, "explicitSince" | "broughtBy" | "predatesHistory"> {
  let broughtBy: OperationRef | undefined;
  let explicitSince: OperationRef | undefined;
  let predatesHistory = false;
  let first = true;
  for (const id of ids(target.historyDir)) {
    const { before, after } = readItem(target.historyDir, id);
    if (first && before) predatesHistory = has(before, key) !== undefined;
    first = false;
    if (!after) continue;
    const was = has(before, key);
    const now = has(after, key);
    if (now && !was && !broughtBy && !predatesHistory) broughtBy = ref(id, after);
    if (now?.requested && !was?.requested) explicitSince = ref(id, after);
    if (!now?.requested) explicitSince = undefined;
  }
  return { broughtBy, explicitSince, predatesHistory };
}

/** Shortest chains from each explicit package down to `key`, found by walking requiredBy edges up from it. */
export function chainsTo(graph: Graph, key: string): string[][] {
  const parent = new Map<string, string | null>([[key, null]]);
  const queue = [key];
  const roots: string[] = [];
  while (queue.length) {
    const at = queue.shift()!;
    const node = graph.get(at)!;
    if (at !== key && node.explicit) roots.push(at);
    for (const edge of node.requiredBy) {
      if (parent.has(edge.from) || !graph.has(edge.from)) continue;
      parent.set(edge.from, at);
      queue.push(edge.from);
    }
  }
  return roots.map((root) => {
    const chain: string[] = [];
    for (let at: string | null = root; at !== null; at = parent.get(at) ?? null) chain.push(graph.get(at)!.dist.name);
    return chain;
  });
}

export function whyInstalled(target: Target, name: string): WhyAnswer {
  const key = canonicalName(name);
  const dists = inventoryOf(target);
  const graph = graphOf(target, dists);
  const node = graph.get(key);
  if (!node) {
    throw new PyctlError(`${name} is not installed in ${target.venv}`, {
      hint: "`pyctl history` shows when it was removed; `pyctl list` lists what is installed",
    });
  }
  return {
    name: node.dist.name,
    version: node.dist.version,
    explicit: node.explicit,
    ...fromHistory(target, key),
    neededBy: chainsTo(graph, key),
  };
}
