/** What most commands start with: the tier's layout, its config, and the venv they act on. */
import { loadConfig, configFlag, type Config } from "../core/base/config.ts";
import { Layout } from "../core/base/paths.ts";
import { setPrivateWrites } from "../core/base/modes.ts";
import { resolveVersion, targetFor, type Target } from "../core/recording/target.ts";
import { isVenv } from "../core/python/venv.ts";
import { PyctlError } from "../core/base/errors.ts";
import { setColorSetting } from "../ui/output.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

export interface Context {
  layout: Layout;
  config: Config;
}

export async function openContext(): Promise<Context> {
  const layout = new Layout();
  if (layout.tier === "system") process.umask(0o022); // what root writes there, everyone may read and nobody else may change
  setPrivateWrites(layout.tier === "user");
  const config = await loadConfig(layout.configFile);
  setColorSetting(configFlag(config, "ui.color"));
  return { layout, config };
}

/** The target named by --python (default version otherwise); it must exist already. */
export function existingTarget(ctx: Context, args: ParsedArgs): Target {
  const version = resolveVersion(ctx.config, stringOption(args, "--python"));
  const target = targetFor(ctx.layout, version);
  if (!isVenv(target.venv)) {
    throw new PyctlError(`no venv for Python ${version} yet (${target.venv})`, {
      hint: `run \`pyctl init --python ${version}\``,
    });
  }
  return target;
}
