/**
 * `pyctl adopt [--dry-run] [--yes] [--keep] [--python X.Y] [PATH]`: move what `pip install --user`
 * left (or another venv, or a `pip install --target` folder) into the matching pyctl venv,
 * offline, and remove it from where it was (kept for undo), as one recorded transaction.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { PyctlError } from "../core/base/errors.ts";
import {
  adoptableDists,
  leaving,
  planAdoptions,
  runAdopt,
  unmetNeeds,
  type AdoptPlan,
} from "../core/operations/adopt.ts";
import { assertWritable } from "../core/recording/target.ts";
import { confirm } from "../ui/confirm.ts";
import { announce, notice, out } from "../ui/output.ts";
import { reportEnding, transactionEvents } from "../ui/transaction.ts";
import type { Context } from "./context.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

/** ~ for the home folder, as users write it. */
function tilde(path: string): string {
  const home = process.env.HOME || homedir();
  return path === home || path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

/** The one line init and status print when the user site holds packages adopt can move. */
export function adoptableLine(ctx: Context): string | undefined {
  const dists = adoptableDists(ctx.layout);
  if (dists.length === 0) return undefined;
  const names = dists.map((d) => `${d.name} ${d.version}`).join(", ");
  return `${dists.length} package(s) from \`pip install --user\` in your user site (${names}): \`pyctl adopt\` moves them into your venv (undoable)`;
}

const WHERE: Record<AdoptPlan["source"]["kind"], string> = {
  "user-site": "the user site",
  venv: "that venv",
  target: "that folder",
};

function scripts(files: { to: string }[]): string {
  const names = files.filter((f) => f.to.startsWith("bin/")).map((f) => f.to.slice(4));
  return names.length ? `, scripts: ${names.join(", ")}` : "";
}

function printPlan(plan: AdoptPlan, keep: boolean): void {
  const where = WHERE[plan.source.kind];
  out(`adopt from ${tilde(plan.source.site)} into ${tilde(plan.target.venv)}:`);
  for (const c of plan.move)
    out(`  + ${c.dist.name} ${c.dist.version} (${c.dist.requested ? "explicit" : "dependency"}${scripts(c.files)})`);
  for (const c of plan.same) out(`  = ${c.dist.name} ${c.dist.version}: the venv has this version already`);
  for (const { candidate: c, installed } of plan.conflicts) {
    out(
      `  ! ${c.dist.name}: the venv's ${installed.version} wins over ${where}'s ${c.dist.version}: it is the one pyctl installed and records, and the one your pip upgrades`,
    );
  }
  for (const c of plan.stay) out(`  stays: ${c.dist.name} ${c.dist.version}: ${c.reason}`);
  for (const note of unmetNeeds(plan)) out(`  note: ${note} (\`pip install\` it afterwards)`);
  const gone = leaving(plan);
  if (gone.length === 0) return;
  const files = gone.reduce((n, c) => n + c.owned.length, 0);
  if (keep) out(`  ${where} is left as it is (--keep)`);
  else
    out(
      `  then ${gone.map((c) => c.dist.name).join(", ")} ${gone.length === 1 ? "is" : "are"} removed from ${tilde(plan.source.root)} (${files} files, kept for \`pyctl undo\`)`,
    );
}

async function adoptOne(ctx: Context, plan: AdoptPlan, keep: boolean, path: string | undefined): Promise<number> {
  const command = ["pyctl adopt", ...(keep ? ["--keep"] : []), ...(path === undefined ? [] : [path])].join(" ");
  const { venv } = plan.target;
  const result = await runAdopt(plan, ctx.config, command, keep, transactionEvents(venv));
  const removed = result.removed ? `; ${result.removed} files removed from ${tilde(plan.source.root)}` : "";
  const nothingRemoved = `, and nothing was removed from ${plan.source.site}`;
  return reportEnding(result, {
    kind: "adopt",
    venv,
    unchanged: result.error ? `${venv} and ${plan.source.site} are unchanged` : `${venv} is unchanged${nothingRemoved}`,
    switched: `${venv} holds them now${removed || nothingRemoved}`,
    done: `${plan.move.length ? `moved ${plan.move.length} package(s) into ${tilde(venv)}` : `${tilde(venv)} had them already`}${removed}`,
    reverts: "it, files included",
  });
}

export async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const keep = args.options.has("--keep");
  const path = args.positionals[0];
  const { plans, strays } = planAdoptions(ctx.layout, ctx.config, path, stringOption(args, "--python"));
  for (const s of strays)
    notice(
      `${tilde(s.site)} holds ${s.count} package(s) for Python ${s.version}, which has no pyctl venv: \`pyctl init --python ${s.version}\` first`,
    );
  if (plans.length === 0) {
    const what =
      path === undefined ? "no packages in your user site" : `${path}${existsSync(path) ? " holds no packages" : ""}`;
    announce(`nothing to adopt: ${what}`);
    return 0;
  }
  for (const plan of plans) printPlan(plan, keep);
  if (args.options.has("--dry-run")) {
    out("dry run: nothing changed");
    return 0;
  }
  const acting = plans.filter((p) => leaving(p).length > 0);
  if (acting.length === 0) {
    announce("nothing can move (see above); nothing changed");
    return 1;
  }
  for (const plan of acting) assertWritable(plan.target);
  if (!keep && !args.options.has("--yes")) {
    const sources = acting.map((p) => tilde(p.source.site)).join(", ");
    if (!process.stdin.isTTY)
      throw new PyctlError(
        `adopt removes what it moves from ${sources} and asks first; there is no terminal to ask (pass --yes, or --keep)`,
      );
    if (!(await confirm("move them?"))) {
      notice("nothing changed");
      return 1;
    }
  }
  for (const plan of acting) {
    const code = await adoptOne(ctx, plan, keep, path);
    if (code !== 0) return code;
  }
  return 0;
}
