/**
 * `pyctl adopt [--dry-run] [--yes] [--keep] [--python X.Y] [PATH]`: move what `pip install --user`
 * left (or another venv, or a `pip install --target` folder) into the matching pyctl venv,
 * offline, as one recorded transaction; then remove it from where it was (kept for undo).
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { PyctlError } from "../core/base/errors.ts";
import type { Context } from "./common.ts";
import { versionsOf } from "../core/doctor/doctor.ts";
import { isVenv } from "../core/python/venv.ts";
import { assertWritable, resolveVersion, targetFor, type Target } from "../core/recording/target.ts";
import {
  adoptableInUserSites,
  examineSource,
  sourceAt,
  userSite,
  userSiteSource,
  userSiteVersions,
  type AdoptSource,
} from "../core/packages/adopt-source.ts";
import { leaving, planAdopt, runAdopt, unmetNeeds, type AdoptPlan } from "../core/operations/adopt.ts";
import { err, notice, out, writeAll } from "../ui/output.ts";
import { openContext } from "./common.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

/** ~ for the home folder, as users write it. */
export function tilde(path: string): string {
  const home = process.env.HOME || homedir();
  return path === home || path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

/** The one line init and status print when the user site holds packages adopt can move. */
export function adoptableLine(ctx: Context): string | undefined {
  const versions = versionsOf(ctx.layout).filter((v) => isVenv(targetFor(ctx.layout, v).venv));
  const dists = adoptableInUserSites(versions);
  if (dists.length === 0) return undefined;
  const names = dists.map((d) => `${d.name} ${d.version}`).join(", ");
  return `${dists.length} package(s) from \`pip install --user\` in your user site (${names}): \`pyctl adopt\` moves them into your venv (undoable)`;
}

const WHERE: Record<AdoptSource["kind"], string> = {
  "user-site": "the user site",
  venv: "that venv",
  target: "that folder",
};

function existingVenv(ctx: Context, version: string): Target {
  const target = targetFor(ctx.layout, version);
  if (!isVenv(target.venv)) {
    throw new PyctlError(`no pyctl venv for Python ${version} to adopt into (${target.venv})`, {
      hint: `run \`pyctl init --python ${version}\` first`,
    });
  }
  return target;
}

function plansFor(ctx: Context, args: ParsedArgs): AdoptPlan[] {
  const path = args.positionals[0];
  const python = stringOption(args, "--python");
  if (path !== undefined) {
    const source = sourceAt(path, ctx.layout.home);
    const target = existingVenv(
      ctx,
      python ? resolveVersion(ctx.config, python) : (source.version ?? resolveVersion(ctx.config)),
    );
    return [planAdopt(source, target, examineSource(source, target.version))];
  }
  const versions = python
    ? [resolveVersion(ctx.config, python)]
    : versionsOf(ctx.layout).filter((v) => isVenv(targetFor(ctx.layout, v).venv));
  if (versions.length === 0)
    throw new PyctlError("no pyctl venv to adopt into yet", { hint: "run `pyctl init` first" });
  for (const v of python ? [] : userSiteVersions().filter((u) => !versions.includes(u))) {
    const count = examineSource(userSiteSource(v), v).length;
    if (count)
      notice(
        `${tilde(userSite(v))} holds ${count} package(s) for Python ${v}, which has no pyctl venv: \`pyctl init --python ${v}\` first`,
      );
  }
  return versions.map((v) => {
    const source = userSiteSource(v);
    const target = existingVenv(ctx, v);
    return planAdopt(source, target, examineSource(source, v));
  });
}

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
  const root = tilde(plan.source.root);
  if (keep) out(`  ${where} is left as it is (--keep)`);
  else
    out(
      `  then ${gone.map((c) => c.dist.name).join(", ")} ${gone.length === 1 ? "is" : "are"} removed from ${root} (${gone.reduce((n, c) => n + c.owned.length, 0)} files, kept for \`pyctl undo\`)`,
    );
}

async function confirm(question: string): Promise<boolean> {
  writeAll(2, `${question} [y/N] `);
  for await (const line of console) return /^\s*y(es)?\s*$/i.test(line);
  return false;
}

async function adoptOne(ctx: Context, plan: AdoptPlan, keep: boolean, path: string | undefined): Promise<number> {
  const command = ["pyctl adopt", ...(keep ? ["--keep"] : []), ...(path === undefined ? [] : [path])].join(" ");
  const result = await runAdopt(plan, ctx.config, command, keep, {
    waiting: (holder) =>
      notice(
        `waiting for ${holder ? `pid ${holder.pid} (${holder.command})` : "another pyctl"} to finish with ${plan.target.venv}`,
      ),
    paused: (phase) => notice(`test pause at ${phase} (PYCTL_TEST_PAUSE)`),
  });
  const id = result.entry.id;
  if (result.error) {
    throw new PyctlError(
      `adopt failed, ${plan.target.venv} and ${plan.source.site} are unchanged: ${result.error.message}`,
      {
        hint: `recorded as #${id} in \`pyctl history\``,
      },
    );
  }
  if (result.interrupted) {
    const venv = result.committed ? `${plan.target.venv} holds them now` : `${plan.target.venv} is unchanged`;
    notice(`interrupted: ${venv}, and nothing was removed from ${plan.source.site} (recorded as #${id})`);
    return result.exitCode;
  }
  const removed = result.removed ? `; ${result.removed} files removed from ${tilde(plan.source.root)}` : "";
  const moved = plan.move.length
    ? `moved ${plan.move.length} package(s) into ${tilde(plan.target.venv)}`
    : `${tilde(plan.target.venv)} had them already`;
  notice(`${moved}${removed}; recorded as #${id} (\`pyctl undo\` reverts it, files included)`);
  return 0;
}

export async function run(args: ParsedArgs): Promise<number> {
  const ctx = await openContext();
  const keep = args.options.has("--keep");
  const dryRun = args.options.has("--dry-run");
  const plans = plansFor(ctx, args).filter(
    (p) => p.move.length + p.same.length + p.conflicts.length + p.stay.length > 0,
  );
  if (plans.length === 0) {
    const path = args.positionals[0];
    out(
      `pyctl: nothing to adopt: ${path ?? "no packages in your user site"}${path && existsSync(path) ? " holds no packages" : ""}`,
    );
    return 0;
  }
  for (const plan of plans) printPlan(plan, keep);
  if (dryRun) {
    out("dry run: nothing changed");
    return 0;
  }
  const acting = plans.filter((p) => leaving(p).length > 0);
  if (acting.length === 0) {
    out("pyctl: nothing can move (see above); nothing changed");
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
      err("pyctl: nothing changed");
      return 1;
    }
  }
  for (const plan of acting) {
    const code = await adoptOne(ctx, plan, keep, args.positionals[0]);
    if (code !== 0) return code;
  }
  return 0;
}
