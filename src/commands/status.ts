/** `pyctl status [--json]`: tier, venvs and their Pythons, package counts, history, config, hook. */
import { existsSync, readdirSync } from "node:fs";
import { configString } from "../core/base/config.ts";
import { hookState } from "../shell/hook-state.ts";
import { hookIsSetUp, SETUP_HINT } from "../shell/setup-hint.ts";
import { ids, latestId } from "../core/recording/history.ts";
import { versionsIn } from "../core/base/paths.ts";
import { inventoryOf, pythonVersionOf, targetFor } from "../core/recording/target.ts";
import { out, printJson } from "../ui/output.ts";
import type { Context } from "./context.ts";
import { adoptableLine } from "./adopt.ts";
import type { ParsedArgs } from "./spec.ts";
import { counted } from "../ui/plural.ts";

export async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const { layout, config } = ctx;
  const versions = existsSync(layout.home) ? versionsIn(readdirSync(layout.home)) : [];
  const venvs = versions.map((version) => {
    const target = targetFor(layout, version);
    const exists = target.env.exists();
    return {
      python: version,
      full_version: exists ? pythonVersionOf(target) : null,
      venv: target.venv,
      exists,
      packages: exists ? inventoryOf(target).length : 0,
      history_entries: ids(target.historyDir).length,
      latest_id: latestId(target.historyDir),
    };
  });
  const status = {
    tier: layout.tier,
    home: layout.home,
    config_file: layout.configFile,
    config_exists: existsSync(layout.configFile),
    default_python: configString(config, "python.default") || null,
    hook: hookState(),
    venvs,
  };
  if (args.options.has("--json")) {
    printJson(status);
    return 0;
  }
  out(`tier:      ${status.tier} (${status.home})`);
  out(`config:    ${status.config_file}${status.config_exists ? "" : " (not created yet: run `pyctl init`)"}`);
  out(`default:   Python ${status.default_python ?? "(not set)"}`);
  const inactive = hookIsSetUp() ? "not active in this shell" : SETUP_HINT;
  out(`hook:      ${status.hook.active ? `active in this ${status.hook.shell ?? "shell"}` : inactive}`);
  for (const v of venvs) {
    const health = v.exists ? targetFor(layout, v.python).env.health() : { ok: true as const };
    const broken =
      "missingBase" in health ? `, its base interpreter ${health.missingBase} is gone: see \`pyctl rebuild\`` : "";
    const state = v.exists ? `Python ${v.full_version}, ${counted(v.packages, "package")}${broken}` : "missing";
    out(
      `py${v.python.replace(".", "")}:     ${v.venv} (${state}; ${counted(v.history_entries, "operation")} recorded)`,
    );
  }
  if (venvs.length === 0) out("venvs:     none yet (run `pyctl init`)");
  const adoptable = adoptableLine(ctx);
  if (adoptable) out(`adopt:     ${adoptable}`);
  return 0;
}
