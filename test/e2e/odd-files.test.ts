// Files pip leaves alone must not stop pyctl (issue 21, item 3): a file name that is not UTF-8
// anywhere in the venv is carried through every transaction byte for byte (pip installs, lists
// and uninstalls beside it), and a dangling symlink is an unowned file like any other, kept and
// put back by undo with the hand-written module next to it.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, type Sandbox } from "../support/env.ts";
import { initSandbox, ok, pip, pipFreeze, sitePackages, venv } from "../support/venv-fixtures.ts";

/** Every name below `dir` as raw bytes (hex for what is not printable ASCII), with symlink targets. */
function rawNames(dir: Buffer): string[] {
  const out: string[] = [];
  const walk = (d: Buffer, rel: string) => {
    for (const name of readdirSync(d, { encoding: "buffer" }) as Buffer[]) {
      const path = Buffer.concat([d, Buffer.from("/"), name]);
      const shown = `${rel}${[...name].map((b) => (b > 32 && b < 127 ? String.fromCharCode(b) : `\\x${b.toString(16)}`)).join("")}`;
      const st = lstatSync(path);
      if (st.isSymbolicLink()) out.push(`${shown} -> ${readlinkSync(path, { encoding: "buffer" }).toString("hex")}`);
      else if (st.isDirectory()) walk(path, `${shown}/`);
      else out.push(`${shown} ${st.size}`);
    }
  };
  walk(dir, "");
  return out.sort();
}

describe("odd files in the venv", () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==1.0"));
  });
  afterEach(() => sb.cleanup());

  test("a file name that is not UTF-8: every transaction carries it byte for byte", () => {
    const site = Buffer.from(sitePackages(sb));
    const latin1 = Buffer.concat([site, Buffer.from("/caf\xe9.py", "latin1")]);
    writeFileSync(latin1, "x = 1\n");
    const inPackage = Buffer.concat([site, Buffer.from("/alpha_data_\xff\xfe.txt", "latin1")]);
    writeFileSync(inPackage, "data\n");
    const before = rawNames(Buffer.from(venv(sb)));
    ok(pip(sb, "install", "-q", "beta==1.0"));
    expect(pipFreeze(sb)).toContain("beta==1.0");
    for (const args of [["undo"], ["undo"], ["undo"], ["restore", "baseline"], ["undo"], ["autoremove"]]) {
      const r = run(sb, args);
      expect(`${args.join(" ")}: ${r.code} ${r.stderr}`).toBe(`${args.join(" ")}: 0 ${r.stderr}`);
    }
    ok(run(sb, ["clean", "--yes"]));
    expect(existsSync(latin1)).toBe(false);
    ok(run(sb, ["undo"]));
    expect(existsSync(latin1)).toBe(true);
    expect(existsSync(inPackage)).toBe(true);
    // (pyvenv.cfg after clean + undo is another point of issue 21, item 7; bytecode comes and goes.)
    const names = (list: string[]) => list.filter((l) => !l.includes("__pycache__") && !l.startsWith("pyvenv.cfg"));
    expect(names(rawNames(Buffer.from(venv(sb))))).toEqual(names(before));
  });

  test("a dangling symlink is kept by clean's undo, with the module next to it", () => {
    const site = sitePackages(sb);
    writeFileSync(join(site, "mine.py"), "VALUE = 42\n");
    symlinkSync(join(site, "gone.py"), join(site, "dangling.py"));
    ok(run(sb, ["clean", "--yes"]));
    expect(existsSync(join(site, "mine.py"))).toBe(false);
    ok(run(sb, ["undo"]));
    expect(existsSync(join(site, "mine.py"))).toBe(true);
    expect(readlinkSync(join(site, "dangling.py"))).toBe(join(site, "gone.py"));
  });
});
