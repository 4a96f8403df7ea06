/**
 * A venv whose base interpreter was removed (a Debian upgrade that drops the old python3.X), met
 * through the hook in each real shell: python, pythonX.Y, pip's reads and `python -m pip` say
 * one `pyctl:` line naming the interpreter and `pyctl rebuild --python …`, exit 1 and record
 * nothing, instead of "bad interpreter" or a JavaScript stack.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PY, sh } from "../support/env.ts";
import { historyFiles, ok, PYTHON } from "../support/venv-fixtures.ts";
import { hookEnv, type HookEnv } from "./hook-env.ts";
import type { ShellName } from "./tty.ts";

let env: HookEnv;
let base: string;
beforeAll(() => {
  env = hookEnv();
  base = join(env.sb.dir, "python", "bin", `python${PY.version}`);
  mkdirSync(join(env.sb.dir, "python", "bin"), { recursive: true });
  copyFileSync(PYTHON, base);
  ok(sh([join(env.sb.dir, "stub", "pyctl"), "init", "--python", base], env.sb));
  ok(sh([join(env.sb.dir, "stub", "pyctl"), "pip", "--", "install", "-q", "epsilon"], env.sb));
  rmSync(base);
});
afterAll(() => env?.sb.cleanup());

const COMMANDS = [
  "python -c 'print(1)'",
  `python${PY.version} -c 'print(1)'`,
  "pip list",
  "pip3 --version",
  "python -m pip list",
  "pip install alpha",
];

function script(shell: ShellName, hook: string): string {
  const status = shell === "fish" ? "$status" : "$?";
  const lines = COMMANDS.map((c) => `${c}; echo "exit=${status}"`);
  return shell === "fish" ? [`source ${hook}`, ...lines].join("\n") : [`. ${hook}`, ...lines].join("\n");
}

describe.each(["bash", "zsh", "fish"] as ShellName[])("%s with a venv whose base interpreter is gone", (shell) => {
  test("python, pythonX.Y, pip reads and writes say one pyctl: line each and exit 1", () => {
    const before = historyFiles(env.sb);
    const r = sh([shell, "-c", script(shell, env.hookFile(shell))], env.sb);
    const line = `pyctl: the Python ${PY.version} interpreter ${base} is gone`;
    expect(r.stdout.trim().split("\n")).toEqual(COMMANDS.map(() => "exit=1"));
    const errors = r.stderr.trim().split("\n");
    expect(errors).toHaveLength(COMMANDS.length);
    for (const e of errors) expect(e).toStartWith(line);
    expect(errors[0]).toContain(`pyctl rebuild --python ${PY.version}`);
    expect(historyFiles(env.sb)).toEqual(before);
  });
});
