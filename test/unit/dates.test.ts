// Local dates from the zone file agree with JavaScript's own local time (ICU), in zones with and
// without summer time, half-hour offsets, and dates before, between and after transitions.
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { parseTzif } from "../../src/ui/dates.ts";

const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"];
const MODULE = join(import.meta.dir, "..", "..", "src", "ui", "dates.ts");

const probe = `
import { localDateTime } from ${JSON.stringify(MODULE)};
const pad = (n) => String(n).padStart(2, "0");
const js = (d) => \`\${d.getFullYear()}-\${pad(d.getMonth() + 1)}-\${pad(d.getDate())} \${pad(d.getHours())}:\${pad(d.getMinutes())}\`;
const out = [];
for (let t = Date.UTC(1965, 0, 1); t < Date.UTC(2045, 0, 1); t += 7 * 3600 * 1000 * 97 + 61000) {
  const iso = new Date(t).toISOString();
  out.push([iso, localDateTime(iso), js(new Date(t))]);
}
console.log(JSON.stringify(out));
`;

for (const zone of ZONES) {
  test.skipIf(!existsSync(`/usr/share/zoneinfo/${zone}`))(`${zone}: the zone file's offsets are JavaScript's`, () => {
    const r = Bun.spawnSync([process.execPath, "-e", probe], { env: { ...process.env, TZ: zone } });
    expect(r.stderr.toString()).toBe("");
    const rows = JSON.parse(r.stdout.toString()) as [string, string, string][];
    expect(rows.length).toBeGreaterThan(800);
    const differing = rows.filter(([, ours, js]) => ours !== js);
    expect(differing).toEqual([]);
    // The zone file was read, not left to JavaScript (which would agree with itself).
    const parsed = parseTzif(readFileSync(`/usr/share/zoneinfo/${zone}`));
    expect(parsed).toBeDefined();
    if (zone !== "UTC") expect(parsed!.times.length).toBeGreaterThan(0);
  });
}

test("a timestamp that is missing or not a date reads ?", async () => {
  const { localDate, localDateTime } = await import(MODULE);
  expect(localDate(null)).toBe("?");
  expect(localDateTime("not a date")).toBe("?");
});
