/**
 * How a change between two package sets reads: + added, - removed, ↑ upgraded, ↓ downgraded,
 * ~ the same version from another build.
 */
import type { Changes } from "../core/recording/changes.ts";
import { compareVersions } from "../core/packages/pep440.ts";
import { colors } from "./output.ts";
import type { Comparison } from "../core/operations/compare.ts";

export function changeLines(changes: Changes): string[] {
  const c = colors();
  const split = (pin: string) => pin.split(/===?/) as [string, string];
  const lines: string[] = [];
  for (const pin of changes.added) {
    const [name, version] = split(pin);
    lines.push(c.green(`+ ${name} ${version}`));
  }
  for (const pin of changes.removed) {
    const [name, version] = split(pin);
    lines.push(c.red(`- ${name} ${version}`));
  }
  for (const m of changes.modified) {
    if (m.from === m.to) {
      lines.push(c.yellow(`~ ${m.name} ${m.to} (another build)`));
      continue;
    }
    const up = compareVersions(m.to, m.from) >= 0;
    lines.push(c.yellow(`${up ? "↑" : "↓"} ${m.name} ${m.from} → ${m.to}`));
  }
  return lines;
}

export function summarize(changes: Changes): string {
  const parts: string[] = [];
  if (changes.added.length) parts.push(`+${changes.added.length}`);
  if (changes.removed.length) parts.push(`-${changes.removed.length}`);
  if (changes.modified.length) parts.push(`~${changes.modified.length}`);
  return parts.length ? parts.join(" ") : "no change";
}

/** `pyctl diff A B`'s lines: the changes, then the explicit marks that changed. */
export function comparisonLines(c: Comparison): string[] {
  const marks = c.marks.map((m) => (m.explicit ? `* ${m.name}: now asked for` : `* ${m.name}: now a dependency only`));
  const modified = [...c.upgraded, ...c.downgraded];
  return [...changeLines({ added: c.added, removed: c.removed, modified }), ...marks];
}
