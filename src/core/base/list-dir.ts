/** A folder's entry names, or none when it is missing or cannot be read (the caller's "nothing there yet"). */
import { readdirSync } from "node:fs";

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
