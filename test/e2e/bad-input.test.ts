// Bad input (issue 9): a restore FILE in any format (freeze, ranges, or a file it includes) that
// names a project twice, is UTF-16 or binary, holds a control character or --hash, or points at
// a closed URL gets one `pyctl:` line and changes nothing; environment markers are decided for the
// venv's Python and a line left out is named; export into a missing folder is a clear error.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PY, type Result, run, type Sandbox } from "../support/env.ts";
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

/**
 * One content in each restore-file format: a freeze file (`name==version` lines only, restored as
 * an exact set), a requirements file (a range: pip's resolver in staging), and the same lines in
 * a file that a requirements file includes with -r.
 */
const FORMATS = {
  freeze: (lines: string) => lines,
  ranges: (lines: string) => `beta>=1\n${lines}`,
  included: (lines: string) => lines,
} as const;

describe("restore FILE refuses bad files and changes nothing, in every format", () => {
  let sb: Sandbox;
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(sb.dir, name);
    writeFileSync(path, content);
    return path;
  };
  /** The file to restore for `content` in `format`, and the file the complaint should name. */
  const variant = (format: keyof typeof FORMATS, name: string, content: string | Uint8Array): [string, string] => {
    const body = typeof content === "string" ? FORMATS[format](content) : content;
    if (format !== "included") {
      const path = file(`${format}-${name}`, body);
      return [path, path];
    }
    const inner = file(`inner-${name}`, body);
    return [file(`outer-${name}`, `beta>=1\n-r inner-${name}\n`), inner];
  };
  const refused = (path: string): string => {
    let line = "";
    expectNothingChanged(sb, () => {
      line = oneLine(run(sb, ["restore", path]));
    });
    return line;
  };
  const formats = Object.keys(FORMATS) as (keyof typeof FORMATS)[];

  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha==2.0", "beta==2.0"));
  });

  test.each(formats)("a project named twice (%s)", (format) => {
    const [path, named] = variant(format, "twice.txt", "alpha==1.0\nAlpha==1.1\n");
    const top = format === "included" ? path : named;
    const where = format === "included" ? [` (${named}:1)`, ` (${named}:2)`] : ["", ""];
    expect(refused(path)).toBe(`pyctl: ${top} names alpha twice: "alpha==1.0"${where[0]} and "Alpha==1.1"${where[1]}`);
  });

  test.each(formats)("UTF-16, with a byte-order mark or without (%s)", (format) => {
    const text = FORMATS[format]("alpha==1.0\n");
    const [le, leNamed] = variant(
      format,
      "utf16-bom.txt",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
    );
    const [be, beNamed] = variant(format, "utf16-nobom.txt", Buffer.from(text, "utf16le").swap16());
    expect(refused(le)).toBe(`pyctl: ${leNamed} is UTF-16 text; pip and pyctl read requirements files as UTF-8`);
    expect(refused(be)).toBe(`pyctl: ${beNamed} is UTF-16 text; pip and pyctl read requirements files as UTF-8`);
  });

  test.each(formats)("a binary file (%s)", (format) => {
    const wheel = readFileSync(join(sb.dir, "..", "wheels", "alpha-1.0-py3-none-any.whl"));
    const [path, named] = variant(format, "binary.txt", wheel);
    expect(refused(path)).toMatch(new RegExp(`^pyctl: ${named} is not a text file \\(binary data at byte \\d+\\)$`));
  });

  test.each(formats)("a control character is shown escaped, never sent raw to the terminal (%s)", (format) => {
    const [path] = variant(format, "control.txt", "alpha==1.0\nbeta\u001b[2J==1.0\n");
    const line = refused(path);
    expect(line).not.toContain("\u001b");
    expect(line).toContain("a line holds a control character");
    expect(line).toContain("\\x1b[2J");
  });

  test.each(formats)(
    "--hash is refused with a clear line (pyctl's store holds installed files, not archives) (%s)",
    (format) => {
      const [path, named] = variant(
        format,
        "hashes.txt",
        "alpha==1.0 --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
      );
      expect(refused(path)).toBe(
        `pyctl: ${named}: alpha==1.0 has --hash: pyctl restores from its store of installed files and cannot check an archive's hash`,
      );
    },
  );

  test("--require-hashes, and --hash on a range or in a constraints file, are refused too", () => {
    const required = file("require-hashes.txt", "--require-hashes\nalpha==1.0\n");
    expect(refused(required)).toBe(
      `pyctl: ${required}: --require-hashes asks for hash checking: pyctl restores from its store of installed files and cannot check an archive's hash`,
    );
    const range = file("hash-range.txt", "alpha>=1 --hash=sha256:00\n");
    expect(refused(range)).toContain(`pyctl: ${range}: alpha>=1 has --hash:`);
    const pins = file("hash-pins.txt", "alpha<3 --hash=sha256:00\n");
    expect(refused(file("hash-constrained.txt", "alpha\n-c hash-pins.txt\n"))).toContain(
      `pyctl: ${pins}: alpha<3 has --hash:`,
    );
  });

  test.each([
    [
      "freeze",
      "alpha @ http://127.0.0.1:9/alpha-1.0-py3-none-any.whl\nbeta==2.0\n",
      "alpha @ http://127.0.0.1:9/alpha-1.0-py3-none-any.whl",
    ],
    ["ranges", "alpha @ http://127.0.0.1:9/alpha-1.0-py3-none-any.whl\nbeta>=1\n", "host='127.0.0.1', port=9"],
    ["an index", "--index-url http://127.0.0.1:9/simple\nalpha<2\nbeta>=1\n", "http://127.0.0.1:9/simple"],
  ])("a URL that nobody answers (%s): one line, the venv unchanged", (name, text, url) => {
    const path = file(`closed-${name}.txt`, text);
    const before = inventory(sb);
    const r = run(sb, ["restore", path], { env: { PIP_RETRIES: "0", PIP_TIMEOUT: "2" } });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    // pip says why in its own words; pyctl's error is its last line (a notice that pip downloads may precede it).
    const line = r.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("pyctl: ") && !l.startsWith("pyctl: hint:"))
      .at(-1)!;
    expect(line).toContain("is unchanged");
    if (name !== "an index") expect(line).toContain(url);
    else expect(r.stderr).toContain(url);
    expect(inventory(sb)).toEqual(before);
  });

  test("environment markers are decided for the venv's Python, not ignored, and a line left out is named", () => {
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
    const r = ok(run(sb, ["restore", path]));
    expect(inventory(sb).filter((d) => /^(alpha|beta|epsilon)-/.test(d))).toEqual([
      "alpha-1.1.dist-info",
      "beta-1.0.dist-info",
    ]);
    expect(script(sb, "alpha")).toBe("alpha 1.1");
    expect(r.stderr).toContain(
      `pyctl: left out alpha==1.0 ; python_version < "3.0" (${path}:1): its environment marker is false for Python ${PY.version}`,
    );
    expect(r.stderr).toContain(
      `pyctl: left out epsilon==1.0 ; sys_platform == "win32" (${path}:4): its environment marker is false for Python ${PY.version}`,
    );
    ok(run(sb, ["undo"]));
  });

  test("a snapshot's marker lines are decided the same way, and named when left out", () => {
    const snapshots = join(sb.pyctlHome, "snapshots");
    mkdirSync(snapshots, { recursive: true });
    writeFileSync(join(snapshots, "marked.txt"), 'alpha==1.1\nbeta==2.0\nepsilon==1.0 ; sys_platform == "win32"\n');
    const r = ok(run(sb, ["restore", "marked", "--dry-run"]));
    expect(r.stderr).toContain(
      `pyctl: left out epsilon==1.0 ; sys_platform == "win32": its environment marker is false for Python ${PY.version}`,
    );
    expect(r.stdout).not.toContain("epsilon");
  });
});

test("export --output into a missing folder is one clear line", () => {
  const sb = initSandbox();
  const target = join(sb.dir, "no-such-folder", "requirements.txt");
  expect(oneLine(run(sb, ["export", "--output", target]))).toBe(
    `pyctl: cannot write ${target}: the folder ${join(sb.dir, "no-such-folder")} does not exist`,
  );
  expect(existsSync(target)).toBe(false);
});
