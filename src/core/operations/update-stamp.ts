/**
 * When the once-a-day "newer versions" notice last got its answer: pyXY/updates-checked, whose
 * mtime is the time. Kept apart from upgrade.ts so that checking it costs a pip write one stat.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import type { Target } from "../recording/target.ts";

const DAY_MS = 24 * 3600 * 1000;

function noticeStampFile(target: Target): string {
  return join(target.layout.versionDir(target.version), "updates-checked");
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
