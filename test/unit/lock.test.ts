// The venv lock: our own regular 0600 file, never a symlink; held descriptors are handed to children.
import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { heldLockFds, isLocked, tryLock, withLockFds } from "../../src/core/base/lock.ts";

const dir = mkdtempSync(join(tmpdir(), "pyctl-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a lock file is created 0600 (an older 0644 one is tightened) and names its holder", () => {
  const path = join(dir, "lock");
  writeFileSync(path, "");
  chmodSync(path, 0o644);
  const lock = tryLock(path, "pip install x")!;
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ pid: process.pid, command: "pip install x" });
  expect(heldLockFds()).toHaveLength(1);
  expect(withLockFds(["inherit", "inherit", "inherit"])).toEqual(["inherit", "inherit", "inherit", heldLockFds()[0]!]);
  lock.release();
  expect(heldLockFds()).toEqual([]);
  expect(isLocked(path)).toBe(false);
});

test("a symlink at the lock's path is refused, its target untouched", () => {
  const victim = join(dir, "victim");
  writeFileSync(victim, "precious");
  symlinkSync(victim, join(dir, "planted"));
  expect(() => tryLock(join(dir, "planted"), "x")).toThrow("is a symbolic link, not pyctl's lock");
  expect(readFileSync(victim, "utf8")).toBe("precious");
});

test("a folder at the lock's path is not pyctl's lock", () => {
  const path = join(dir, "a-folder");
  Bun.spawnSync(["mkdir", path]);
  expect(() => tryLock(path, "x")).toThrow();
});

test("a holder that never released (killed) leaves the word for the next; it is passed on until one cleans up", () => {
  const path = join(dir, "abandoned-lock");
  const first = tryLock(path, "pip install x")!;
  expect(first.abandoned).toBe(false);
  first.release();
  expect(readFileSync(path, "utf8")).toBe(""); // a clean release empties it
  writeFileSync(path, JSON.stringify({ pid: 999999, command: "pip install y" })); // what a killed holder leaves
  const second = tryLock(path, "pyctl snapshot s")!;
  expect(second.abandoned).toBe(true);
  second.release(); // did not clean up: the next holder is told
  const third = tryLock(path, "pip install z")!;
  expect(third.abandoned).toBe(true);
  third.cleaned();
  third.release();
  const fourth = tryLock(path, "pip install z")!;
  expect(fourth.abandoned).toBe(false);
  fourth.release();
});
