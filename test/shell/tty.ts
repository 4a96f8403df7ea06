/**
 * A real interactive shell on a pty (tmux), driven by typing. `run(line)` types the line with
 * its output sent to a file and its status written after it, then waits for that status.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type ShellName = "bash" | "zsh" | "fish";

export interface Typed {
  out: string;
  code: number;
}

export interface SessionOptions {
  /** The shell's whole environment (nothing else leaks in). */
  env: Record<string, string>;
  /** Lines run at start-up, as the shell's rc file. */
  rc: string;
  /** Run the shell as this user (via runuser); the session dir is then made world-writable. */
  user?: string;
  /** Where the session's files go (default: a temp dir under `parent`). */
  parent: string;
}

export class Session {
  readonly dir: string;
  private count = 0;
  private readonly socket: string;

  constructor(
    readonly shell: ShellName,
    opts: SessionOptions,
  ) {
    this.dir = mkdtempSync(join(opts.parent, `${shell}-`));
    chmodSync(this.dir, 0o777);
    this.socket = join(this.dir, "tmux.sock");
    const env = { ...opts.env, TERM: "xterm-256color" };
    const start = this.prepare(opts.rc, env);
    const as = opts.user ? ["runuser", "-u", opts.user, "--"] : [];
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    this.tmux([
      "-f",
      "/dev/null",
      "new-session",
      "-d",
      "-x",
      "200",
      "-y",
      "50",
      "--",
      ...as,
      "env",
      "-i",
      ...envArgs,
      ...start,
    ]);
  }

  /** Writes the rc file where this shell reads it; returns the command that starts the shell. */
  private prepare(rc: string, env: Record<string, string>): string[] {
    const ready = `echo ready >${join(this.dir, "ready")}`;
    if (this.shell === "bash") {
      writeFileSync(join(this.dir, "bashrc"), `PS1='$ '\nset +H\n${rc}\n${ready}\n`);
      return ["bash", "--noprofile", "--rcfile", join(this.dir, "bashrc"), "-i"];
    }
    if (this.shell === "zsh") {
      env.ZDOTDIR = this.dir;
      writeFileSync(join(this.dir, ".zshrc"), `PS1='$ '\nunsetopt BANG_HIST 2>/dev/null\n${rc}\n${ready}\n`);
      return ["zsh", "-i"];
    }
    const config = join(this.dir, "config");
    mkdirSync(join(config, "fish"), { recursive: true });
    chmodSync(config, 0o777);
    chmodSync(join(config, "fish"), 0o777);
    env.XDG_CONFIG_HOME = config;
    // A first interactive fish spends a minute of CPU generating man-page completions unless
    // it finds them already made.
    if (!env.XDG_DATA_HOME) {
      env.XDG_DATA_HOME = join(this.dir, "data");
      mkdirSync(join(env.XDG_DATA_HOME, "fish", "generated_completions"), { recursive: true });
      Bun.spawnSync(["chmod", "-R", "777", env.XDG_DATA_HOME]);
    }
    writeFileSync(
      join(config, "fish", "config.fish"),
      `set -g fish_greeting\nfunction fish_prompt; echo '$ '; end\n${rc}\n${ready}\n`,
    );
    return ["fish", "-i"];
  }

  private tmux(args: string[]): string {
    const result = Bun.spawnSync(["tmux", "-S", this.socket, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "xterm-256color" },
    });
    if (result.exitCode !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr.toString()}`);
    return result.stdout.toString();
  }

  async ready(timeoutMs = 20_000): Promise<void> {
    await waitFor(
      () => existsSync(join(this.dir, "ready")),
      timeoutMs,
      () => `${this.shell} did not start:\n${this.screen()}`,
    );
  }

  /** Types text, without Enter. */
  send(text: string): void {
    this.tmux(["send-keys", "-t", "0", "-l", text]);
  }

  /** Types text and Enter, as a user would. */
  type(text: string): void {
    this.send(text);
    this.keys("Enter");
  }

  /** Presses keys by tmux name, e.g. "C-c", "Tab". */
  keys(...names: string[]): void {
    this.tmux(["send-keys", "-t", "0", ...names]);
  }

  /** Types `line` with output to a file and its status after it; resolves when the status is in. */
  start(line: string): (timeoutMs?: number) => Promise<Typed> {
    const n = ++this.count;
    const out = join(this.dir, `out.${n}`),
      status = join(this.dir, `status.${n}`);
    const wrapped =
      this.shell === "fish"
        ? `begin; ${line}; end >${out} 2>&1; echo $status >${status}`
        : `{ ${line}; } >${out} 2>&1; echo $? >${status}`;
    this.type(wrapped);
    return async (timeoutMs = 90_000) => {
      await waitFor(
        () => /^\d+\n/.test(readOr(status)),
        timeoutMs,
        () => `no status for: ${line}\n${readOr(out)}\n${this.screen()}`,
      );
      return { out: readOr(out), code: Number(readOr(status).trim()) };
    };
  }

  run(line: string, timeoutMs?: number): Promise<Typed> {
    return this.start(line)(timeoutMs);
  }

  /** The last lines the terminal shows now. */
  screen(lines = 12): string {
    try {
      return this.tmux(["capture-pane", "-p", "-J", "-t", "0"]).trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no screen)";
    }
  }

  close(): void {
    try {
      this.tmux(["kill-server"]);
    } catch {
      // already gone
    }
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

export async function waitFor(check: () => boolean, timeoutMs: number, why: () => string): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await Bun.sleep(25)) {
    if (Date.now() > deadline) throw new Error(why());
  }
}
