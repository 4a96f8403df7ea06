/**
 * Local dates as the tables show them, `2026-12-07` and `2026-12-07 15:20`. JavaScript's own local
 * time loads ICU's time-zone data on first use: 5–10 ms of every `pyctl list` or `history`, a third
 * of what they cost. The offset is read from the zone file instead (TZif, RFC 8536: $TZ, else
 * /etc/localtime), which takes a tenth of a millisecond; a zone that file cannot answer for falls
 * back to JavaScript's local time.
 */
import { readFileSync } from "node:fs";

const pad = (n: number) => String(n).padStart(2, "0");

interface Zone {
  /** Transition times (s since the epoch), ascending, and the UTC offset (s) from each on. */
  times: number[];
  offsets: number[];
  /** Before the first transition. */
  initial: number;
  /** After the last transition the footer's rule decides; one with summer time is left to JavaScript. */
  ruleChanges: boolean;
}

function zoneFile(): string | undefined {
  const tz = process.env.TZ;
  if (tz === undefined || tz === "") return tz === "" ? "/usr/share/zoneinfo/UTC" : "/etc/localtime";
  const name = tz.startsWith(":") ? tz.slice(1) : tz;
  if (name.startsWith("/")) return name;
  // A POSIX rule ("EST5EDT,M3.2.0,M11.1.0") is not a file name; zone names hold no comma.
  return /^[A-Za-z0-9_+\-./]+$/.test(name) && !name.includes("..") ? `/usr/share/zoneinfo/${name}` : undefined;
}

/** The version 2+ block of a TZif file (64-bit times); undefined for anything else. */
export function parseTzif(data: Buffer): Zone | undefined {
  const header = (at: number) => {
    if (data.toString("latin1", at, at + 4) !== "TZif") return undefined;
    const counts = [20, 24, 28, 32, 36, 40].map((o) => data.readUInt32BE(at + o));
    const [isut, isstd, leap, time, type, chars] = counts as [number, number, number, number, number, number];
    return { version: data[at + 4]!, isut, isstd, leap, time, type, chars };
  };
  const v1 = header(0);
  if (!v1 || v1.version < 0x32) return undefined; // "2" or later
  const v1Size = v1.time * 5 + v1.type * 6 + v1.chars + v1.leap * 8 + v1.isstd + v1.isut;
  const at = 44 + v1Size;
  const v2 = header(at);
  if (!v2 || v2.type === 0) return undefined;
  let p = at + 44;
  const times: number[] = [];
  for (let i = 0; i < v2.time; i++, p += 8) times.push(Number(data.readBigInt64BE(p)));
  const kinds = [...data.subarray(p, p + v2.time)];
  p += v2.time;
  const utoff: number[] = [];
  const dst: boolean[] = [];
  for (let i = 0; i < v2.type; i++, p += 6) {
    utoff.push(data.readInt32BE(p));
    dst.push(data[p + 4] === 1);
  }
  p += v2.chars + v2.leap * 12 + v2.isstd + v2.isut;
  const footer = data.toString("latin1", p).split("\n")[1] ?? "";
  const firstStandard = dst.indexOf(false);
  return {
    times,
    offsets: kinds.map((k) => utoff[k] ?? 0),
    initial: utoff[Math.max(firstStandard, 0)]!,
    ruleChanges: footer.includes(","),
  };
}

let zone: Zone | null | undefined;

function loadZone(): Zone | null {
  const file = zoneFile();
  try {
    return (file && parseTzif(readFileSync(file))) || null;
  } catch {
    return null;
  }
}

/** The zone's UTC offset (s) at `seconds`; undefined when only JavaScript's local time can say. */
export function offsetAt(z: Zone, seconds: number): number | undefined {
  let lo = 0;
  let hi = z.times.length - 1;
  if (seconds > (z.times[hi] ?? Number.NEGATIVE_INFINITY) && z.ruleChanges) return undefined;
  if (hi < 0 || seconds < z.times[0]!) return z.initial;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (z.times[mid]! <= seconds) lo = mid;
    else hi = mid - 1;
  }
  return z.offsets[lo]!;
}

/** [year, month (1–12), day, hour, minute] in local time. */
function localFields(d: Date): number[] {
  zone ??= loadZone();
  const offset = zone ? offsetAt(zone, Math.floor(d.getTime() / 1000)) : undefined;
  if (offset === undefined) return [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()];
  const shifted = new Date(d.getTime() + offset * 1000);
  return [
    shifted.getUTCFullYear(),
    shifted.getUTCMonth() + 1,
    shifted.getUTCDate(),
    shifted.getUTCHours(),
    shifted.getUTCMinutes(),
  ];
}

function parsed(iso: string | null | undefined): Date | undefined {
  const d = iso ? new Date(iso) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

/** "?" for a missing or unreadable timestamp. */
export function localDate(iso: string | null | undefined): string {
  const d = parsed(iso);
  if (!d) return "?";
  const [y, m, day] = localFields(d) as [number, number, number];
  return `${y}-${pad(m)}-${pad(day)}`;
}

export function localDateTime(iso: string | null | undefined): string {
  const d = parsed(iso);
  if (!d) return "?";
  const [y, m, day, h, min] = localFields(d) as [number, number, number, number, number];
  return `${y}-${pad(m)}-${pad(day)} ${pad(h)}:${pad(min)}`;
}
