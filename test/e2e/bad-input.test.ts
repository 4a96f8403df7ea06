// Bad input (issue 9): a restore FILE that names a project twice, is UTF-16 or binary, holds a
// control character or --hash, or points at a closed URL gets one `pyctl:` line and changes
// nothing; environment markers are decided for the venv's Python; export into a missing folder
// is a clear error.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, type Result, type Sandbox } from "../support/env.ts";
import { expectNothingChanged, initSandbox, inventory, ok, pip, script } from "../support/venv-fixtures.ts";

/** The one line a user sees (hints aside), with no trace of an internal error. */
function oneLine(r: Result): string {
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  const lines = r.stderr
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("pyctl: ") && !l.startsWith("pyctl: hint:"));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe("restore FILE refuses bad files and changes nothing", () => {
  let sb: Sandbox;
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(sb.dir, name);
    writeFileSync(path, content);
    return path;
  };
  const refused = (path: string): string => {
    let line = "";
    expectNothingChanged(sb, () => {
      line = oneLine(run(sb, ["restore", path]));
    });
    return line;
  };

  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==2.0", "beta==2.0"));
  });

  test("a project named twice", () => {
    const path = file("twice.txt", "alpha==1.0\nbeta==1.0\nAlpha==1.1\n");
    expect(refused(path)).toBe(`pyctl: ${path} names alpha twice: "alpha==1.0" and "Alpha==1.1"`);
  });

  test("UTF-16, with a byte-order mark or without", () => {
    const text = "alpha==1.0\nbeta==1.0\n";
    const le = file("utf16-bom.txt", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const be = file("utf16-nobom.txt", Buffer.from(text, "utf16le").swap16());
    // Named as UTF-16 (restore's freeze check) or as not UTF-8 (the requirements-file reader): one line either way.
    expect(refused(le)).toMatch(new RegExp(`^pyctl: ${le} is (UTF-16 text|not UTF-8 text)`));
    expect(refused(be)).toMatch(new RegExp(`^pyctl: ${be} is (UTF-16 text|not UTF-8 text)`));
  });

  test("a binary file", () => {
    const wheel = readFileSync(join(sb.dir, "..", "wheels", "alpha-1.0-py3-none-any.whl"));
    const path = file("binary.txt", wheel);
    expect(refused(path)).toMatch(new RegExp(`^pyctl: ${path} is not (a text file|UTF-8 text)`));
  });

  test("a control character is shown escaped, never sent raw to the terminal", () => {
    const path = file("control.txt", "alpha==1.0\nbeta\u001b[2J==1.0\n");
    const line = refused(path);
    expect(line).not.toContain("\u001b");
    expect(line).toContain("\\x1b[2J");
  });

  test("--hash is refused with a clear line (pyctl's store holds installed files, not archives)", () => {
    const path = file("hashes.txt", "alpha==1.0 --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\n");
    expect(refused(path)).toBe(`pyctl: ${path}: alpha==1.0 has --hash: pyctl restores from its store of installed files and cannot check an archive's hash`);
  });

  test("a direct URL that nobody answers: one line, the venv unchanged", () => {
    const path = file("closed.txt", "alpha @ http://127.0.0.1:9/alpha-1.0-py3-none-any.whl\nbeta==2.0\n");
    const before = inventory(sb);
    const r = run(sb, ["restore", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    // pip says why in its own words; pyctl's error is its last line (a notice that pip downloads may precede it).
    const line = r.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("pyctl: ") && !l.startsWith("pyctl: hint:"))
      .at(-1)!;
    expect(line).toContain("is unchanged");
    expect(line).toContain("alpha @ http://127.0.0.1:9/alpha-1.0-py3-none-any.whl");
    expect(inventory(sb)).toEqual(before);
  });

  test("environment markers are decided for the venv's Python, not ignored", () => {
    const path = file(
      "markers.txt",
      [
        'alpha==1.0 ; python_version < "3.0"',
        'alpha==1.1 ; python_version >= "3.0"',
        "beta==1.0; sys_platform == 'linux'",
        'epsilon==1.0 ; sys_platform == "win32"',
        "",
      ].join("\n"),
    );
    ok(run(sb, ["restore", path]));
    expect(inventory(sb).filter((d) => /^(alpha|beta|epsilon)-/.test(d))).toEqual(["alpha-1.1.dist-info", "beta-1.0.dist-info"]);
    expect(script(sb, "alpha")).toBe("alpha 1.1");
    ok(run(sb, ["undo"]));
  });
});

test("export --output into a missing folder is one clear line", () => {
  const sb = initSandbox();
  const target = join(sb.dir, "no-such-folder", "requirements.txt");
  expect(oneLine(run(sb, ["export", "--output", target]))).toBe(`pyctl: cannot write ${target}: the folder ${join(sb.dir, "no-such-folder")} does not exist`);
  expect(existsSync(target)).toBe(false);
});
