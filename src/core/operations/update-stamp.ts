/**
 * When the once-a-day "newer versions" notice last got its answer: pyXY/updates-checked, whose
 * mtime is the time. Kept apart from upgrade.ts so that checking it costs a pip write one stat.
 */
import { statSync } from "node:fs";
import { writeFileAtomic } from "../base/atomic.ts";
import type { Target } from "../recording/target.ts";

const DAY_MS = 24 * 3600 * 1000;

export function noticeStampFile(target: Target): string {
  return target.layout.updatesStamp(target.version);
}

export function noticeDue(target: Target, now = Date.now()): boolean {
  const st = statSync(noticeStampFile(target), { throwIfNoEntry: false });
  return !st || now - st.mtimeMs >= DAY_MS;
}

export function markNoticed(target: Target): void {
  try {
    writeFileAtomic(noticeStampFile(target), `${new Date().toISOString()}\n`);
  } catch {
    // then tomorrow's notice comes with the next write instead; nothing else depends on it
  }
}
