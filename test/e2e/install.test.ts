// The README's first command, `./install.sh`, in a fresh HOME: binary, venv, hook, and removal.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { makeSandbox, PY, type Sandbox, sh } from "../support/env.ts";

const REPO = resolve(import.meta.dir, "..", "..");

describe("./install.sh", () => {
  let sb: Sandbox;
  let env: Record<string, string>;
  beforeAll(() => {
    sb = makeSandbox();
    // a fresh user's PATH: no pyctl yet (the test run's own pyctl dir is left out)
    // (and a cache of its own, which --uninstall removes)
    env = {
      PATH: sb.env.PATH!.split(":").slice(1).join(":"),
      SHELL: "/bin/bash",
      XDG_CACHE_HOME: join(sb.dir, "cache"),
    };
  });
  afterAll(() => sb?.cleanup());

  test("installs pyctl in ~/.local/bin, creates the venv and hooks bash", () => {
    const r = sh(["bash", join(REPO, "install.sh")], sb, { env, cwd: REPO });
    expect(r.stderr).not.toContain("install: ");
    expect(r.code).toBe(0);
    expect(existsSync(join(sb.home, ".local", "bin", "pyctl"))).toBe(true);
    expect(existsSync(join(sb.pyctlHome, PY.key, "venv", "bin", "pip"))).toBe(true);
    expect(readFileSync(join(sb.home, ".bashrc"), "utf8")).toContain("# >>> pyctl >>>");
    // ~/.local/bin was not on PATH, but the rc blocks now put it there: no "add it" note.
    expect(r.stdout).not.toContain("to your PATH");
    expect(r.stdout).toContain("in this one: source ~/.bashrc");
  });

  test("a new interactive bash has the hook: pip install just works and is recorded", () => {
    const script = "type -t pip; pip install -q alpha==1.1; alpha; pyctl history --limit 1";
    const r = sh(["bash", "-i", "-c", script], sb, { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("function\n");
    expect(r.stdout).toContain("alpha 1.1");
    expect(r.stdout).toMatch(/#1 .*pip install -q alpha==1\.1/);
  });

  test("running it again changes nothing; --uninstall removes the block, the binary and the cache, keeps packages", () => {
    const bashrc = readFileSync(join(sb.home, ".bashrc"), "utf8");
    const again = sh(["bash", join(REPO, "install.sh")], sb, { env: { ...env, SHELL: "/usr/bin/fish" }, cwd: REPO });
    expect(again.code).toBe(0);
    // A fish user is told about fish's file, not ~/.bashrc.
    expect(again.stdout).toContain("in this one: source ~/.config/fish/config.fish");
    expect(again.stdout).not.toContain(".bashrc)");
    expect(readFileSync(join(sb.home, ".bashrc"), "utf8")).toBe(bashrc);
    const cache = join(env.XDG_CACHE_HOME!, "pyctl");
    expect(existsSync(cache)).toBe(true);
    const r = sh(["bash", join(REPO, "install.sh"), "--uninstall"], sb, { env, cwd: REPO });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`removed ${cache}`);
    expect(existsSync(cache)).toBe(false);
    expect(readFileSync(join(sb.home, ".bashrc"), "utf8")).not.toContain("pyctl");
    expect(existsSync(join(sb.home, ".local", "bin", "pyctl"))).toBe(false);
    expect(existsSync(join(sb.pyctlHome, PY.key, "history", "001_after.json"))).toBe(true);
  });
});
