// Throwaway base interpreters (hardlinked copies of pyenv builds) and extra wheels for rebuild and doctor tests.
import { expect } from "bun:test";
import { cpSync, linkSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { PY, pythons, type Sandbox, sh } from "./env.ts";

/** A pyenv interpreter of `version`, if this machine has one ("3.X" -> its bin/python3.X). */
export function pyenvPython(version: string): string | undefined {
  const exe = pythons().byVersion.get(version);
  return exe?.includes("/.pyenv/versions/") ? exe : undefined;
}

/** Hardlink `src` into `dst` (tree), so deleting the copy leaves the original alone. */
function linkTree(src: string, dst: string, skip: (rel: string) => boolean, rel = ""): void {
  mkdirSync(join(dst, rel), { recursive: true });
  for (const entry of readdirSync(join(src, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (skip(path)) continue;
    if (entry.isDirectory()) linkTree(src, dst, skip, path);
    else if (entry.isSymbolicLink()) cpSync(join(src, path), join(dst, path), { verbatimSymlinks: true });
    else linkSync(join(src, path), join(dst, path));
  }
}

/**
 * Copy the pyenv build of `version` to `dest` without its site-packages (a base interpreter
 * with only the standard library); returns the copy's bin/pythonX.Y.
 */
export function copyPython(version: string, dest: string): string {
  const exe = pyenvPython(version)!;
  const root = dirname(dirname(exe));
  const site = `lib/python${version}/site-packages/`;
  linkTree(root, dest, (rel) => `${rel}/`.startsWith(site) || rel.startsWith("include") || rel.startsWith("share"));
  mkdirSync(join(dest, site), { recursive: true });
  expect(statSync(join(dest, "bin", `python${version}`)).isFile()).toBe(true);
  return join(dest, "bin", `python${version}`);
}

/** Build extra fixture wheels (with the suite's own wheels.py) into a find-links folder. */
export function buildWheels(sb: Sandbox, specs: { name: string; version: string; requires?: string[] }[]): string {
  const dir = join(sb.dir, "extra-wheels");
  const support = resolve(import.meta.dir, "..", "support");
  const calls = specs.map(
    (s) =>
      `wheels.build(d, ${JSON.stringify(s.name)}, ${JSON.stringify(s.version)}, requires=${JSON.stringify(s.requires ?? [])}, scripts=[${JSON.stringify(s.name)}])`,
  );
  const code = `import os, sys; sys.path.insert(0, ${JSON.stringify(support)}); import wheels; d = ${JSON.stringify(dir)}; os.makedirs(d, exist_ok=True); ${calls.join("; ")}`;
  expect(sh([PY.exe, "-c", code], sb).code).toBe(0);
  return dir;
}

/** The full version of the pyenv build copyPython(version) copies ("3.11" -> "3.11.7"). */
export function pyenvFullVersion(version: string): string | undefined {
  const exe = pyenvPython(version);
  return exe ? basename(dirname(dirname(exe))) : undefined;
}
