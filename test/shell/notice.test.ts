/**
 * Python upgrades announced at shell start (issue 10): when python3 moves to a newer minor
 * version than pyctl's venv, or a venv's base interpreter is gone, the next interactive shell
 * prints one line naming both versions and `pyctl rebuild`, and then at most once a day. pyctl
 * decides it when it renders the hook (a new python3 makes the rendered hook stale), so the
 * shell starts that show it run no pyctl themselves.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, newerVersion, PY, run, type Sandbox, sh } from "../support/env.ts";
import { settleRenderedHooks } from "./hook-env.ts";

/** A version after the Python under test's: what python3 becomes in the upgrade played here. */
const NEWER = newerVersion();
const NEWER_KEY = `py${NEWER.replace(".", "")}`;
let sb: Sandbox;
const shown = () => join(sb.env.XDG_CACHE_HOME!, "pyctl", "notice-shown");

function start(shell: string): { stderr: string; rendered: boolean } {
  const file = join(sb.env.XDG_CACHE_HOME!, "pyctl", `hook.${shell}`);
  const before = statSync(file, { throwIfNoEntry: false })?.ino;
  const result = sh([shell, "-i", "-c", "true"], sb, { env: { XDG_DATA_HOME: join(sb.dir, "data") } });
  const lines = result.stderr.split("\n").filter((l) => l.startsWith("pyctl:"));
  return { stderr: lines.join("\n"), rendered: statSync(file).ino !== before };
}

beforeAll(() => {
  sb = makeSandbox();
  mkdirSync(join(sb.dir, "data", "fish", "generated_completions"), { recursive: true });
  expect(run(sb, ["init", "--python", PY.exe]).code).toBe(0);
  expect(run(sb, ["setup-shell"]).code).toBe(0);
});
afterAll(() => sb?.cleanup());

describe("python3 upgraded to a newer minor version", () => {
  beforeAll(() => {
    // Debian 12 -> 13 in miniature: python3 now names the next minor version (pyctl reads the version from the name).
    writeFileSync(join(sb.bin, `python${NEWER}`), `#!/bin/sh\nexec ${PY.exe} "$@"\n`, { mode: 0o755 });
    symlinkSync(join(sb.bin, `python${NEWER}`), join(sb.bin, "python3"));
  });

  test.each(["bash", "zsh", "fish"])(
    "%s: one line at the next start, naming both versions and pyctl rebuild; then not again that day",
    (shell) => {
      rmSync(shown(), { force: true });
      const first = start(shell);
      settleRenderedHooks(sb);
      expect(first.stderr).toBe(
        `pyctl: python3 is now Python ${NEWER}, but your packages are in pyctl's Python ${PY.version} venv: run \`pyctl rebuild --python ${NEWER}\` to move them`,
      );
      const second = start(shell);
      expect(second).toEqual({ stderr: "", rendered: false });
      // A day later (the stamp's time moved back): shown again, still without starting pyctl.
      const [, text] = readFileSync(shown(), "utf8").split("\n");
      writeFileSync(shown(), `${Math.floor(Date.now() / 1000) - 86_401}\n${text}\n`);
      expect(start(shell)).toEqual({ stderr: first.stderr, rendered: false });
    },
  );

  test("a non-interactive shell loading the hook says nothing", () => {
    rmSync(shown(), { force: true });
    const hook = join(sb.env.XDG_CACHE_HOME!, "pyctl", "hook.bash");
    expect(sh(["bash", "-c", `. ${hook}; echo loaded`], sb)).toMatchObject({ code: 0, stdout: "loaded\n", stderr: "" });
  });

  afterAll(() => {
    rmSync(join(sb.bin, "python3"));
    rmSync(join(sb.bin, `python${NEWER}`));
  });
});

test("a venv whose base interpreter is gone is named, with pyctl rebuild", () => {
  rmSync(shown(), { force: true });
  const venv = join(sb.pyctlHome, NEWER_KEY, "venv");
  mkdirSync(venv, { recursive: true });
  writeFileSync(join(venv, "pyvenv.cfg"), `home = ${join(sb.dir, "gone", "bin")}\nversion = ${NEWER}.1\n`);
  expect(start("bash").stderr).toBe(
    // not the default venv: moving it to python3's version is not what `rebuild --python X.Y` does (issue 20)
    `pyctl: Python ${NEWER} (${join(sb.dir, "gone", "bin", `python${NEWER}`)}), the base of your pyctl ${NEWER} venv, is gone: no other Python ${NEWER} is installed, and pyctl cannot move this venv to another version: install Python ${NEWER} again (e.g. \`pyenv install ${NEWER}\`), then run \`pyctl rebuild --python ${NEWER}\``,
  );
  rmSync(join(sb.pyctlHome, NEWER_KEY), { recursive: true });
  expect(start("bash").stderr).toBe("");
});
