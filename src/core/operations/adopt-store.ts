/**
 * Adopted distributions go into the venv's store first, as entries already relocated to the venv's
 * layout (scripts' shebangs name the venv's python, RECORD rewritten), so that staging links them
 * in like any stored version.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { writeFileAtomic } from "../base/atomic.ts";
import { linkFile } from "../base/fstree.ts";
import type { Candidate } from "../packages/adopt-source.ts";
import { entryDir, entryIsComplete, readManifest, storeBuilt } from "../recording/store.ts";
import type { Target } from "../recording/target.ts";

function recordDigest(text: string): string {
  const hash = createHash("sha256").update(text).digest("base64url");
  return `sha256=${hash},${Buffer.byteLength(text)}`;
}

/** A console script pointed at `python`; undefined when it is not a Python script. */
export function rewriteScript(text: string, python: string): string | undefined {
  const lines = text.split("\n");
  if (/^#!.*python[\d.]*\s*$/.test(lines[0] ?? "")) return [`#!${python}`, ...lines.slice(1)].join("\n");
  if (/^#!\/bin\/sh\s*$/.test(lines[0] ?? "") && /^'''exec' /.test(lines[1] ?? "")) {
    return [lines[0], `'''exec' "${python}" "$0" "$@"`, ...lines.slice(2)].join("\n");
  }
  return undefined;
}

function csvPath(path: string): string {
  return /[",\n]/.test(path) ? `"${path.replace(/"/g, '""')}"` : path;
}

/** Put one candidate in the store, relocated to the venv's layout. */
export function storeCandidate(target: Target, c: Candidate): void {
  const siteRel = relative(target.venv, target.sitePackages);
  const distInfo = join(siteRel, basename(c.dist.metadataPath));
  const python = target.env.python;
  const files = [...c.files.map((f) => f.to), join(distInfo, "RECORD")];
  const stored = readManifest(target.storeDir, c.dist.name, c.dist.version);
  if (stored && !entryIsComplete(target.storeDir, stored))
    rmSync(entryDir(target.storeDir, c.dist.name, c.dist.version), { recursive: true, force: true });
  storeBuilt(target.storeDir, { name: c.dist.name, version: c.dist.version, venv: target.venv, files }, (dir) => {
    const record: string[] = [];
    for (const f of c.files) {
      const dst = join(dir, f.to);
      let digest = f.digest;
      const script =
        f.to.startsWith("bin/") && !lstatSync(f.from).isSymbolicLink()
          ? rewriteScript(readFileSync(f.from, "utf8"), python)
          : undefined;
      if (script !== undefined) {
        mkdirSync(dirname(dst), { recursive: true });
        writeFileAtomic(dst, script, statSync(f.from).mode & 0o7777);
        digest = recordDigest(script);
      } else linkFile(f.from, dst);
      record.push(`${csvPath(relative(siteRel, f.to))},${digest}`);
    }
    record.push(`${csvPath(join(basename(c.dist.metadataPath), "RECORD"))},,`);
    writeFileAtomic(join(dir, distInfo, "RECORD"), `${record.join("\n")}\n`);
  });
}
