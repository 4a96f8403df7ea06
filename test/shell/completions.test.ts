/**
 * completions/ loaded in real shells: bash (calling the completion function), fish
 * (`complete -C`) and zsh (compinit, TAB pressed on a pty). Every word is checked against the
 * command table, so a command or option added there shows up here without editing the scripts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { COMMANDS, findCommand } from "../../src/commands/index.ts";
import { quoteFish, quotePosix } from "../../src/shell/hook.ts";
import { literal, PY, run, sh } from "../support/env.ts";
import { hookEnv, settleRenderedHooks, type HookEnv } from "./hook-env.ts";
import { Session, waitFor } from "./tty.ts";

const COMPLETIONS = resolve(import.meta.dir, "..", "..", "completions");
const VISIBLE = COMMANDS.filter((c) => !c.hidden);
const optionsOf = (name: string) => [...findCommand(name)!.options.map((o) => o.flag), "--help"].sort();

let env: HookEnv;
let work: string;

beforeAll(() => {
  env = hookEnv();
  expect(run(env.sb, ["init"]).code).toBe(0);
  const home = env.sb.pyctlHome;
  mkdirSync(join(home, "snapshots"), { recursive: true });
  for (const name of ["before-upgrade", "ml-stack"])
    writeFileSync(join(home, "snapshots", `${name}.txt`), "alpha==1.0\n");
  const history = join(home, PY.key, "history");
  mkdirSync(history, { recursive: true });
  for (const [id, command] of [
    [7, "pip install alpha"],
    [8, "pip uninstall alpha"],
  ] as const) {
    writeFileSync(join(history, `00${id}_before.json`), JSON.stringify({ id, command, freeze: "", packages: [] }));
  }
  work = join(env.sb.dir, "work");
  mkdirSync(work);
  writeFileSync(join(work, "my.bashrc"), "");
});

afterAll(() => env?.sb.cleanup());

/**
 * Each case: the words after `pyctl` (last one being completed) and what must be offered. A history
 * point starts with `#`, which bash would read as a comment: bash's completion offers it escaped.
 */
function cases(shell: "bash" | "fish"): [string[], string[]][] {
  const points = [shell === "bash" ? "\\#7" : "#7", shell === "bash" ? "\\#8" : "#8", "now"];
  return [
    [[""], VISIBLE.map((c) => c.name).sort()],
    [["hi"], ["history"]],
    ...VISIBLE.map((c): [string[], string[]] => [[c.name, "-"], optionsOf(c.name)]),
    [
      ["hook", ""],
      ["bash", "fish", "zsh"],
    ],
    [["restore", ""], [...points, "baseline", "before-upgrade", "ml-stack"].sort()],
    [["diff", ""], [...points, "baseline", "before-upgrade", "ml-stack"].sort()],
    [["bisect", "--good", "ml"], ["ml-stack"]],
    [["history", "--python", "3.1"], [PY.version]],
    [
      ["config", "history."],
      ["history.auto_snapshot", "history.max_entries", "history.show_diff_after_install"],
    ],
    [["setup-shell", "my."], ["my.bashrc"]],
  ];
}

describe("bash", () => {
  test.each(cases("bash"))("pyctl %p offers %p", (words, expected) => {
    const script = [
      `source ${join(COMPLETIONS, "pyctl.bash")}`,
      `COMP_WORDS=(pyctl ${words.map(quotePosix).join(" ")}); COMP_CWORD=${words.length}`,
      `_pyctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join("\n");
    const result = sh(["bash", "--norc", "-c", script], env.sb, { cwd: work });
    expect(result.stderr).toBe("");
    const offered = result.stdout.split("\n").filter(Boolean).sort();
    expect(offered).toEqual(expected.filter((w) => w.startsWith(words.at(-1)!)));
  });

  test("pip3.X and python3.X borrow pip's and python's completion once there is one", () => {
    const script = [
      `eval "$(pyctl hook bash)"`,
      "complete -W 'install list show' pip",
      `complete -p pip${PY.version}`,
      `_pyctl_complete_like pip${PY.version} ins pip${PY.version}; echo $?`,
      `complete -p pip${PY.version}`,
    ].join("\n");
    const result = sh(["bash", "--norc", "-c", script], env.sb);
    expect(result.stdout.split("\n")).toEqual([
      `complete -o bashdefault -o default -F _pyctl_complete_like pip${PY.version}`,
      "124",
      `complete -W 'install list show' pip${PY.version}`,
      "",
    ]);
  });
});

describe("fish", () => {
  test.each(cases("fish"))("pyctl %p offers %p", (words, expected) => {
    const line = ["pyctl", ...words].join(" ");
    const script = `source ${join(COMPLETIONS, "pyctl.fish")}\ncomplete -C ${quoteFish(line)}`;
    const result = sh(["fish", "--no-config", "-c", script], env.sb, { cwd: work });
    expect(result.stderr).toBe("");
    const offered = result.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t")[0]!)
      .sort();
    expect(offered).toEqual(expected.filter((w) => w.startsWith(words.at(-1)!)));
  });

  test("descriptions come from the table and from history", () => {
    const script = `source ${join(COMPLETIONS, "pyctl.fish")}\ncomplete -C 'pyctl hoo'\ncomplete -C 'pyctl diff '`;
    const lines = sh(["fish", "--no-config", "-c", script], env.sb).stdout.split("\n");
    expect(lines).toContain(`hook\t${findCommand("hook")!.summary}`);
    expect(lines).toContain("#8\tpip uninstall alpha");
  });

  test.each(["pyctl hook fish | source", "the rendered hook the rc block sources"])(
    "pip3.X completes like pip, loaded by %s",
    (load) => {
      let script = "pyctl hook fish | source";
      if (load !== script) {
        // Its helpers are autoloaded, but pip3.X and its completion exist from the start.
        expect(run(env.sb, ["hook", "fish"]).code).toBe(0);
        settleRenderedHooks(env.sb);
        script = `source ${join(env.sb.env.XDG_CACHE_HOME!, "pyctl", "hook.fish")}; or exit 9`;
      }
      // Not --no-config: that also turns off loading fish's own completions (pip's among them).
      const result = sh(["fish", "-c", `${script}\ncomplete -C 'pip${PY.version} ins'\ncomplete -C 'pip ins'`], env.sb);
      expect(result.code).toBe(0);
      expect(result.stdout.split("\n").filter((l) => l.split("\t")[0] === "install")).toHaveLength(2);
    },
  );
});

describe("zsh, with compinit, on a pty", () => {
  let s: Session;

  beforeAll(async () => {
    const rc = [
      `fpath=(${COMPLETIONS} $fpath)`,
      "autoload -Uz compinit && compinit -u",
      "zstyle ':completion:*' list-rows-first true",
      `eval "$(pyctl hook zsh)"`,
      `cd ${work}`,
    ].join("\n");
    s = new Session("zsh", { env: env.sb.env, rc, parent: env.sb.dir });
    await s.ready();
  });

  afterAll(() => s?.close());

  async function tab(line: string, expected: RegExp): Promise<string> {
    s.keys("C-u");
    s.send(line);
    s.keys("Tab");
    let screen = "";
    const seen = () => {
      screen = s.screen(50);
      return expected.test(screen);
    };
    await waitFor(seen, 15_000, () => `after TAB on "${line}":\n${screen}`);
    s.keys("C-c");
    return screen;
  }

  test("a unique word is completed in place", async () => {
    await tab("pyctl hi", /\$ pyctl history\s*$/m);
    await tab("pyctl hook f", /\$ pyctl hook fish\s*$/m);
    await tab("pyctl restore before", /\$ pyctl restore before-upgrade\s*$/m);
  });

  test("pip3.X and python3.X complete like pip and python (zsh's own _pip and _python)", async () => {
    await tab(`pip${PY.version} uninst`, new RegExp(`\\$ pip${literal(PY.version)} uninstall\\s*$`, "m"));
    await tab(`python${PY.version} -`, /-OO/);
  });

  test("alternatives are listed with their descriptions", async () => {
    const screen = await tab("pyctl ", /setup-shell/);
    for (const command of VISIBLE) expect(screen).toContain(command.name);
    expect(screen).toContain(findCommand("setup-shell")!.summary.slice(0, 30));
    const ids = await tab("pyctl diff ", /pip uninstall alpha/);
    expect(ids).toContain("pip install alpha");
  });
});
