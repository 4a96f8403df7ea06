/** `pyctl init [--python VERSION|PATH]`: the venv for a Python version, and config.toml. Idempotent. */
import { existsSync } from "node:fs";
import { configString, saveConfig } from "../core/base/config.ts";
import { PyctlError } from "../core/base/errors.ts";
import { findInterpreter } from "../core/python/interpreter.ts";
import { createTargetLocked, targetFor } from "../core/recording/target.ts";
import { isVenv } from "../core/python/venv.ts";
import { notice, out } from "../ui/output.ts";
import { openContext } from "./common.ts";
import { adoptableLine } from "./adopt.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

export async function run(args: ParsedArgs): Promise<number> {
  const ctx = await openContext();
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
  if (!isVenv(target.venv)) {
    if (existsSync(target.venv))
      throw new PyctlError(`${target.venv} exists but is not a venv`, { hint: "`pyctl doctor --fix` can repair it" });
    const waiting = () => notice(`waiting for another pyctl to finish with ${target.venv}`);
    if (await createTargetLocked(target, () => python, config, waiting)) {
      changes.push(`created ${target.venv} (Python ${python.fullVersion}, ${python.path})`);
    }
  }
  if (changes.length === 0) {
    out(`pyctl: already initialised: ${target.venv} (Python ${python.version}); nothing changed`);
  } else {
    for (const line of changes) out(`pyctl: ${line}`);
  }
  const adoptable = adoptableLine(ctx);
  if (adoptable) out(`pyctl: ${adoptable}`);
  return 0;
}
