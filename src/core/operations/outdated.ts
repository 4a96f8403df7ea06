/**
 * Which installed packages have a newer version, and whether that version fits what the other
 * installed packages require of it (their Requires-Dist, markers evaluated: dependencies.ts).
 */
import { compareVersions } from "../packages/pep440.ts";
import { versionSatisfies } from "../packages/requirements.ts";
import type { Graph, Node } from "../packages/dependencies.ts";

export interface Blocker {
  /** The installed package whose requirement the latest version does not meet. */
  from: string;
  version: string;
  /** The requirement as written, e.g. "kappa<2". */
  requirement: string;
}

export interface OutdatedPackage {
  name: string;
  key: string;
  installed: string;
  latest: string;
  explicit: boolean;
  /** Empty when the latest version fits every other installed package. */
  blockedBy: Blocker[];
}

/** What an index can say something about: no editables, direct URLs or non-PEP 440 versions. */
export function comparable(node: Node): boolean {
  return node.dist.pep440 && !node.dist.directUrl;
}

/** The packages `outdated` asks the index about: explicit ones, or all with `all`. */
export function queried(graph: Graph, all: boolean): Node[] {
  return [...graph.values()].filter((n) => comparable(n) && (all || n.explicit));
}

/** The requirements of other installed packages that `version` of `node` would not meet. */
function blockersOf(graph: Graph, node: Node, version: string): Blocker[] {
  return node.requiredBy
    .filter((edge) => !versionSatisfies(edge.requirement, version))
    .map((edge) => {
      const owner = graph.get(edge.from)?.dist;
      return {
        from: owner?.name ?? edge.from,
        version: owner?.version ?? "",
        requirement: edge.text.split(";")[0]!.trim(),
      };
    });
}

/** `latest` maps keys to the newest installable version on the index (undefined: not there). */
export function outdatedPackages(
  graph: Graph,
  nodes: Node[],
  latest: Map<string, string | undefined>,
): OutdatedPackage[] {
  const found: OutdatedPackage[] = [];
  for (const node of nodes) {
    const newest = latest.get(node.dist.key);
    if (!newest || compareVersions(newest, node.dist.version) <= 0) continue;
    const blockedBy = blockersOf(graph, node, newest);
    found.push({
      name: node.dist.name,
      key: node.dist.key,
      installed: node.dist.version,
      latest: newest,
      explicit: node.explicit,
      blockedBy,
    });
  }
  return found;
}
