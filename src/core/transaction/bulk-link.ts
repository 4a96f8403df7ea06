/**
 * Whole folders of site-packages that a transaction leaves untouched, hardlink-cloned by `cp`
 * two at a time (`xargs -P 2`) while pyctl clones the rest (clone.ts). A link costs one system
 * call whoever makes it, so what this buys is the machine's second core: the clone of a
 * 92,000-file venv takes two thirds of the time (issue 18). The result is cloneKeeping's for a
 * folder nothing leaves: folders made with the source's mode less the umask, files hardlinked,
 * symlinks recreated. Should cp fail (a full disk, a file that cannot be linked), what it made
 * is removed and the caller clones those folders itself, so its own error or fallback applies.
 */
import type { FileSink } from "bun";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { startChild } from "../python/child.ts";

/** Folders per cp: few enough that the two cp processes end close together, enough to spare spawns. */
const PER_CP = 16;

export class BulkLink {
  private readonly child: ReturnType<typeof startChild> | undefined;

  /** Start cloning `names` (folders in `src`, UTF-8 names) into `dst`, which exists. */
  constructor(
    readonly src: string,
    readonly dst: string,
    readonly names: string[],
  ) {
    if (names.length === 0) return;
    try {
      this.child = startChild(
        ["xargs", "-0", "-P", "2", "-n", String(PER_CP), "cp", "-R", "-P", "-l", "-t", dst, "--"],
        { stdio: ["pipe", "ignore", "ignore"], cwd: src },
      );
      const stdin = this.child.stdin as FileSink; // "pipe" above
      stdin.write(`${names.join("\0")}\0`);
      stdin.end();
    } catch {
      this.child = undefined; // no xargs or cp here: the caller clones them all
    }
  }

  /** Wait for cp, whatever its end (an error path, before the staging venv is removed). */
  async settle(): Promise<void> {
    await this.child?.exited;
  }

  /**
   * Wait for cp. Returns the folders the caller must clone itself: none when cp made them all,
   * else every one, with what cp made of them removed first.
   */
  async finish(): Promise<string[]> {
    if (this.names.length === 0) return [];
    if (this.child && (await this.child.exited) === 0) return [];
    for (const name of this.names) rmSync(join(this.dst, name), { recursive: true, force: true });
    return this.names;
  }
}
