/** `pyctl init [--python VERSION|PATH]`: the venv for a Python version, and config.toml. Idempotent. */
import { existsSync } from "node:fs";
import { configString, saveConfig } from "../core/base/config.ts";
import { PyctlError } from "../core/base/errors.ts";
import { findInterpreter } from "../core/python/interpreter.ts";
import { createTargetLocked, targetFor } from "../core/recording/target.ts";
import { announce } from "../ui/output.ts";
import { waitingNotice } from "../ui/waiting.ts";
import type { Context } from "./context.ts";
import { adoptableLine } from "./adopt.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const { layout, config } = ctx;
  const requested = stringOption(args, "--python");
  const remembered = configString(config, "python.interpreter");
  const python = findInterpreter(requested ?? (remembered && existsSync(remembered) ? remembered : undefined));
  const changes: string[] = [];
  const firstDefault = !configString(config, "python.default");
  if (firstDefault) {
    config.set("python.default", python.version);
    config.set("python.interpreter", python.path);
  }
  if (firstDefault || !existsSync(layout.configFile)) {
    saveConfig(layout.configFile, config);
    changes.push(`wrote ${layout.configFile} (default Python ${configString(config, "python.default")})`);
  }
  const target = targetFor(layout, python.version);
  if (!target.env.exists()) {
    if (existsSync(target.venv))
      throw new PyctlError(`${target.venv} exists but is not a venv`, { hint: "`pyctl doctor --fix` can repair it" });
    if (await createTargetLocked(target, () => python, config, waitingNotice(target.venv))) {
      changes.push(`created ${target.venv} (Python ${python.fullVersion}, ${python.path})`);
    }
  }
  if (changes.length === 0) {
    announce(`already initialised: ${target.venv} (Python ${python.version}); nothing changed`);
  } else {
    for (const line of changes) announce(line);
  }
  const adoptable = adoptableLine(ctx);
  if (adoptable) announce(adoptable);
  return 0;
}
