// Issue 16, item 6: every derived path comes from base/paths.ts, temp names follow one rule that
// base/atomic.ts decodes, the hooks get the tiers' default roots from paths.ts, and comments name
// files that exist.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { tempFileFor, tempOwner, tempSibling } from "../../src/core/base/atomic.ts";
import { DEFAULT_SYSTEM_HOME, DEFAULT_USER_HOME, Layout, resultCacheOf } from "../../src/core/base/paths.ts";
import { renderHook } from "../../src/shell/hook.ts";

const ROOT = resolve(import.meta.dir, "..", "..");
const SRC = join(ROOT, "src");

function files(dir: string, suffix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path, suffix);
    return e.name.endsWith(suffix) ? [path] : [];
  });
}

describe("derived paths", () => {
  const layout = new Layout("user", "/h");
  test.each([
    [layout.wheelTagsCache("3.12"), "/h/py312/wheel-tags.json"],
    [layout.updatesStamp("3.12"), "/h/py312/updates-checked"],
    [layout.historyIndex("3.12"), "/h/py312/history-index.json"],
    [resultCacheOf(layout.filesCache("3.12")), "/h/py312/files-cache.result.json"],
    [layout.creationTemp("3.12"), `/h/py312/venv.new.${process.pid}.tmp`],
  ])("%s", (path, expected) => {
    expect(path).toBe(expected);
  });

  test.each(["wheel-tags.json", "updates-checked", "fish-functions", "history-index.json", ".result.json"])(
    "%s is named only in base/paths.ts",
    (name) => {
      const naming = files(SRC, ".ts")
        .filter((f) => readFileSync(f, "utf8").includes(`"${name}"`) || readFileSync(f, "utf8").includes(`${name}"`))
        .map((f) => relative(SRC, f));
      expect(naming).toEqual(["core/base/paths.ts"]);
    },
  );
});

describe("one temp-name rule", () => {
  test("atomic.ts decodes the names it makes", () => {
    expect(tempOwner(tempSibling("/d/1.0").slice(3))).toBe(process.pid);
    expect(tempOwner(tempFileFor("/d/x.json").slice(3))).toBe(process.pid);
    expect(tempOwner("x.json")).toBeUndefined();
  });

  test("no source file makes a temp name of its own", () => {
    const adHoc = files(SRC, ".ts")
      .filter((f) => !f.endsWith("core/base/atomic.ts"))
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .map((line, i) => [`${relative(SRC, f)}:${i + 1}`, line] as const)
          .filter(([, line]) => /process\.pid\}?\.(\$\{[^}]*\}\.)?tmp/.test(line)),
      )
      .map(([where]) => where);
    expect(adHoc).toEqual([]);
  });
});

describe("the hooks get the tiers' default roots from paths.ts", () => {
  test("no hook template names a root", () => {
    const naming = files(join(ROOT, "hooks")).filter((f) => {
      const text = readFileSync(f, "utf8");
      return text.includes(DEFAULT_USER_HOME) || text.includes(DEFAULT_SYSTEM_HOME);
    });
    expect(naming).toEqual([]);
  });

  test.each(["bash", "zsh", "fish"] as const)("%s", (shell) => {
    const text = renderHook(shell, { pyctl: "/usr/bin/pyctl", defaultVersion: "", pythons: [] });
    expect(text).not.toContain("@USER_ROOT@");
    expect(text).not.toContain("@SYSTEM_ROOT@");
    expect(text).toContain(`/${DEFAULT_USER_HOME}`);
    expect(text).toContain(DEFAULT_SYSTEM_HOME);
  });
});

test("comments name source files that exist", () => {
  const stale: string[] = [];
  for (const f of [...files(SRC, ".ts"), ...files(join(ROOT, "hooks"))]) {
    for (const [i, line] of readFileSync(f, "utf8").split("\n").entries()) {
      for (const m of line.matchAll(/\b(?:src\/)?((?:core|shell|commands|ui)\/[a-z0-9/-]+\.ts)\b/g))
        if (!existsSync(join(SRC, m[1]!))) stale.push(`${relative(ROOT, f)}:${i + 1}: ${m[0]}`);
    }
  }
  expect(stale).toEqual([]);
});
