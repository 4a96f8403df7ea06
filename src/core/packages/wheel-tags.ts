/**
 * The wheel tags a venv's interpreter supports, as pip computes them (packaging.tags.sys_tags,
 * pip's vendored copy). Asking Python costs ~50 ms, so the answer is cached in `cacheFile`,
 * keyed on the interpreter binary's identity (path, inode, size, mtime): the same interpreter
 * gives the same tags, and an upgraded one is asked again.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { runChild, startChild } from "../python/child.ts";
import { writeFileAtomic } from "../base/atomic.ts";
import { PyctlError } from "../base/errors.ts";

interface TagCache {
  interpreter: string;
  stamp: string;
  tags: string[];
}

const SCRIPT = [
  "try:\n from pip._vendor.packaging.tags import sys_tags\nexcept ImportError:\n from packaging.tags import sys_tags",
  "print('\\n'.join(str(t) for t in sys_tags()))",
].join("\n");

function identity(python: string): { interpreter: string; stamp: string } {
  const interpreter = realpathSync(python);
  const st = statSync(interpreter);
  return { interpreter, stamp: `${st.ino}:${st.size}:${st.mtimeMs}` };
}

function readCache(file: string): TagCache | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as TagCache;
  } catch {
    return undefined;
  }
}

/** The cached tags if the cache still describes the venv's interpreter, else undefined. */
export function cachedWheelTags(venv: string, cacheFile: string): Set<string> | undefined {
  try {
    const id = identity(join(venv, "bin", "python"));
    const cached = readCache(cacheFile);
    return cached && cached.interpreter === id.interpreter && cached.stamp === id.stamp
      ? new Set(cached.tags)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The venv's supported tags, most preferred first; asks its Python once per interpreter. */
export function wheelTags(venv: string, cacheFile: string): Set<string> {
  const cached = cachedWheelTags(venv, cacheFile);
  if (cached) return cached;
  const python = join(venv, "bin", "python");
  const result = runChild([python, "-c", SCRIPT], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
  if (result.status !== 0)
    throw new PyctlError(
      `cannot ask ${python} which wheels it supports: ${(result.stderr || String(result.error)).trim().split("\n").at(-1)}`,
    );
  const tags = result.stdout.split("\n").filter(Boolean);
  try {
    writeFileAtomic(cacheFile, JSON.stringify({ ...identity(python), tags } satisfies TagCache));
  } catch {
    // a cache that cannot be written only costs speed
  }
  return new Set(tags);
}

/** Start computing the tags without waiting (for a background query); resolves to undefined on failure. */
export async function wheelTagsAsync(venv: string, cacheFile: string): Promise<Set<string> | undefined> {
  const cached = cachedWheelTags(venv, cacheFile);
  if (cached) return cached;
  const python = join(venv, "bin", "python");
  const child = startChild([python, "-c", SCRIPT], {
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  const text = await new Response(child.stdout as ReadableStream).text();
  if ((await child.exited) !== 0) return undefined;
  const tags = text.split("\n").filter(Boolean);
  try {
    writeFileAtomic(cacheFile, JSON.stringify({ ...identity(python), tags } satisfies TagCache));
  } catch {
    // only speed is lost
  }
  return new Set(tags);
}
