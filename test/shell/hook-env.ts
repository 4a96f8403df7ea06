/**
 * A sandbox whose shells load the real rendered hook, with the functions pointed at a counting
 * stub: a script that logs its arguments and execs the real pyctl. So a test can tell exactly
 * which shell commands started pyctl, and with what arguments.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, pyctlBin, run, runDir, type Sandbox } from "../support/env.ts";
import { quoteFish, quotePosix } from "../../src/shell/hook.ts";
import type { ShellName } from "./tty.ts";

export interface HistoryRow {
  id: number;
  command: string;
  status: string;
  exit_code: number | null;
  changes: { added?: string[]; removed?: string[] } | null;
}

export interface HookEnv {
  sb: Sandbox;
  /** Each pyctl run the functions started, as its argument list. */
  calls(): string[][];
  /** The rendered hook for `shell`, as a file to source. */
  hookFile(shell: ShellName): string;
  history(version: string): HistoryRow[];
}

const RS = "\x1e";

export function hookEnv(): HookEnv {
  const sb = makeSandbox();
  const log = join(sb.dir, "pyctl-calls.log");
  writeFileSync(log, "");
  const stub = join(sb.dir, "stub", "pyctl");
  mkdirSync(join(sb.dir, "stub"));
  writeFileSync(stub, `#!/bin/sh\n{ printf '%s\\0' "$@"; printf '${RS}'; } >>'${log}'\nexec '${pyctlBin()}' "$@"\n`);
  chmodSync(stub, 0o755);
  return {
    sb,
    calls: () =>
      readFileSync(log, "utf8")
        .split(RS)
        .filter(Boolean)
        .map((call) => call.split("\0").slice(0, -1)),
    hookFile(shell) {
      const rendered = run(sb, ["hook", shell]);
      if (rendered.code !== 0 || rendered.stderr) throw new Error(`pyctl hook ${shell}: ${rendered.stderr}`);
      const text =
        shell === "fish"
          ? rendered.stdout.replace(/^set -g _pyctl_bin .*$/m, `set -g _pyctl_bin ${quoteFish(stub)}`)
          : rendered.stdout.replace(/^_pyctl_bin=.*$/m, `_pyctl_bin=${quotePosix(stub)}`);
      const file = join(sb.dir, `hook.${shell}`);
      writeFileSync(file, text);
      return file;
    },
    history(version) {
      const result = run(sb, ["history", "--json", "--python", version]);
      if (result.code !== 0) return [];
      return JSON.parse(result.stdout) as HistoryRow[];
    },
  };
}

/** The bits of syntax the scenarios need that differ between the shells. */
export const SYNTAX: Record<
  ShellName,
  {
    setenv(name: string, value: string): string;
    unset(name: string): string;
    lastStatus: string;
    path: string;
    activate: string;
  }
> = {
  bash: {
    setenv: (n, v) => `export ${n}='${v}'`,
    unset: (n) => `unset ${n}`,
    lastStatus: "echo $?",
    path: `echo "$PATH"`,
    activate: "bin/activate",
  },
  zsh: {
    setenv: (n, v) => `export ${n}='${v}'`,
    unset: (n) => `unset ${n}`,
    lastStatus: "echo $?",
    path: `echo "$PATH"`,
    activate: "bin/activate",
  },
  fish: {
    setenv: (n, v) => `set -gx ${n} '${v}'`,
    unset: (n) => `set -e ${n}`,
    lastStatus: "echo $status",
    path: "string join : -- $PATH",
    activate: "bin/activate.fish",
  },
};

/**
 * Makes everything the rendered hooks in `sb`'s cache watch that this test run created look an
 * hour old, so the next shell start finds them fresh (a hook rendered within a second after a
 * change is rendered again, to be safe).
 */
export function settleRenderedHooks(sb: Sandbox): void {
  const hourAgo = Date.now() / 1000 - 3600;
  for (const shell of ["bash", "zsh", "fish"]) {
    let text: string;
    try {
      text = readFileSync(join(sb.env.XDG_CACHE_HOME!, "pyctl", `hook.${shell}`), "utf8");
    } catch {
      continue;
    }
    const line = text.split("\n").find((l) => l.startsWith("# pyctl-cache: "))!;
    const state = JSON.parse(line.slice("# pyctl-cache: ".length)) as { newer: string[] };
    for (const path of state.newer)
      if (path.startsWith(runDir()) && existsSync(path)) utimesSync(path, hourAgo, hourAgo);
  }
}
