/**
 * History ids complete in numeric order in every shell (issue 20): bash and zsh would sort them
 * as text (1 10 11 2). Real shells on a pty, TAB pressed twice, the listing read off the screen.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { quoteFish } from "../../src/shell/hook.ts";
import { run, sh, targetOf } from "../support/env.ts";
import { hookEnv, type HookEnv } from "./hook-env.ts";
import { Session, waitFor, type ShellName } from "./tty.ts";

// The preload's default timeout reaches only the first file of a run (Bun 1.4.5): set it here too.
setDefaultTimeout(120_000);

const COMPLETIONS = resolve(import.meta.dir, "..", "..", "completions");
const IDS = Array.from({ length: 11 }, (_, i) => i + 1);

let env: HookEnv;

beforeAll(() => {
  env = hookEnv();
  expect(run(env.sb, ["init"]).code).toBe(0);
  const history = targetOf(env.sb).historyDir;
  mkdirSync(history, { recursive: true });
  for (const id of IDS) {
    const entry = { id, command: `pip install op${id}`, freeze: "", packages: [] };
    writeFileSync(join(history, `${String(id).padStart(3, "0")}_before.json`), JSON.stringify(entry));
  }
});

afterAll(() => env?.sb.cleanup());

/** The ids in the order they appear on `screen`. */
function order(screen: string, pattern: RegExp): number[] {
  return [...screen.matchAll(pattern)].map((m) => Number(m[1]));
}

describe.each(["bash", "zsh"] as ShellName[])("%s on a pty", (shell) => {
  let s: Session;

  beforeAll(async () => {
    const rc =
      shell === "bash"
        ? `source ${join(COMPLETIONS, "pyctl.bash")}`
        : `fpath=(${COMPLETIONS} $fpath)\nautoload -Uz compinit && compinit -u`;
    s = new Session(shell, { env: env.sb.env, rc, parent: env.sb.dir });
    await s.ready();
  });

  afterAll(() => s?.close());

  test("pyctl diff <TAB>: the points #1 to #11 in numeric order", async () => {
    s.send("pyctl diff ");
    s.keys("Tab", "Tab");
    // bash lists the words on one row; zsh one per line with its description
    const pattern = shell === "bash" ? /(?<=^|\s)\\?#(\d+)(?=\s|$)/gm : /^\\?#(\d+)\s+--\s+pip install op/gm;
    let screen = "";
    await waitFor(
      () => {
        screen = s.screen(40);
        return order(screen, pattern).length >= IDS.length;
      },
      15_000,
      () => `after TAB:\n${screen}`,
    );
    s.keys("C-c");
    expect(order(screen, pattern)).toEqual(IDS);
  });
});

test("fish: the ids in numeric order", () => {
  const script = `source ${join(COMPLETIONS, "pyctl.fish")}\ncomplete -C ${quoteFish("pyctl diff ")}`;
  const result = sh(["fish", "--no-config", "-c", script], env.sb);
  expect(
    result.stdout
      .split("\n")
      .filter((l) => l.startsWith("#"))
      .map((l) => Number(l.split("\t")[0]!.slice(1))),
  ).toEqual(IDS);
});
