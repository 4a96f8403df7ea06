/** `pyctl why PKG [--python X.Y] [--json]`: why a package is in the venv. */
import { whyInstalled, type OperationRef } from "../core/operations/why.ts";
import { redactUrls } from "../core/base/redact.ts";
import { out, printJson } from "../ui/output.ts";
import type { VenvContext } from "./context.ts";
import type { ParsedArgs } from "./spec.ts";

const opText = (op: OperationRef) =>
  `#${op.id} (${op.timestamp.slice(0, 16).replace("T", " ")}, ${redactUrls(op.command)})`;

export async function run(args: ParsedArgs, { target }: VenvContext): Promise<number> {
  const why = whyInstalled(target, args.positionals[0]!);
  if (args.options.has("--json")) {
    printJson({
      name: why.name,
      version: why.version,
      explicit: why.explicit,
      explicit_since: why.explicitSince ?? null,
      brought_by: why.broughtBy ?? null,
      predates_history: why.predatesHistory,
      needed_by: why.neededBy,
    });
    return 0;
  }
  out(`${why.name} ${why.version}`);
  if (why.explicit) out(`  you asked for it${why.explicitSince ? ` in ${opText(why.explicitSince)}` : ""}`);
  if (why.broughtBy) out(`  first installed by ${opText(why.broughtBy)}`);
  else if (why.predatesHistory) out("  installed before the oldest operation history keeps");
  if (why.neededBy.length) {
    out("  needed by:");
    for (const chain of why.neededBy) out(`    ${chain.join(" → ")}`);
  } else if (!why.explicit) {
    out("  nothing you asked for needs it (`pyctl autoremove` would remove it)");
  }
  return 0;
}
