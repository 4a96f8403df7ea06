/** `pyctl list-deps PKG [--json] [--python X.Y]`: what PKG requires (at which installed versions) and what requires it. */
import { PROTECTED, type Edge } from "../core/packages/dependencies.ts";
import { graphOf } from "../core/recording/graph.ts";
import { PyctlError } from "../core/base/errors.ts";
import { canonicalName } from "../core/packages/pep440.ts";
import { out, printJson, table } from "../ui/output.ts";
import type { VenvContext } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

function requirementJson(edge: Edge) {
  return {
    name: edge.requirement.name,
    requirement: edge.text,
    marker: edge.requirement.markerText ?? null,
    extra: edge.viaExtra ?? null,
    installed: edge.installed?.version ?? null,
    satisfied: edge.satisfied,
  };
}

/** Why a requirement counts, when it is conditional: `(extra "fast")`, `(python_version >= "3.8")`. */
function condition(edge: Edge): string {
  if (edge.viaExtra) return `(extra "${edge.viaExtra}")`;
  return edge.requirement.markerText ? `(${edge.requirement.markerText})` : "";
}

function requirementRow(edge: Edge): string[] {
  const { requirement: req, installed } = edge;
  const wanted = `${req.name}${req.extras.length ? `[${req.extras.join(",")}]` : ""}${req.specifier || (req.url ? ` @ ${req.url}` : "")}`;
  const have = installed ? `${installed.name}==${installed.version}` : `${req.name}: missing`;
  const state =
    installed && !edge.satisfied ? `does not satisfy ${wanted}` : wanted === req.name ? "" : `for ${wanted}`;
  return [`  ${have}`, state, condition(edge)];
}

export async function run(args: ParsedArgs, { target }: VenvContext): Promise<number> {
  const wanted = args.positionals[0]!;
  const graph = graphOf(target);
  const node = graph.get(canonicalName(wanted));
  if (!node)
    throw new PyctlError(`${wanted} is not installed in ${target.venv}`, { hint: "`pyctl list` shows what is" });
  const { dist } = node;
  const requiredBy = node.requiredBy.map((e) => ({ edge: e, dist: graph.get(e.from)!.dist }));
  if (args.options.has("--json")) {
    printJson({
      name: dist.name,
      version: dist.version,
      type: node.explicit ? "explicit" : "dependency",
      extras: [...node.extras].sort(),
      requires: node.requires.map(requirementJson),
      required_by: requiredBy.map(({ edge, dist: d }) => ({
        name: d.name,
        version: d.version,
        requirement: edge.text,
      })),
    });
    return 0;
  }
  const extras = node.extras.size ? ` with extras ${[...node.extras].sort().join(", ")}` : "";
  out(`${dist.name}==${dist.version} (${node.explicit ? "explicit" : "dependency"}${extras}) depends on:`);
  if (node.requires.length === 0) out("  nothing");
  for (const line of table(node.requires.map(requirementRow))) out(line);
  out("");
  out("Required by:");
  if (requiredBy.length === 0) {
    const why = node.explicit
      ? " (you asked for it)"
      : PROTECTED.has(dist.key)
        ? ""
        : " (an orphan: `pyctl autoremove` removes it)";
    out(`  nothing${why}`);
  }
  const rows = requiredBy.map(({ edge, dist: d }) => [
    `  ${d.name}==${d.version}`,
    edge.text === edge.requirement.name ? "" : `(${edge.text})`,
  ]);
  for (const line of table(rows)) out(line);
  return 0;
}
