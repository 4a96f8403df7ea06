/**
 * PATH order in every kind of shell start (issue 10): a temp HOME seeded with Debian's /etc/skel
 * files (whose ~/.profile sources ~/.bashrc, then puts ~/.local/bin first), a ~/.zprofile that
 * reads ~/.profile as Ubuntu users often have, and a fish conf.d file adding ~/.local/bin; pyctl
 * installed in ~/.local/bin as install.sh does, and an old `alpha` left there by
 * `pip install --user`. In login and non-login interactive bash, zsh and fish, the venv's bin
 * comes first, ~/.local/bin once after it, and the venv's `alpha` wins.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, PY, pyctlBin, type Sandbox, sh } from "../support/env.ts";

let sb: Sandbox;
let localBin: string;
let venvBin: string;
let profile: string;
/** What a login manager (sshd, login) gives a shell: no pyctl folder on PATH yet. */
let loginEnv: Record<string, string | undefined>;

beforeAll(() => {
  sb = makeSandbox();
  for (const name of readdirSync("/etc/skel")) copyFileSync(join("/etc/skel", name), join(sb.home, name));
  profile = readFileSync(join(sb.home, ".profile"), "utf8");
  expect(profile).toContain('PATH="$HOME/.local/bin:$PATH"');
  writeFileSync(join(sb.home, ".zprofile"), "emulate sh -c '. ~/.profile'\n");
  mkdirSync(join(sb.home, ".config", "fish", "conf.d"), { recursive: true });
  writeFileSync(join(sb.home, ".config", "fish", "conf.d", "local-bin.fish"), "fish_add_path --global ~/.local/bin\n");
  mkdirSync(join(sb.dir, "data", "fish", "generated_completions"), { recursive: true });
  localBin = join(sb.home, ".local", "bin");
  mkdirSync(localBin, { recursive: true });
  writeFileSync(join(localBin, "alpha"), "#!/bin/sh\necho 'old alpha from ~/.local/bin'\n", { mode: 0o755 });
  symlinkSync(pyctlBin(), join(localBin, "pyctl"));
  loginEnv = { PATH: "/usr/local/bin:/usr/bin:/bin", XDG_DATA_HOME: join(sb.dir, "data") };
  const pyctl = join(localBin, "pyctl");
  for (const args of [["init"], ["setup-shell"], ["pip", "--", "install", "-q", "alpha==1.1"]]) {
    const result = sh([pyctl, ...args], sb, { env: loginEnv });
    expect({ args, code: result.code, error: result.stderr.includes("pyctl:") }).toEqual({
      args,
      code: 0,
      error: false,
    });
  }
  venvBin = join(sb.pyctlHome, PY.key, "venv", "bin");
});

afterAll(() => sb?.cleanup());

const PROBE: Record<string, string> = {
  bash: `echo "PATH=$PATH"; alpha`,
  zsh: `echo "PATH=$PATH"; alpha`,
  fish: `echo "PATH="(string join : -- $PATH); alpha`,
};

describe.each([
  ["bash", ["-l", "-i"]],
  ["bash", ["-i"]],
  ["zsh", ["-l", "-i"]],
  ["zsh", ["-i"]],
  ["fish", ["-l", "-i"]],
  ["fish", ["-i"]],
] as [string, string[]][])("%s %p", (shell, flags) => {
  test("the venv's bin first, ~/.local/bin once after it, and the venv's script wins", () => {
    const result = sh([shell, ...flags, "-c", PROBE[shell]!], sb, { env: loginEnv });
    expect(result.stderr).not.toContain("pyctl:");
    const [pathLine, alpha] = result.stdout.trim().split("\n");
    const path = pathLine!.replace(/^PATH=/, "").split(":");
    expect(path[0]).toBe(venvBin);
    expect(path.filter((d) => d === venvBin)).toHaveLength(1);
    expect(path.filter((d) => d === localBin)).toHaveLength(1);
    expect(path.indexOf(localBin)).toBeGreaterThan(0);
    expect(alpha).toBe("alpha 1.1");
  });
});

test("without the login block, a login bash lets ~/.local/bin's old script win (what the block fixes)", () => {
  const withBlock = readFileSync(join(sb.home, ".profile"), "utf8");
  writeFileSync(join(sb.home, ".profile"), profile);
  try {
    const result = sh(["bash", "-l", "-i", "-c", PROBE.bash!], sb, { env: loginEnv });
    expect(result.stdout.trim().split("\n")[1]).toBe("old alpha from ~/.local/bin");
  } finally {
    writeFileSync(join(sb.home, ".profile"), withBlock);
  }
});

test("setup-shell wrote the login block into ~/.profile, and --remove takes it out byte for byte", () => {
  const pyctl = join(localBin, "pyctl");
  expect(readFileSync(join(sb.home, ".profile"), "utf8")).toContain("_pyctl_set_path");
  const again = sh([pyctl, "setup-shell"], sb, { env: loginEnv });
  expect(again.stdout).toContain("~/.profile: pyctl block for login shells already there");
  const removed = sh([pyctl, "setup-shell", "--remove"], sb, { env: loginEnv });
  expect(removed.stdout).toContain("~/.profile: pyctl block for login shells removed");
  expect(readFileSync(join(sb.home, ".profile"), "utf8")).toBe(profile);
  expect(sh([pyctl, "setup-shell"], sb, { env: loginEnv }).code).toBe(0);
});

test("dash reading ~/.profile (a display manager's login) passes over the block silently", () => {
  const result = sh(["dash", "-c", `. ${join(sb.home, ".profile")}; echo "$PATH"`], sb, { env: loginEnv });
  expect(result).toMatchObject({ code: 0, stderr: "" });
  expect(result.stdout.trim().split(":")[0]).toBe(localBin);
});

test("a ~/.bash_profile of one's own (read instead of ~/.profile) gets the login block too", () => {
  const bashProfile = join(sb.home, ".bash_profile");
  // As Fedora's: read ~/.bashrc, then put ~/.local/bin first.
  writeFileSync(bashProfile, '[ -f ~/.bashrc ] && . ~/.bashrc\nPATH="$HOME/.local/bin:$HOME/bin:$PATH"\nexport PATH\n');
  const pyctl = join(localBin, "pyctl");
  expect(sh([pyctl, "setup-shell"], sb, { env: loginEnv }).stdout).toContain(
    "~/.bash_profile: pyctl block for login shells written",
  );
  const result = sh(["bash", "-l", "-i", "-c", PROBE.bash!], sb, { env: loginEnv });
  const [pathLine, alpha] = result.stdout.trim().split("\n");
  const path = pathLine!.replace(/^PATH=/, "").split(":");
  expect(path[0]).toBe(venvBin);
  expect(path.filter((d) => d === localBin)).toHaveLength(1);
  expect(alpha).toBe("alpha 1.1");
  expect(sh([pyctl, "setup-shell", "--remove"], sb, { env: loginEnv }).stdout).toContain(
    "~/.bash_profile: pyctl block for login shells removed",
  );
  rmSync(bashProfile);
  rmSync(`${bashProfile}.pyctl-backup`, { force: true });
  expect(sh([pyctl, "setup-shell"], sb, { env: loginEnv }).code).toBe(0);
});
