/**
 * `./install.sh` typed in the running shell of a brand-new account (its rc files from /etc/skel,
 * ~/.local/bin not on PATH): the line it prints for loading pyctl in that shell, typed as printed,
 * makes `pip` the hook's function and `pyctl` a command, in bash, zsh and fish alike.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { VERSION } from "../../src/core/base/version.ts";
import { makeSandbox, type Sandbox } from "../support/env.ts";
import { Session, type ShellName } from "./tty.ts";

const REPO = resolve(import.meta.dir, "..", "..");

describe.each(["bash", "zsh", "fish"] as ShellName[])("./install.sh from %s", (shell) => {
  let sb: Sandbox;
  let s: Session;

  beforeAll(async () => {
    sb = makeSandbox();
    if (existsSync("/etc/skel")) cpSync("/etc/skel", sb.home, { recursive: true });
    const env = {
      ...sb.env,
      // a new user's PATH: no pyctl yet (the test run's own pyctl dir is left out)
      PATH: sb.env.PATH!.split(":").slice(1).join(":"),
      SHELL: `/usr/bin/${shell}`,
      XDG_CACHE_HOME: join(sb.dir, "cache"),
    };
    s = new Session(shell, { env, rc: "", parent: sb.dir });
    await s.ready();
  });

  afterAll(() => {
    s?.close();
    sb?.cleanup();
  });

  test("prints one line to load pyctl here, which works typed as printed", async () => {
    expect((await s.run("pyctl --version")).code).toBe(127);
    const installed = await s.run(`bash ${REPO}/install.sh`, 300_000);
    expect(installed.code).toBe(0);
    // setup-shell's own "load them here" line is bash's words with a bare `pyctl`: not shown.
    expect(installed.out).not.toContain("load them here");
    const hint = installed.out.match(/in this one: (.+)\), then:/)?.[1];
    expect(hint).toBeDefined();
    expect((await s.run(hint!)).code).toBe(0);
    expect((await s.run("type pip")).out).toMatch(/^pip is a (shell )?function/);
    expect(await s.run("pyctl --version")).toEqual({ out: `pyctl ${VERSION} (built from source)\n`, code: 0 });
  });
});
