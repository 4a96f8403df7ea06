/**
 * `pyctl complete -- WORDS…` (hidden): what the completion scripts call. Prints one candidate
 * per line as WORD or WORD<TAB>DESCRIPTION, or the single line ":files" for file names.
 */
import { complete } from "./completion.ts";
import type { ParsedArgs } from "./spec.ts";
import { hasControls, writeAll } from "../ui/output.ts";

export async function run(args: ParsedArgs): Promise<number> {
  const result = await complete(args.positionals);
  if (result.files) {
    writeAll(1, ":files\n");
    return 0;
  }
  // A candidate read from a broken METADATA that holds a control character is not offered: the shell would print it raw.
  const lines = result.candidates
    .filter((c) => !hasControls(c.word))
    .map((c) => (c.description ? `${c.word}\t${c.description.replace(/\s+/g, " ")}` : c.word));
  writeAll(1, lines.length ? `${lines.join("\n")}\n` : "");
  return 0;
}
