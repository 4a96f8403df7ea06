// TEMPORARY (hotpath measurements): PYCTL_PROFILE=FILE appends one JSON line of phase marks per run.
import { appendFileSync } from "node:fs";

const marks: [string, number][] = [];
export function mark(label: string): void {
  if (process.env.PYCTL_PROFILE) marks.push([label, performance.now()]);
}
export function flushProfile(): void {
  const file = process.env.PYCTL_PROFILE;
  if (!file || marks.length === 0) return;
  const out: Record<string, number> = {};
  let last = 0;
  for (const [label, t] of marks) {
    out[label] = Math.round((t - last) * 100) / 100;
    last = t;
  }
  out.total = Math.round(last * 100) / 100;
  appendFileSync(file, `${JSON.stringify(out)}\n`);
}
