/**
 * The store filled while pip runs (issue 18). A first install of a 12,000-file package used to
 * share its ~24,000 files (with their bytecode) into the store after pip ended, one link each:
 * 10–15 % of pip's own run, added to the user's wait. Now the folders pip installs into are
 * watched (inotify) while it runs, and each file is linked into a staging folder as soon as pip
 * has written it, on the core pip is not using. After pip, storeDist takes the staged copies,
 * moving a whole folder pip made in one rename.
 *
 * A staged copy is trusted to be the installed file only while no event has been seen for its
 * name since it was staged: each event (written, created, moved, deleted)
 * has the file looked at again, and the same inode is kept, another one staged anew, a gone one
 * dropped. Folders that existed before pip ran are not watched below their own entries, and
 * their files are stored after pip, as before. So is everything when the kernel's queue
 * overflowed, a folder pip made was moved or deleted, or a watch or link could not be made:
 * staging only saves work, it never decides what is stored.
 */
import { closeSync, lstatSync, mkdirSync, readSync, renameSync, rmSync, unlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { tempSibling } from "../base/atomic.ts";
import { errnoCode } from "../base/errors.ts";
import { IN, INOTIFY_FLAGS, type Inotify, inotifyCalls } from "../base/folder-watch.ts";
import { listEntries } from "../base/raw-names.ts";
import { discardTree } from "../base/swap.ts";
import type { StagedFiles } from "./store.ts";
import { type Stamp, shareFile, stampOf } from "./store-trust.ts";
import type { Target } from "./target.ts";

/**
 * Not IN.ATTRIB: staging a file changes its link count, which would report every file twice; a
 * time set without a write (utime) only makes its stamp differ, and RECORD's hash then decides.
 */
const MASK =
  IN.CLOSE_WRITE |
  IN.MOVED_FROM |
  IN.MOVED_TO |
  IN.CREATE |
  IN.DELETE |
  IN.DELETE_SELF |
  IN.MOVE_SELF |
  IN.ONLYDIR |
  IN.DONT_FOLLOW;
/** How often the queue is read while pip runs: a few ms keeps it far from its 16,384 events. */
const PUMP_MS = 4;

/** pip's uninstall stash (~NAME) and names that are not UTF-8 are left to the store after pip. */
function stageable(name: string): boolean {
  return !name.startsWith("~") && !name.includes("\uFFFD") && name.isWellFormed();
}

interface Copy {
  /** The installed file's inode when it was staged: another inode under its name is another file. */
  ino: number;
  /** A hardlink is the installed file itself; a clone or copy holds its bytes as they were then. */
  hardlink: boolean;
  stamp: Stamp;
}

/** Staging under way while pip runs. */
export interface Staging {
  /** Stage what happened so far (a timer does it every few ms while pip runs). */
  pump(): void;
  /** pip has ended: stage what is left, stop watching, and say what was staged. */
  finish(): StagedFiles;
  /** Stop, and remove what was staged. */
  discard(): void;
}

class Stager implements Staging, StagedFiles {
  private readonly copies = new Map<string, Copy>();
  /** Folders made while pip ran (venv-relative), each watched since it was seen. */
  private readonly made = new Set<string>();
  /** Every watched folder by its watch descriptor. */
  private readonly byWatch = new Map<number, string>();
  /** Staged copies under each top folder pip made (site-packages/NAME, not deeper). */
  private readonly perTop = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private readonly madeInStaging = new Set<string>();
  private readonly buffer = Buffer.alloc(64 * 1024);
  private timer: ReturnType<typeof setInterval> | undefined;
  private trusted = true;
  private open = true;

  private readonly venv: string;
  /** Venv-relative folders whose new entries are watched: site-packages and bin. */
  private readonly roots: string[];
  private readonly prefixes: string[];
  /** The staging folder, beside the venv (swept by the temp-name rule if pyctl is killed). */
  private readonly root: string;

  constructor(
    private readonly libc: Inotify,
    private readonly fd: number,
    private readonly target: Target,
  ) {
    this.venv = target.venv;
    this.roots = [relative(this.venv, target.env.sitePackages), relative(this.venv, target.env.bin)];
    this.prefixes = this.roots.map((root) => `${root}/`);
    this.root = tempSibling(join(target.layout.versionDir(target.version), "store-ahead"));
  }

  start(): boolean {
    for (const rel of this.roots) if (!this.watch(rel)) return false;
    this.timer = setInterval(() => this.pump(), PUMP_MS);
    return true;
  }

  /** Read every event queued, then look at each file they named. Anything unexpected ends the staging. */
  pump(): void {
    try {
      this.drain();
    } catch {
      this.distrust();
    }
  }

  private drain(): void {
    if (!this.trusted) return;
    for (;;) {
      let length: number;
      try {
        length = readSync(this.fd, this.buffer);
      } catch (err) {
        if (errnoCode(err) !== "EAGAIN") this.distrust();
        break;
      }
      this.events(length);
      if (!this.trusted) return;
    }
    for (const rel of this.dirty) if (this.trusted) this.look(rel);
    this.dirty.clear();
  }

  /** pip has ended: its last events are in the queue. Stop watching (`discard` closes). */
  finish(): StagedFiles {
    clearInterval(this.timer);
    this.pump();
    // Removed now, freed by the kernel while the store is written: closing an instance that
    // still has watches waits for an RCU grace period (folder-watch.ts).
    for (const wd of this.byWatch.keys()) this.libc.inotify_rm_watch(this.fd, wd);
    return this;
  }

  private stop(): void {
    clearInterval(this.timer);
    if (this.open) closeSync(this.fd);
    this.open = false;
  }

  private events(length: number): void {
    const b = this.buffer;
    for (let at = 0; at + 16 <= length; ) {
      const wd = b.readInt32LE(at);
      const mask = b.readUInt32LE(at + 4);
      const size = b.readUInt32LE(at + 12);
      const end = b.indexOf(0, at + 16);
      const name = b.toString("utf8", at + 16, end < 0 || end > at + 16 + size ? at + 16 + size : end);
      at += 16 + size;
      if (mask & IN.Q_OVERFLOW) {
        this.distrust();
        return;
      }
      const folder = this.byWatch.get(wd);
      if (folder === undefined) continue; // a watch already removed
      if (mask & (IN.DELETE_SELF | IN.MOVE_SELF | IN.IGNORED)) {
        this.distrust();
        return;
      }
      if (!stageable(name)) continue;
      const rel = `${folder}/${name}`;
      // A folder pip made that is moved or deleted says so itself (IN.MOVE_SELF, IN.DELETE_SELF).
      if (!(mask & IN.ISDIR)) this.dirty.add(rel);
      else if (mask & (IN.CREATE | IN.MOVED_TO)) this.watchTree(rel);
    }
  }

  /** A folder pip made: watched from now, and what it already holds looked at. */
  private watchTree(rel: string): void {
    if (!this.watch(rel)) {
      this.distrust();
      return;
    }
    for (const entry of listEntries(join(this.venv, rel))) {
      if (!stageable(entry.name)) continue;
      const child = `${rel}/${entry.name}`;
      if (entry.isDir) this.watchTree(child);
      else this.dirty.add(child);
      if (!this.trusted) return;
    }
  }

  private watch(rel: string): boolean {
    const wd = this.libc.inotify_add_watch(this.fd, Buffer.from(`${join(this.venv, rel)}\0`), MASK);
    if (wd < 0) return false;
    this.byWatch.set(wd, rel);
    if (!this.roots.includes(rel)) this.made.add(rel);
    return true;
  }

  /** Stage `rel` as it is now: keep a copy of the same inode, share it anew, or drop it. */
  private look(rel: string): void {
    const src = join(this.venv, rel);
    const st = lstatSync(src, { throwIfNoEntry: false });
    const copy = this.copies.get(rel);
    if (copy?.hardlink && st?.isFile() && st.ino === copy.ino) {
      copy.stamp = [st.size, st.mtimeMs];
      return;
    }
    if (copy) this.drop(rel);
    if (!st?.isFile()) return; // gone, a folder's symlink, or a symlink: stored after pip
    const dst = join(this.root, rel);
    const parent = dirname(dst);
    try {
      if (!this.madeInStaging.has(parent)) {
        mkdirSync(parent, { recursive: true });
        this.madeInStaging.add(parent);
      }
      const shared = shareFile(src, dst);
      const stamp = shared === "hardlink" ? ([st.size, st.mtimeMs] as Stamp) : stampOf(dst);
      if (!stamp) {
        this.distrust();
        return;
      }
      this.copies.set(rel, { ino: st.ino, hardlink: shared === "hardlink", stamp });
      this.count(rel, 1);
    } catch {
      this.distrust(); // a full disk, or a file gone between the lstat and the link
    }
  }

  private drop(rel: string): void {
    this.copies.delete(rel);
    this.count(rel, -1);
    try {
      unlinkSync(join(this.root, rel));
    } catch {
      this.distrust();
    }
  }

  /** The top folder pip made that `rel` is in (site-packages/NAME), if any. */
  private topOf(rel: string): string | undefined {
    for (const prefix of this.prefixes) {
      if (!rel.startsWith(prefix)) continue;
      const slash = rel.indexOf("/", prefix.length);
      const top = slash < 0 ? undefined : rel.slice(0, slash);
      return top !== undefined && this.made.has(top) ? top : undefined;
    }
    return undefined;
  }

  private count(rel: string, by: number): void {
    const top = this.topOf(rel);
    if (top !== undefined) this.perTop.set(top, (this.perTop.get(top) ?? 0) + by);
  }

  private distrust(): void {
    this.trusted = false;
    clearInterval(this.timer);
  }

  stamp(rel: string): Stamp | undefined {
    return this.trusted ? this.copies.get(rel)?.stamp : undefined;
  }

  moveInto(rels: string[], filesDir: string): void {
    const tops = rels.map((rel) => this.topOf(rel));
    const byTop = new Map<string, number>();
    for (const top of tops) if (top !== undefined) byTop.set(top, (byTop.get(top) ?? 0) + 1);
    const whole = new Set<string>();
    for (const [top, n] of byTop) {
      if (n !== this.perTop.get(top)) continue; // another distribution's files are in it too
      mkdirSync(join(filesDir, dirname(top)), { recursive: true });
      renameSync(join(this.root, top), join(filesDir, top));
      whole.add(top);
      this.perTop.delete(top);
    }
    for (const [i, rel] of rels.entries()) {
      const top = tops[i];
      if (top === undefined || !whole.has(top)) {
        mkdirSync(join(filesDir, dirname(rel)), { recursive: true });
        renameSync(join(this.root, rel), join(filesDir, rel));
        this.count(rel, -1);
      }
      this.copies.delete(rel);
    }
  }

  discard(): void {
    this.stop();
    if (this.copies.size === 0) rmSync(this.root, { recursive: true, force: true });
    else discardTree(this.target, this.root); // thousands of links, when what pip installed was stored already
    this.copies.clear();
  }
}

/**
 * Start staging what pip installs into `target`'s venv; undefined when inotify cannot be had.
 * Call `finish` once pip has ended, and `discard` when the store has taken what it wanted.
 */
export function stageInstall(target: Target): Staging | undefined {
  const libc = inotifyCalls();
  const fd = libc ? libc.inotify_init1(INOTIFY_FLAGS) : -1;
  if (!libc || fd < 0) return undefined;
  const stager = new Stager(libc, fd, target);
  if (!stager.start()) {
    stager.discard();
    return undefined;
  }
  return stager;
}
