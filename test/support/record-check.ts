/**
 * A RECORD check of a venv, independent of pyctl's own reader: Python's importlib.metadata reads
 * every distribution's RECORD, and each file it lists must exist with the size and hash it names
 * (REQUESTED included). A RECORD must not mix line ends (pip writes "\r\n"). Returns one line per
 * problem, so `expect(recordProblems(venv)).toEqual([])` shows what is wrong.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SANE_PATH, testPython } from "./pythons.ts";

// RECORD read as written: importlib.metadata's dist.files leaves out missing files from Python 3.12 on.
const CHECK = `
import base64, csv, hashlib, importlib.metadata as md, os, sys
for dist in md.distributions(path=[sys.argv[1]]):
    name = dist.metadata["Name"]
    for row in csv.reader((dist.read_text("RECORD") or "").splitlines()):
        if not row:
            continue
        f, hash, size = (row + ["", ""])[:3]
        path = dist.locate_file(f)
        if not os.path.lexists(path):
            print(f"{name}: {f} is listed in RECORD but missing")
            continue
        if not hash:
            continue
        mode, _, value = hash.partition("=")
        data = open(path, "rb").read()
        digest = base64.urlsafe_b64encode(hashlib.new(mode, data).digest()).rstrip(b"=").decode()
        if digest != value:
            print(f"{name}: {f} differs from its RECORD hash")
        if size and int(size) != len(data):
            print(f"{name}: {f} is {len(data)} bytes, RECORD says {size}")
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
