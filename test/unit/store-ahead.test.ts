// What pip installs is staged for the store while it runs (core/recording/store-ahead.ts): a
// staged copy is trusted only while no event came for its name since, and anything the staging
// cannot follow leaves every file to the store after pip. Real files and real inotify; the
// writes pip would make are made here, between pumps, in the orders that matter.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Layout } from "../../src/core/base/paths.ts";
import { type Staging, stageInstall } from "../../src/core/recording/store-ahead.ts";
import { type Target, targetFor } from "../../src/core/recording/target.ts";

let home: string;
let target: Target;
let site: string;
let staging: Staging;

const SITE = "lib/python3.99/site-packages";

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "pyctl-store-ahead-"));
  target = targetFor(new Layout("user", home), "3.99");
  site = target.env.sitePackages;
  mkdirSync(join(site, "existing"), { recursive: true });
  mkdirSync(target.env.bin, { recursive: true });
  staging = stageInstall(target)!;
});

afterEach(() => {
  staging.discard();
  rmSync(home, { recursive: true, force: true });
});

/** Write `rel` (venv-relative) as pip does: create, write, close. */
function write(rel: string, text = rel): void {
  const path = join(target.venv, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

const ino = (path: string) => statSync(path).ino;

describe("staging what pip installs", () => {
  test("files in folders pip makes, in site-packages and bin are staged as the installed files", () => {
    write(`${SITE}/pkg/__init__.py`);
    staging.pump(); // pkg/ is watched from here on
    write(`${SITE}/pkg/sub/deep.py`);
    write(`${SITE}/single.py`);
    write("bin/tool");
    const staged = staging.finish();
    for (const rel of [`${SITE}/pkg/__init__.py`, `${SITE}/pkg/sub/deep.py`, `${SITE}/single.py`, "bin/tool"])
      expect([rel, staged.stamp(rel)]).toEqual([rel, [rel.length, statSync(join(target.venv, rel)).mtimeMs]]);
  });

  test("a file in a folder that was there before pip ran is left to the store after pip", () => {
    write(`${SITE}/existing/added.py`);
    expect(staging.finish().stamp(`${SITE}/existing/added.py`)).toBeUndefined();
  });

  test("a file replaced after it was staged is staged again; one written in place gets its new stamp", () => {
    write(`${SITE}/pkg/a.py`, "first");
    write(`${SITE}/pkg/b.py`, "first");
    staging.pump();
    writeFileSync(join(site, "pkg", "a.py.tmp"), "second, longer");
    renameSync(join(site, "pkg", "a.py.tmp"), join(site, "pkg", "a.py")); // another inode
    appendFileSync(join(site, "pkg", "b.py"), " and more"); // the same inode
    const staged = staging.finish();
    expect(staged.stamp(`${SITE}/pkg/a.py`)?.[0]).toBe("second, longer".length);
    expect(staged.stamp(`${SITE}/pkg/b.py`)?.[0]).toBe("first and more".length);
    expect(staged.stamp(`${SITE}/pkg/a.py.tmp`)).toBeUndefined();
    const into = join(home, "entry", "files");
    staged.moveInto([`${SITE}/pkg/a.py`, `${SITE}/pkg/b.py`], into);
    expect(readFileSync(join(into, SITE, "pkg", "a.py"), "utf8")).toBe("second, longer");
    expect(ino(join(into, SITE, "pkg", "a.py"))).toBe(ino(join(site, "pkg", "a.py")));
    expect(ino(join(into, SITE, "pkg", "b.py"))).toBe(ino(join(site, "pkg", "b.py")));
  });

  test("a file deleted after it was staged is not staged", () => {
    write(`${SITE}/pkg/gone.py`);
    staging.pump();
    unlinkSync(join(site, "pkg", "gone.py"));
    expect(staging.finish().stamp(`${SITE}/pkg/gone.py`)).toBeUndefined();
  });

  test("a folder pip made moves into the entry whole; one shared with another distribution file by file", () => {
    write(`${SITE}/whole/m.py`);
    write(`${SITE}/whole/__pycache__/m.cpython-399.pyc`);
    write(`${SITE}/shared/ours.py`);
    write(`${SITE}/shared/theirs.py`);
    const staged = staging.finish();
    const into = join(home, "entry", "files");
    const ours = [`${SITE}/whole/m.py`, `${SITE}/whole/__pycache__/m.cpython-399.pyc`, `${SITE}/shared/ours.py`];
    staged.moveInto(ours, into);
    for (const rel of ours) expect(ino(join(into, rel))).toBe(ino(join(target.venv, rel)));
    expect(existsSync(join(into, SITE, "shared", "theirs.py"))).toBe(false);
    expect(staged.stamp(`${SITE}/shared/theirs.py`)).toBeDefined(); // still staged, for its own entry
  });

  test("a folder pip made that is moved away leaves every file to the store after pip", () => {
    write(`${SITE}/kept/k.py`);
    write(`${SITE}/moved/m.py`);
    staging.pump();
    renameSync(join(site, "moved"), join(home, "elsewhere"));
    const staged = staging.finish();
    expect(staged.stamp(`${SITE}/kept/k.py`)).toBeUndefined();
  });

  test("a symlink is left to the store after pip (it recreates links)", () => {
    write(`${SITE}/pkg/real.py`);
    symlinkSync("real.py", join(site, "pkg", "link.py"));
    const staged = staging.finish();
    expect(staged.stamp(`${SITE}/pkg/link.py`)).toBeUndefined();
    expect(staged.stamp(`${SITE}/pkg/real.py`)).toBeDefined();
  });

  test("pip's uninstall stash (~NAME) is not staged", () => {
    write(`${SITE}/~kg/old.py`);
    expect(staging.finish().stamp(`${SITE}/~kg/old.py`)).toBeUndefined();
  });

  // Two events a file: the queue is overrun when its limit is the usual 16,384, not a raised one.
  const limit = Number(readFileSync("/proc/sys/fs/inotify/max_queued_events", "utf8"));
  test.skipIf(limit > 100_000)(`a full event queue (${limit} events) leaves every file to the store after pip`, () => {
    write(`${SITE}/many/first.py`);
    staging.pump();
    // No pump in between: the kernel drops what does not fit and says so.
    for (let i = 0; i <= limit / 2; i++) writeFileSync(join(site, "many", `m${i}.py`), "");
    expect(staging.finish().stamp(`${SITE}/many/first.py`)).toBeUndefined();
  });

  test("discard removes the staging folder", () => {
    write(`${SITE}/pkg/a.py`);
    staging.finish();
    const folder = join(home, "py399");
    expect(readdirNames(folder).some((n) => n.startsWith("store-ahead."))).toBe(true);
    staging.discard();
    // What was still staged goes to a background rm under the trash rule; nothing stays under its own name.
    expect(readdirNames(folder).some((n) => n.startsWith("store-ahead."))).toBe(false);
  });
});

function readdirNames(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
