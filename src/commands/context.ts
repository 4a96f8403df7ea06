/**
 * What a command runs in, opened once by src/cli.ts from the command's `needs` (spec.ts): the
 * tier's umask and write policy first, so nothing a command writes escapes them (issue 16, bug 1).
 */
import { configFlag, defaultConfig, loadConfig, type Config } from "../core/base/config.ts";
import { PyctlError } from "../core/base/errors.ts";
import { setPrivateWrites } from "../core/base/modes.ts";
import { Layout } from "../core/base/paths.ts";
import { resolveVersion, targetFor, type Target } from "../core/recording/target.ts";
import { setColorSetting } from "../ui/output.ts";
import { stringOption } from "./parse.ts";
import type { Needs, ParsedArgs } from "./spec.ts";

export interface Context {
  layout: Layout;
  config: Config;
  /** Only with needs "tolerant-config": why config.toml could not be read (defaults are used). */
  configError?: Error;
}

/** For needs "venv": the venv named by --python (or the default), which exists. */
export interface VenvContext extends Context {
  target: Target;
}

export async function openContext(needs: Exclude<Needs, "nothing">, args: ParsedArgs): Promise<Context> {
  const layout = new Layout();
  // What root writes in the system tier everyone may read and nobody else may change, whatever root's umask.
  if (layout.tier === "system") process.umask(0o022);
  setPrivateWrites(layout.tier === "user");
  let config: Config;
  try {
    config = await loadConfig(layout.configFile);
  } catch (error) {
    if (needs !== "tolerant-config") throw error;
    return { layout, config: defaultConfig(), configError: error as Error };
  }
  setColorSetting(configFlag(config, "ui.color"));
  const ctx: Context = { layout, config };
  if (needs !== "venv") return ctx;
  const venv: VenvContext = { ...ctx, target: existingTarget(ctx, stringOption(args, "--python")) };
  return venv;
}

/** The venv of `python` (or the default version); it must exist already. */
export function existingTarget(ctx: Context, python: string | undefined): Target {
  const version = resolveVersion(ctx.config, python);
  const target = targetFor(ctx.layout, version);
  if (!target.env.exists()) {
    throw new PyctlError(`no venv for Python ${version} yet (${target.venv})`, {
      hint: `run \`pyctl init --python ${version}\``,
    });
  }
  return target;
}
