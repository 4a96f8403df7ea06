/**
 * What pip says about a resolution: the JSON of `pip install --dry-run --report -` (pip ≥ 22.2;
 * https://pip.pypa.io/en/stable/reference/installation-report/) and the ResolutionImpossible text
 * pip prints when requirements conflict.
 */
import { canonicalName, normalizeVersion } from "./pep440.ts";
import { parseRequirement } from "./requirements.ts";

export interface ReportItem {
  name: string;
  key: string;
  version: string;
  requested: boolean;
  requiresDist: string[];
}

interface RawReport {
  install?: { requested?: boolean; metadata?: { name?: string; version?: string; requires_dist?: string[] } }[];
}

/** The distributions a dry run would install. */
export function parseInstallReport(json: string): ReportItem[] {
  const report = JSON.parse(json) as RawReport;
  return (report.install ?? [])
    .filter((i) => i.metadata?.name && i.metadata.version)
    .map((i) => ({
      name: i.metadata!.name!,
      key: canonicalName(i.metadata!.name!),
      version: normalizeVersion(i.metadata!.version!) ?? i.metadata!.version!,
      requested: i.requested === true,
      requiresDist: i.metadata!.requires_dist ?? [],
    }));
}

export interface Conflict {
  /** What was asked for: "kappa>1.1" (from "The user requested …"). */
  requested: string[];
  /** "lamda 1.0 depends on kappa<2" as { from: "lamda", version: "1.0", requirement: "kappa<2" }. */
  dependencies: { from: string; version: string; requirement: string }[];
}

/** The "The conflict is caused by:" block of pip's ResolutionImpossible error; undefined if absent. */
export function parseConflict(stderr: string): Conflict | undefined {
  const at = stderr.indexOf("The conflict is caused by:");
  if (at < 0) return undefined;
  const conflict: Conflict = { requested: [], dependencies: [] };
  for (const raw of stderr.slice(at).split("\n").slice(1)) {
    const line = raw.trim();
    if (!line) break;
    const user = /^The user requested (?:\(constraint\) )?(.+)$/.exec(line);
    if (user) conflict.requested.push(user[1]!.trim());
    const dep = /^(\S+) (\S+) depends on (.+)$/.exec(line);
    if (dep) conflict.dependencies.push({ from: dep[1]!, version: dep[2]!, requirement: dep[3]!.trim() });
  }
  return conflict;
}

function keyOf(requirement: string): string | undefined {
  try {
    return parseRequirement(requirement).key;
  } catch {
    return undefined;
  }
}

/** One line per blocked upgrade: which requirement blocks what was asked for. */
export function describeConflict(conflict: Conflict): string[] {
  const lines: string[] = [];
  for (const wanted of conflict.requested) {
    const key = keyOf(wanted);
    const blockers = conflict.dependencies.filter((d) => keyOf(d.requirement) === key && canonicalName(d.from) !== key);
    if (blockers.length)
      lines.push(
        `${blockers.map((b) => `${b.from} ${b.version} requires ${b.requirement}`).join(" and ")}, which blocks ${wanted}`,
      );
  }
  if (lines.length === 0) {
    for (const d of conflict.dependencies) lines.push(`${d.from} ${d.version} requires ${d.requirement}`);
  }
  return lines;
}

/** pip's last ERROR line, for failures other than a conflict. */
export function lastPipError(stderr: string): string | undefined {
  const errors = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("ERROR: "));
  return errors.at(-1)?.slice(7);
}
