/**
 * `pyctl setup-shell`: the marked rc block and completion files, for a user (temp HOME) and
 * system-wide (under PYCTL_SYSTEM_ROOT); idempotent, backed up once, removed byte for byte.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { makeSandbox, pyctlBin, run, sh, type Sandbox } from "../support/env.ts";

let sb: Sandbox;
beforeEach(() => (sb = makeSandbox()));
afterEach(() => sb.cleanup());

const ORIGINAL = "# my settings\nexport EDITOR=vi\n";
const read = (path: string) => readFileSync(path, "utf8");

/** A PATH on which the only shells are `shells` (pyctl is called by absolute path). */
function pathWith(...shells: string[]): string {
  const dir = join(sb.dir, `only-${shells.join("-") || "none"}`);
  mkdirSync(dir, { recursive: true });
  for (const shell of shells) symlinkSync(`/usr/bin/${shell}`, join(dir, shell));
  return dir;
}

describe("for a user", () => {
  test("adds a block and completions for each installed shell, once, backing the rc file up once", () => {
    const bashrc = join(sb.home, ".bashrc");
    writeFileSync(bashrc, ORIGINAL);
    chmodSync(bashrc, 0o600);
    const first = run(sb, ["setup-shell"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("~/.bashrc: pyctl block written (backup: ~/.bashrc.pyctl-backup)");
    expect(first.stdout).toContain("~/.zshrc: created, with the pyctl block");
    expect(first.stdout).toContain("~/.config/fish/config.fish: created, with the pyctl block");
    const text = read(bashrc);
    expect(text).toStartWith(`${ORIGINAL}\n# >>> pyctl >>>\n`);
    expect(text).toEndWith("# <<< pyctl <<<\n");
    expect(text).toContain(`eval "$('${pyctlBin()}' hook bash)"`);
    expect(statSync(bashrc).mode & 0o777).toBe(0o600);
    expect(read(`${bashrc}.pyctl-backup`)).toBe(ORIGINAL);
    for (const file of [
      ".local/share/bash-completion/completions/pyctl",
      ".local/share/zsh/site-functions/_pyctl",
      ".config/fish/completions/pyctl.fish",
    ]) {
      expect(read(join(sb.home, file))).toContain("pyctl complete");
    }

    writeFileSync(bashrc, `${read(bashrc)}alias ll='ls -l'\n`);
    const again = run(sb, ["setup-shell"]);
    expect(again.stdout).toContain("~/.bashrc: pyctl block already there");
    expect(read(bashrc).match(/# >>> pyctl >>>/g)).toHaveLength(1);
    expect(read(`${bashrc}.pyctl-backup`)).toBe(ORIGINAL);
  });

  test("--remove takes out exactly what it added", () => {
    const bashrc = join(sb.home, ".bashrc");
    writeFileSync(bashrc, ORIGINAL);
    run(sb, ["setup-shell"]);
    const removed = run(sb, ["setup-shell", "--remove"]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain("~/.bashrc: pyctl block removed");
    expect(read(bashrc)).toBe(ORIGINAL);
    expect(read(join(sb.home, ".zshrc"))).toBe("");
    expect(existsSync(join(sb.home, ".local/share/bash-completion/completions/pyctl"))).toBe(false);
    expect(existsSync(join(sb.home, ".config/fish/completions/pyctl.fish"))).toBe(false);
    expect(run(sb, ["setup-shell", "--remove"]).stdout).toContain("~/.bashrc: no pyctl block");
  });

  test("only shells that are installed or have an rc file; ZDOTDIR and XDG_CONFIG_HOME are honoured", () => {
    const zdot = join(sb.dir, "zdot"),
      xdg = join(sb.dir, "xdg");
    mkdirSync(join(xdg, "fish"), { recursive: true });
    writeFileSync(join(xdg, "fish", "config.fish"), "set -g fish_greeting\n");
    const result = sh([pyctlBin(), "setup-shell"], sb, {
      env: { PATH: pathWith("zsh"), ZDOTDIR: zdot, XDG_CONFIG_HOME: xdg },
    });
    expect(result.code).toBe(0);
    expect(existsSync(join(sb.home, ".bashrc"))).toBe(false);
    expect(read(join(zdot, ".zshrc"))).toContain("hook zsh");
    expect(read(join(xdg, "fish", "config.fish"))).toContain("hook fish | source");
    expect(existsSync(join(xdg, "fish", "completions", "pyctl.fish"))).toBe(true);
    const none = sh([pyctlBin(), "setup-shell"], sb, { env: { PATH: pathWith(), HOME: join(sb.dir, "empty") } });
    expect(none).toMatchObject({ code: 1, stderr: expect.stringContaining("found no bash, zsh or fish") });
  });

  test("rc files named on the command line, by shell, through symlinks", () => {
    const dotfiles = join(sb.dir, "dotfiles");
    mkdirSync(dotfiles);
    writeFileSync(join(dotfiles, "bashrc"), ORIGINAL);
    symlinkSync(join(dotfiles, "bashrc"), join(sb.home, ".bash_profile"));
    const custom = join(sb.home, "work.zshrc");
    expect(run(sb, ["setup-shell", join(sb.home, ".bash_profile"), custom]).code).toBe(0);
    expect(lstatSync(join(sb.home, ".bash_profile")).isSymbolicLink()).toBe(true);
    expect(read(join(dotfiles, "bashrc"))).toContain("hook bash");
    expect(read(custom)).toContain("hook zsh");
    expect(existsSync(join(sb.home, ".bashrc"))).toBe(false);
    run(sb, ["setup-shell", "--remove", join(sb.home, ".bash_profile")]);
    expect(read(join(dotfiles, "bashrc"))).toBe(ORIGINAL);
  });

  test("a completion file pyctl did not write is left alone", () => {
    const file = join(sb.home, ".config", "fish", "completions", "pyctl.fish");
    run(sb, ["setup-shell"]);
    writeFileSync(file, "complete -c pyctl -a mine\n");
    run(sb, ["setup-shell", "--remove"]);
    expect(read(file)).toBe("complete -c pyctl -a mine\n");
  });

  test.each([
    ["bash", "~/.bashrc", "type -t pip"],
    ["zsh", "~/.zshrc", "whence -w pip"],
    ["fish", "~/.config/fish/config.fish", "functions -q pip; and echo function"],
  ])("its last line loads pyctl in the running %s, in that shell's words", (shell, rc, check) => {
    const r = run(sb, ["setup-shell"], { env: { SHELL: `/usr/bin/${shell}` } });
    const last = r.stdout.trim().split("\n").at(-1)!;
    expect(last).toBe(`Open a new shell to start using them, or load them in this one: source ${rc}`);
    // Typed as shown in a shell that has no pyctl yet (a new account): pip becomes the hook's.
    const typed = last.split(": ").at(-1)!;
    const loaded = sh([shell, "-c", `${typed}; ${check}`], sb);
    expect(loaded.stdout).toMatch(/function/);
  });

  test("the blocks load the hook and completions in each shell", () => {
    run(sb, ["setup-shell"]);
    const bash = sh(["bash", "-i", "-c", "type -t pip; complete -p pyctl"], sb);
    expect(bash.stdout).toBe("function\ncomplete -F _pyctl pyctl\n");
    const zsh = sh(["zsh", "-i", "-c", "whence -w pip; print -l $fpath | grep -c site-functions"], sb);
    expect(zsh.stdout.split("\n").slice(0, 1)).toEqual(["pip: function"]);
    const fish = sh(["fish", "-i", "-c", "functions -q pip; and echo function; complete -C 'pyctl hoo'"], sb, {
      env: { XDG_DATA_HOME: join(sb.dir, "data") },
    });
    expect(fish.stdout).toStartWith("function\nhook\t");
    // a non-interactive fish loads the hook too (issue 20: `fish -c` gets the venv)
    expect(sh(["fish", "-c", "functions -q pip; and echo function"], sb).stdout).toBe("function\n");
  });
});

describe("--system", () => {
  test("writes /etc and /usr/local files (under PYCTL_SYSTEM_ROOT) and removes them again", () => {
    const root = join(sb.dir, "root");
    mkdirSync(join(root, "etc", "zsh"), { recursive: true });
    writeFileSync(join(root, "etc", "bash.bashrc"), ORIGINAL);
    const env = { PYCTL_SYSTEM_ROOT: root };
    const added = run(sb, ["setup-shell", "--system"], { env });
    expect(added.code).toBe(0);
    expect(read(join(root, "etc", "bash.bashrc"))).toContain("hook bash");
    expect(read(join(root, "etc", "bash.bashrc.pyctl-backup"))).toBe(ORIGINAL);
    expect(read(join(root, "etc", "zsh", "zshrc"))).toContain("hook zsh");
    expect(read(join(root, "etc", "fish", "conf.d", "pyctl.fish"))).toContain("hook fish | source");
    for (const file of [
      "usr/local/share/bash-completion/completions/pyctl",
      "usr/local/share/zsh/site-functions/_pyctl",
      "etc/fish/completions/pyctl.fish",
    ]) {
      expect(existsSync(join(root, file))).toBe(true);
    }
    expect(run(sb, ["setup-shell", "--system", "--remove"], { env }).code).toBe(0);
    expect(read(join(root, "etc", "bash.bashrc"))).toBe(ORIGINAL);
    expect(existsSync(join(root, "etc", "fish", "conf.d", "pyctl.fish"))).toBe(false);
    expect(existsSync(join(root, "usr/local/share/zsh/site-functions/_pyctl"))).toBe(false);
  });

  test("without /etc/bash.bashrc, a profile.d file of its own that plain sh reads silently", () => {
    const root = join(sb.dir, "root");
    mkdirSync(root);
    expect(run(sb, ["setup-shell", "--system"], { env: { PYCTL_SYSTEM_ROOT: root } }).code).toBe(0);
    const profile = join(root, "etc", "profile.d", "pyctl.sh");
    expect(sh(["/bin/sh", "-c", `. ${profile}; echo ok`], sb)).toMatchObject({ code: 0, stdout: "ok\n", stderr: "" });
    expect(sh(["bash", "--norc", "-i", "-c", `. ${profile}; type -t pip`], sb).stdout).toBe("function\n");
    run(sb, ["setup-shell", "--system", "--remove"], { env: { PYCTL_SYSTEM_ROOT: root } });
    expect(existsSync(profile)).toBe(false);
  });
});
