/**
 * Where `pyctl setup-shell` writes, per shell. For a user: the usual rc files and completion
 * folders, honouring ZDOTDIR, XDG_CONFIG_HOME and XDG_DATA_HOME. With --system: files under
 * /etc and /usr/local read by every user's shell; PYCTL_SYSTEM_ROOT prefixes all of them
 * (for tests and image builds).
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { userHome } from "../core/base/paths.ts";
import type { Shell } from "./hook.ts";

export interface ShellFiles {
  shell: Shell;
  /** The rc file that gets the block. */
  rcFile: string;
  /** The rc file holds nothing but the block (fish conf.d, profile.d): removing deletes it. */
  ownFile: boolean;
  completionFile: string;
  /**
   * Login files that run after the rc file in a login shell and may reorder PATH: setup-shell
   * adds a small block to those that exist (and removal looks in all of them).
   */
  loginFiles?: string[];
}

export function userFiles(): ShellFiles[] {
  const home = userHome();
  const config = process.env.XDG_CONFIG_HOME || join(home, ".config");
  const data = process.env.XDG_DATA_HOME || join(home, ".local", "share");
  return [
    {
      shell: "bash",
      rcFile: join(home, ".bashrc"),
      ownFile: false,
      completionFile: join(data, "bash-completion", "completions", "pyctl"),
      // A login bash reads the first of these; Debian's and Ubuntu's ~/.profile sources ~/.bashrc,
      // then puts ~/.local/bin first.
      loginFiles: [".bash_profile", ".bash_login", ".profile"].map((name) => join(home, name)),
    },
    {
      shell: "zsh",
      rcFile: join(process.env.ZDOTDIR || home, ".zshrc"),
      ownFile: false,
      completionFile: join(data, "zsh", "site-functions", "_pyctl"),
    },
    {
      shell: "fish",
      rcFile: join(config, "fish", "config.fish"),
      ownFile: false,
      completionFile: join(config, "fish", "completions", "pyctl.fish"),
    },
  ];
}

export function systemFiles(): ShellFiles[] {
  const root = process.env.PYCTL_SYSTEM_ROOT ?? "";
  const at = (path: string) => join(root || "/", path);
  // Debian reads /etc/bash.bashrc, Fedora /etc/bashrc; elsewhere only login shells read profile.d.
  const bashrc = [at("/etc/bash.bashrc"), at("/etc/bashrc")].find((f) => existsSync(f));
  const bashOwn = bashrc === undefined;
  return [
    {
      shell: "bash",
      rcFile: bashrc ?? at("/etc/profile.d/pyctl.sh"),
      ownFile: bashOwn,
      completionFile: at("/usr/local/share/bash-completion/completions/pyctl"),
    },
    {
      shell: "zsh",
      rcFile: existsSync(at("/etc/zsh")) ? at("/etc/zsh/zshrc") : at("/etc/zshrc"),
      ownFile: false,
      completionFile: at("/usr/local/share/zsh/site-functions/_pyctl"),
    },
    {
      shell: "fish",
      rcFile: at("/etc/fish/conf.d/pyctl.fish"),
      ownFile: true,
      completionFile: at("/etc/fish/completions/pyctl.fish"),
    },
  ];
}

/** The shell an rc file named on the command line is for, by its name. */
export function shellOfFile(path: string): Shell {
  const name = basename(path);
  if (name.includes("fish")) return "fish";
  if (name.includes("zsh")) return "zsh";
  return "bash";
}
