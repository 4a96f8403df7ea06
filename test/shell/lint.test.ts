/**
 * Every piece of shell code pyctl writes, linted as rendered (issue 12): shellcheck -S warning
 * for bash (and sh for the login block), zsh -n for zsh, fish --no-execute and fish_indent
 * --check for fish (the files fish autoloads too). CI installs shellcheck (.ci/run,
 * scripts/test-prereqs.sh).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fishFunctionFiles } from "../../src/shell/hook.ts";
import { blockFor, loginBlock } from "../../src/shell/rc-block.ts";
import { makeSandbox, pyctlBin, run, sh, type Sandbox } from "../support/env.ts";

const REPO = resolve(import.meta.dir, "..", "..");
let sb: Sandbox;

beforeAll(() => {
  sb = makeSandbox();
  // A venv and a config, so the facts are filled in as on a real machine.
  expect(run(sb, ["init"]).code).toBe(0);
  for (const shell of ["bash", "zsh", "fish"]) expect(run(sb, ["hook", shell]).code).toBe(0);
});
afterAll(() => sb?.cleanup());

/** The file to lint: written into the sandbox when it is rendered text. */
function file(name: string, text: string): string {
  const path = join(sb.dir, name);
  writeFileSync(path, text);
  return path;
}

function rendered(shell: string): { hook: string; cached: string; block: string } {
  const completion = join(sb.home, "completion");
  return {
    hook: file(`hook.${shell}`, run(sb, ["hook", shell]).stdout),
    cached: join(sb.env.XDG_CACHE_HOME!, "pyctl", `hook.${shell}`),
    block: file(`block.${shell}`, blockFor(shell as "bash", { pyctl: pyctlBin(), completionFile: completion })),
  };
}

function lint(command: string[]): { code: number; out: string } {
  const result = sh(command, sb);
  return { code: result.code, out: result.stdout + result.stderr };
}

describe("bash: shellcheck -S warning finds nothing", () => {
  test.each(["hook", "cached", "block"] as const)("the %s", (part) => {
    expect(lint(["shellcheck", "-s", "bash", "-S", "warning", rendered("bash")[part]])).toEqual({ code: 0, out: "" });
  });

  test("the login block, as sh (dash reads ~/.profile too)", () => {
    expect(lint(["shellcheck", "-s", "sh", "-S", "warning", file("profile", loginBlock())])).toEqual({
      code: 0,
      out: "",
    });
  });

  test("the completion", () => {
    expect(lint(["shellcheck", "-s", "bash", "-S", "warning", join(REPO, "completions", "pyctl.bash")])).toEqual({
      code: 0,
      out: "",
    });
  });

  test("shellcheck itself does find a planted mistake", () => {
    const bad = file("bad.bash", `${readFileSync(rendered("bash").hook, "utf8")}\nfoo=bar rm -rf $x/\n`);
    expect(lint(["shellcheck", "-s", "bash", "-S", "warning", bad]).code).not.toBe(0);
  });
});

describe("zsh -n", () => {
  test.each(["hook", "cached", "block"] as const)("the %s", (part) => {
    expect(lint(["zsh", "-n", rendered("zsh")[part]])).toEqual({ code: 0, out: "" });
  });

  test("the completion", () => {
    expect(lint(["zsh", "-n", join(REPO, "completions", "_pyctl")])).toEqual({ code: 0, out: "" });
  });
});

describe("fish --no-execute and fish_indent --check", () => {
  const files = () => ({ ...rendered("fish"), completion: join(REPO, "completions", "pyctl.fish") });
  test.each(["hook", "cached", "block", "completion"] as const)("the %s", (part) => {
    const path = files()[part];
    expect(lint(["fish", "--no-execute", path])).toEqual({ code: 0, out: "" });
    expect(lint(["fish_indent", "--check", path])).toEqual({ code: 0, out: "" });
  });

  test("each function file the cached hook has fish autoload", () => {
    rendered("fish");
    const root = join(sb.env.XDG_CACHE_HOME!, "pyctl", "fish-functions");
    const paths = readdirSync(root).flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(root, dir, name)));
    const names = fishFunctionFiles().map((f) => f.name);
    expect(paths.map((p) => basename(p)).sort()).toEqual(names.sort());
    for (const path of paths) {
      expect({ path, ...lint(["fish", "--no-execute", path]) }).toEqual({ path, code: 0, out: "" });
      expect({ path, ...lint(["fish_indent", "--check", path]) }).toEqual({ path, code: 0, out: "" });
    }
  });
});
