/**
 * The dependency graph of a venv, read from the installed metadata (Requires-Dist, or an
 * egg-info's requires.txt). Only requirements whose markers hold for the venv's Python count;
 * extras count when something installed asks for them, or when the user did (history).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readHeaders, type Dist } from "./inventory.ts";
import {
  normalizeExtra,
  parseRequirement,
  requirementApplies,
  versionSatisfies,
  type MarkerEnvironment,
  type Requirement,
} from "./requirements.ts";

export interface Edge {
  /** Canonical name of the package that has the requirement. */
  from: string;
  requirement: Requirement;
  /** The Requires-Dist line as written. */
  text: string;
  /** The installed distribution it names, if any. */
  installed?: Dist;
  /** The installed version meets the specifier. */
  satisfied: boolean;
  /** The extra of `from` that brings this requirement in, when only an extra does. */
  viaExtra?: string;
}

export interface Node {
  dist: Dist;
  /** The user asked for it (REQUESTED marker or history), so it is never an orphan. */
  explicit: boolean;
  /** Extras in use: asked for by the user or by a package that requires this one. */
  extras: Set<string>;
  requires: Edge[];
  requiredBy: Edge[];
  /** Requires-Dist lines that could not be parsed. */
  unreadable: string[];
}

export type Graph = Map<string, Node>;

/** Never removed as orphans: what keeps the venv able to install anything. */
export const PROTECTED = new Set(["pip", "setuptools", "wheel"]);

/** `[extra:marker]` sections of requires.txt become ordinary PEP 508 markers. */
function eggRequirements(metadataPath: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(metadataPath, "requires.txt"), "utf8");
  } catch {
    return [];
  }
  const lines: string[] = [];
  let marker = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const section = /^\[([^:\]]*)(?::(.*))?\]$/.exec(line);
    if (section) {
      const parts = [section[1] ? `extra == "${section[1]}"` : "", section[2] ? `(${section[2]})` : ""].filter(Boolean);
      marker = parts.join(" and ");
      continue;
    }
    lines.push(marker ? `${line} ; ${marker}` : line);
  }
  return lines;
}

export function requiresDist(dist: Dist): string[] {
  if (!dist.metadataPath.endsWith(".dist-info")) return eggRequirements(dist.metadataPath);
  try {
    return readHeaders(join(dist.metadataPath, "METADATA")).get("requires-dist") ?? [];
  } catch {
    return [];
  }
}

/** Whether the user asked for a distribution; `named` comes from requestedInHistory. */
export function isExplicit(dist: Dist, named: Map<string, Set<string>>): boolean {
  // egg-info and installs without an INSTALLER record cannot say; treating them as explicit is the safe side
  return dist.requested || named.has(dist.key) || !dist.metadataPath.endsWith(".dist-info") || dist.installer === "";
}

function firstExtra(req: Requirement, env: MarkerEnvironment, extras: Set<string>): string | undefined | false {
  if (requirementApplies(req, env)) return undefined;
  for (const extra of extras) if (requirementApplies(req, env, [extra])) return extra;
  return false;
}

export function buildGraph(dists: Dist[], env: MarkerEnvironment, named: Map<string, Set<string>> = new Map()): Graph {
  const graph: Graph = new Map();
  const parsed = new Map<string, { req: Requirement; text: string }[]>();
  for (const dist of dists) {
    const node: Node = {
      dist,
      explicit: isExplicit(dist, named),
      extras: new Set(named.get(dist.key) ?? []),
      requires: [],
      requiredBy: [],
      unreadable: [],
    };
    graph.set(dist.key, node);
    const reqs: { req: Requirement; text: string }[] = [];
    for (const text of requiresDist(dist)) {
      try {
        reqs.push({ req: parseRequirement(text), text });
      } catch {
        node.unreadable.push(text);
      }
    }
    parsed.set(dist.key, reqs);
  }
  // Extras spread along edges (a[x] -> b[y] -> c): repeat until no node gains an extra.
  const pending = [...graph.keys()];
  while (pending.length) {
    const key = pending.pop()!;
    const node = graph.get(key)!;
    for (const { req } of parsed.get(key)!) {
      const target = graph.get(req.key);
      if (!target || firstExtra(req, env, node.extras) === false) continue;
      const before = target.extras.size;
      for (const extra of req.extras) target.extras.add(normalizeExtra(extra));
      if (target.extras.size !== before) pending.push(req.key);
    }
  }
  for (const [key, node] of graph) {
    for (const { req, text } of parsed.get(key)!) {
      const via = firstExtra(req, env, node.extras);
      if (via === false) continue;
      const target = graph.get(req.key);
      const edge: Edge = {
        from: key,
        requirement: req,
        text,
        installed: target?.dist,
        satisfied: target !== undefined && versionSatisfies(req, target.dist.version),
        ...(via ? { viaExtra: via } : {}),
      };
      node.requires.push(edge);
      target?.requiredBy.push(edge);
    }
  }
  return graph;
}

/** Everything reachable from `roots` along installed requirements (cycles are fine). */
export function reachableFrom(graph: Graph, roots: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots].filter((k) => graph.has(k));
  while (stack.length) {
    const key = stack.pop()!;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const edge of graph.get(key)!.requires)
      if (edge.installed && !seen.has(edge.requirement.key)) stack.push(edge.requirement.key);
  }
  return seen;
}

/** Dependencies that nothing explicit (or protected) needs, directly or through others. */
export function orphans(graph: Graph): Node[] {
  const roots = [...graph.values()].filter((n) => n.explicit || PROTECTED.has(n.dist.key)).map((n) => n.dist.key);
  const kept = reachableFrom(graph, roots);
  return [...graph.values()].filter((n) => !kept.has(n.dist.key));
}
