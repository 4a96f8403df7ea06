/**
 * `pyctl doctor [--fix] [--json]`: check the venvs, their interpreters, history, locks, store,
 * snapshots, config and the shell set-up; with --fix, repair what can be repaired safely
 * (recorded where the venv changes) and say what could not be.
 */
import { configFlag, configString, defaultConfig, loadConfig, type Config } from "../core/base/config.ts";
import type { Check, Repair } from "../core/doctor/check.ts";
import { runChecks } from "../core/doctor/doctor.ts";
import { isRoot, Layout } from "../core/base/paths.ts";
import { PyctlError } from "../core/base/errors.ts";
import { setPrivateWrites } from "../core/base/modes.ts";
import { applyRepair } from "../core/operations/doctor-repair.ts";
import { repairRcBlock, shellChecks, type ShellRepair } from "../shell/doctor-checks.ts";
import { colors, notice, out, printJson, setColorSetting } from "../ui/output.ts";
import type { ParsedArgs } from "./spec.ts";

interface Fixed {
  id: string;
  message: string;
}
type AnyCheck = Check<Repair | ShellRepair>;

function allChecks(layout: Layout, config: Config, configError: Error | undefined): AnyCheck[] {
  return runChecks({ layout, configError, more: shellChecks(layout, configString(config, "python.default")) });
}

async function repairAll(
  checks: AnyCheck[],
  layout: Layout,
  config: Config,
): Promise<{ fixed: Fixed[]; failed: Fixed[] }> {
  const fixed: Fixed[] = [];
  const failed: Fixed[] = [];
  const done = new Set<string>();
  // Taking unowned files out comes last: the other repairs (permissions) first fix what they name.
  const last = (c: AnyCheck) => c.repair?.kind === "prune-unowned";
  for (const check of [...checks.filter((c) => !last(c)), ...checks.filter(last)]) {
    if (check.ok || !check.repair) continue;
    const key = JSON.stringify(check.repair);
    if (done.has(key)) continue; // e.g. a missing venv and its interpreter: one rebuild
    done.add(key);
    try {
      fixed.push({
        id: check.id,
        message:
          check.repair.kind === "rc-block"
            ? repairRcBlock(check.repair)
            : await applyRepair(check.repair, { layout, config, events: repairEvents }),
      });
    } catch (error) {
      failed.push({ id: check.id, message: (error as Error).message });
    }
  }
  return { fixed, failed };
}

const repairEvents = {
  progress: notice,
  fetching: (lines: string[]) => notice(`not in the local package store, so pip downloads: ${lines.join(", ")}`),
  paused: (phase: string) => notice(`test pause at ${phase} (PYCTL_TEST_PAUSE)`),
};

function printCheck(check: AnyCheck, fixing: boolean): void {
  const c = colors();
  out(`${check.ok ? c.green("ok     ") : c.red("problem")}  ${check.id}: ${check.message}`);
  if (!check.ok && check.fix)
    out(`         fix: ${check.fix}${check.repair && !fixing ? " (`pyctl doctor --fix` does this)" : ""}`);
}

export async function run(args: ParsedArgs): Promise<number> {
  const layout = new Layout();
  setPrivateWrites(layout.tier === "user");
  if (args.options.has("--fix") && layout.tier === "system" && !isRoot()) {
    throw new PyctlError(`doctor --fix would change the system tier at ${layout.home}, which belongs to root`, {
      hint: "run it as root; `pyctl doctor` (without --fix) shows the problems",
    });
  }
  let config = defaultConfig();
  let configError: Error | undefined;
  try {
    config = await loadConfig(layout.configFile);
    setColorSetting(configFlag(config, "ui.color"));
  } catch (error) {
    configError = error as Error;
  }
  const fixing = args.options.has("--fix");
  let checks = allChecks(layout, config, configError);
  let fixed: Fixed[] = [];
  let failed: Fixed[] = [];
  if (fixing) {
    ({ fixed, failed } = await repairAll(checks, layout, config));
    // What is shown and what the exit code says come from a fresh check, never from the repairs' own word.
    if (fixed.length || failed.length) checks = allChecks(layout, config, configError);
  }
  const problems = checks.filter((c) => !c.ok);
  const healthy = problems.length === 0 && failed.length === 0;
  if (args.options.has("--json")) {
    const shown = checks.map(({ repair, ...rest }) => ({ ...rest, fixable: repair !== undefined }));
    printJson({
      tier: layout.tier,
      home: layout.home,
      ok: healthy,
      checks: shown,
      ...(fixing ? { fixed, not_fixed: failed } : {}),
    });
    return healthy ? 0 : 1;
  }
  out(`pyctl doctor: ${layout.tier} tier at ${layout.home}`);
  for (const f of fixed) out(`fixed    ${f.id}: ${f.message}`);
  for (const f of failed) out(`not fixed ${f.id}: ${f.message}`);
  for (const check of checks) printCheck(check, fixing);
  const fixable = problems.filter((p) => p.repair).length;
  if (healthy) out("no problems found");
  else if (problems.length === 0) out(`${failed.length} repair(s) failed (see not fixed: above)`);
  else
    out(
      `${problems.length} problem(s)${!fixing && fixable ? `; \`pyctl doctor --fix\` can repair ${fixable}` : fixing ? " left: they need you (see fix: above)" : ""}`,
    );
  return healthy ? 0 : 1;
}
