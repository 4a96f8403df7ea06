/**
 * A real interactive login shell of an ordinary user inside a Debian root: tmux on the host runs
 * `chroot ROOT runuser -l USER -s SHELL`, so the shell reads that user's own start-up files, as
 * after a login. `run(line)` types the line with its output and status sent to files under the
 * root's /tmp, and waits for the status (as test/shell/tty.ts does).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../shell/tty.ts";

export type LoginShell = "bash" | "zsh" | "fish";

export class RootShell {
  private readonly hostDir: string;
  private readonly innerDir: string;
  private readonly socket: string;
  private count = 0;

  constructor(
    readonly root: string,
    readonly user: string,
    readonly shell: LoginShell,
  ) {
    mkdirSync(join(root, "tmp"), { recursive: true });
    this.hostDir = mkdtempSync(join(root, "tmp", `shell-${user}-${shell}-`));
    chmodSync(this.hostDir, 0o777);
    this.innerDir = this.hostDir.slice(root.length);
    this.socket = join(this.hostDir, "tmux.sock");
    const login = ["chroot", root, "runuser", "-l", user, "-s", `/usr/bin/${shell}`];
    this.tmux(["-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "50", "--", ...login]);
  }

  private tmux(args: string[]): string {
    const result = Bun.spawnSync(["tmux", "-S", this.socket, ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TERM: "xterm-256color" },
    });
    if (result.exitCode !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr.toString()}`);
    return result.stdout.toString();
  }

  send(text: string): void {
    this.tmux(["send-keys", "-t", "0", "-l", text]);
  }

  keys(...names: string[]): void {
    this.tmux(["send-keys", "-t", "0", ...names]);
  }

  screen(): string {
    try {
      return this.tmux(["capture-pane", "-p", "-J", "-t", "0"]).trimEnd();
    } catch {
      return "(no screen)";
    }
  }

  async waitForScreen(text: string | RegExp, timeoutMs = 60_000): Promise<void> {
    const seen = () => (typeof text === "string" ? this.screen().includes(text) : text.test(this.screen()));
    await waitFor(seen, timeoutMs, () => `${this.user}'s ${this.shell} never showed ${text}:\n${this.screen()}`);
  }

  async run(line: string, timeoutMs = 180_000): Promise<{ out: string; code: number }> {
    const n = ++this.count;
    const out = `${this.innerDir}/out.${n}`;
    const status = `${this.innerDir}/status.${n}`;
    const wrapped =
      this.shell === "fish"
        ? `begin; ${line}; end >${out} 2>&1; echo $status >${status}`
        : `{ ${line}; } >${out} 2>&1; echo $? >${status}`;
    this.send(wrapped);
    this.keys("Enter");
    const read = (path: string) => {
      try {
        return readFileSync(join(this.root, path), "utf8");
      } catch {
        return "";
      }
    };
    await waitFor(
      () => /^\d+\n/.test(read(status)),
      timeoutMs,
      () => `no status for: ${line}\n${read(out)}\n${this.screen()}`,
    );
    return { out: read(out), code: Number(read(status).trim()) };
  }

  close(): void {
    try {
      this.tmux(["kill-server"]);
    } catch {
      // already gone
    }
  }
}
