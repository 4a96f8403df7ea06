/**
 * What new users hit in real interactive shells (issue 20): console scripts of every pyctl venv
 * on PATH, zsh's refresh after a pipeline in an account that never ran bash, a hook whose pyctl
 * is gone.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PY, run, twoVersions } from "../support/env.ts";
import { titled } from "../support/skip.ts";
import { hookEnv, type HookEnv } from "./hook-env.ts";
import { Session, type ShellName } from "./tty.ts";

// The preload's default timeout reaches only the first file of a run (Bun 1.4.5): set it here too.
setDefaultTimeout(120_000);

const second = twoVersions()?.find((p) => p.version !== PY.version);
const [hasSecond, OTHER_VENV] = titled(
  "scripts of another version's venv run by name; a shared name runs the default's",
  {
    "a second Python version": second !== undefined,
  },
);

describe.each(["bash", "zsh", "fish"] as ShellName[])("%s, a new account", (shell) => {
  let env: HookEnv;
  let s: Session;

  beforeAll(async () => {
    env = hookEnv();
    // This account's own cache: no marker another shell left behind.
    env.sb.env.XDG_CACHE_HOME = join(env.sb.home, ".cache");
    mkdirSync(env.sb.env.XDG_CACHE_HOME, { recursive: true });
    if (second) env.sb.addPython(second.exe);
    expect(run(env.sb, ["init"]).code).toBe(0);
    writeFileSync(join(env.sb.bin, "alpha"), "#!/bin/sh\necho stand-in alpha\n");
    chmodSync(join(env.sb.bin, "alpha"), 0o755);
    s = new Session(shell, { env: env.sb.env, rc: `source ${env.hookFile(shell)}`, parent: env.sb.dir });
    await s.ready();
  });

  afterAll(() => {
    s?.close();
    env?.sb.cleanup();
  });

  test("a pip write in a pipeline: the script it installed runs at the next prompt", async () => {
    expect((await s.run("alpha")).out).toBe("stand-in alpha\n");
    expect((await s.run("pip install alpha==1.0 | tail -1")).code).toBe(0);
    expect((await s.run("alpha")).out).toBe("alpha 1.0\n");
  });

  test.if(hasSecond)(OTHER_VENV, async () => {
    const v = second!.version;
    expect((await s.run("pip install -q alpha==1.0")).code).toBe(0);
    expect((await s.run(`pip${v} install -q kappa==1.0 alpha==1.1`)).code).toBe(0);
    expect((await s.run("kappa")).out).toBe("kappa 1.0\n");
    expect((await s.run("alpha")).out).toBe("alpha 1.0\n");
    // the order, as documented: the default's bin, then the other venvs' (newest first)
    const path = (await s.run(shell === "fish" ? "string join : -- $PATH" : 'echo "$PATH"')).out.trim().split(":");
    const at = (key: string) => path.indexOf(join(env.sb.pyctlHome, key, "venv", "bin"));
    expect(at(PY.key)).toBe(0);
    expect(at(`py${v.replace(".", "")}`)).toBe(1);
  });

  test("a hook whose pyctl is gone says so in one line", async () => {
    rmSync(join(env.sb.dir, "stub", "pyctl"));
    const r = await s.run("pip install delta==1.0");
    expect(r.code).not.toBe(0);
    expect(r.out.trimEnd().split("\n")).toEqual([expect.stringMatching(/^pyctl: .*stub\/pyctl is gone/)]);
  });
});
