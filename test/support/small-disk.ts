/**
 * A sandbox whose PYCTL_HOME and cache live on a small tmpfs, initialised and holding epsilon:
 * the full-disk tests fill it. Mounting needs root (the callers skip with that reason otherwise).
 */
import { mkdirSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, run, type Sandbox, sh } from "./env.ts";
import { ok, pip, PYTHON } from "./venv-fixtures.ts";

export interface SmallDisk {
  sb: Sandbox;
  mount: string;
  /** Unmount and remove the sandbox. */
  close(): void;
}

export function smallDiskSandbox(size = "80m"): SmallDisk {
  const sb = makeSandbox();
  const mount = join(sb.dir, "small-disk");
  mkdirSync(mount);
  ok(sh(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", mount], sb));
  sb.pyctlHome = join(mount, "home");
  sb.env.PYCTL_HOME = sb.pyctlHome;
  sb.env.XDG_CACHE_HOME = join(mount, "cache");
  ok(run(sb, ["init", "--python", PYTHON]));
  ok(pip(sb, "install", "-q", "epsilon"));
  return {
    sb,
    mount,
    close() {
      sh(["umount", "-l", mount], sb);
      sb.cleanup();
    },
  };
}

/** Leave about `free` bytes free on the file system of `dir`: a file of the rest, returned. */
export function fillDiskTo(sb: Sandbox, dir: string, free: number): string {
  const filler = join(dir, "filler");
  const { bavail, bsize } = statfsSync(dir);
  ok(sh(["fallocate", "-l", String(Math.max(4096, bavail * bsize - free)), filler], sb));
  return filler;
}
