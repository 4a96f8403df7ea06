/**
 * `pyctl pip [--python X.Y] [--as NAME] -- ARGS…` (hidden): what the shell functions call for
 * pip writes. Runs the venv's pip with ARGS unchanged; install/uninstall are recorded.
 */
import { configFlag, configString } from "../core/base/config.ts";
import { parsePipArgs, withoutUserFlag } from "../core/packages/pip-args.ts";
import { locateInterpreter } from "../core/python/interpreter.ts";
import { recordOperation } from "../core/recording/recorder.ts";
import { pipAction, recordingEnabled } from "../core/recording/pip-runner.ts";
import { PyctlError } from "../core/base/errors.ts";
import { assertRunnable, assertWritable, prepareTarget, resolveVersion, targetFor } from "../core/recording/target.ts";
import { startInterpreterPip, TERMINAL } from "../core/python/venv.ts";
import { changeLines } from "../ui/diff.ts";
import { err, notice } from "../ui/output.ts";
import { pausedNotice, waitingNotice } from "../ui/waiting.ts";
import type { Context } from "./context.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(parsed: ParsedArgs, ctx: Context): Promise<number> {
  const version = resolveVersion(ctx.config, stringOption(parsed, "--python"));
  const shown = stringOption(parsed, "--as") ?? "pip";
  const { args, dropped } = withoutUserFlag(parsed.positionals);
  const { PIP_USER } = process.env;
  const pipUser = PIP_USER && !/^(0|false|no|off)$/i.test(PIP_USER) ? `PIP_USER=${PIP_USER}` : undefined;
  if (dropped || pipUser) {
    notice(
      `ignoring ${[dropped && "--user", pipUser].filter(Boolean).join(" and ")}: your pyctl venv is your user install`,
    );
  }
  const line = parsePipArgs(args);

  const waiting = waitingNotice(targetFor(ctx.layout, version).venv);
  if (!line.writes && !targetFor(ctx.layout, version).env.exists()) {
    const base = locateInterpreter(`python${version}`);
    if (!base) throw new PyctlError(`no Python ${version} found on PATH or under pyenv`);
    return startInterpreterPip(base, args, TERMINAL).exited;
  }
  const { target, created } = await prepareTarget(ctx.layout, ctx.config, version, waiting);
  if (created) notice(`created ${target.venv} for Python ${version}`);
  assertRunnable(target, configString(ctx.config, "python.default"));
  if (!line.writes || !recordingEnabled(ctx.config))
    return target.env.startPip(args, { stdio: TERMINAL, as: "user" }).exited;

  assertWritable(target);
  const updates = configFlag(ctx.config, "updates.notify")
    ? (await import("./update-notice.ts")).startUpdateNotice(target)
    : undefined;
  // The command as typed (--user included); pip_args are what pip ran.
  const op = { kind: "pip" as const, command: [shown, ...parsed.positionals].join(" "), pipArgs: args };
  const result = await recordOperation(
    target,
    ctx.config,
    op,
    pipAction(target, args, () => updates?.begin()), // the notice's work overlaps pip's run
    { waiting, paused: pausedNotice },
    // Store pruning reads every snapshot: loaded only on the writes that prune history.
    async (t) => (await import("../core/recording/retention.ts")).pruneUnneeded(t),
  );
  if (configFlag(ctx.config, "history.show_diff_after_install")) {
    const lines = changeLines(result.entry.changes);
    for (const text of lines) err(text);
  }
  if (result.interrupted)
    notice(`interrupted; recorded as #${result.entry.id} (\`pyctl undo\` reverts what pip changed)`);
  else await updates?.finish();
  return result.exitCode;
}
