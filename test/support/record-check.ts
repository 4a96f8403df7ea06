/**
 * A RECORD check of a venv, independent of pyctl's own reader: Python's importlib.metadata reads
 * every distribution's RECORD, and each file it lists must exist with the size and hash it names
 * (REQUESTED included). A RECORD must not mix line ends (pip writes "\r\n"). Returns one line per
 * problem, so `expect(recordProblems(venv)).toEqual([])` shows what is wrong.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SANE_PATH, testPython } from "./pythons.ts";

const CHECK = `
import base64, hashlib, importlib.metadata as md, os, sys
for dist in md.distributions(path=[sys.argv[1]]):
    name = dist.metadata["Name"]
    for f in dist.files or []:
        path = f.locate()
        if not os.path.lexists(path):
            print(f"{name}: {f} is listed in RECORD but missing")
            continue
        if not f.hash:
            continue
        data = open(path, "rb").read()
        digest = base64.urlsafe_b64encode(hashlib.new(f.hash.mode, data).digest()).rstrip(b"=").decode()
        if digest != f.hash.value:
            print(f"{name}: {f} differs from its RECORD hash")
        if f.size is not None and f.size != len(data):
            print(f"{name}: {f} is {len(data)} bytes, RECORD says {f.size}")
`;

/** The venv's site-packages (its single lib/pythonX.Y). */
export function sitePackagesOf(venv: string): string {
  const lib = readdirSync(join(venv, "lib")).find((d) => d.startsWith("python"));
  if (!lib) throw new Error(`no lib/pythonX.Y in ${venv}`);
  return join(venv, "lib", lib, "site-packages");
}

function mixedLineEnds(site: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(site).filter((n) => n.endsWith(".dist-info"))) {
    let text: string;
    try {
      text = readFileSync(join(site, name, "RECORD"), "utf8");
    } catch {
      continue;
    }
    const crlf = text.split("\r\n").length - 1;
    const lf = text.split("\n").length - 1;
    if (crlf > 0 && crlf !== lf) found.push(`${name}/RECORD mixes "\\r\\n" and "\\n" line ends`);
  }
  return found;
}

/** Every RECORD problem of the venv at `venv`; [] when every listed file is as RECORD says. */
export function recordProblems(venv: string): string[] {
  const site = sitePackagesOf(venv);
  const run = Bun.spawnSync([testPython().real, "-I", "-c", CHECK, site], { env: { PATH: SANE_PATH } });
  if (run.exitCode !== 0) throw new Error(`RECORD check failed to run: ${run.stderr.toString()}`);
  const lines = run.stdout.toString().split("\n").filter(Boolean);
  return [...lines, ...mixedLineEnds(site)].sort();
}
