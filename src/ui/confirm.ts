import { writeAll } from "./output.ts";

/** Ask on the terminal; only "y" or "yes" is a yes. */
export async function confirm(question: string): Promise<boolean> {
  writeAll(2, `${question} [y/N] `);
  for await (const line of console) return /^\s*y(es)?\s*$/i.test(line);
  return false;
}
