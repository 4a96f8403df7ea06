// restore FILE's checks: encodings, control characters, --hash, markers and duplicates.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  applicableLines,
  checkRequirementsFile,
  decodeRequirementsText,
  printable,
} from "../../src/core/packages/requirements-check.ts";
import { readRequirementsFile } from "../../src/core/packages/requirements-file.ts";
import { markerEnvironment } from "../../src/core/packages/requirements.ts";

const env = markerEnvironment("3.11.2");

test.each([
  ["UTF-8 with a BOM", Buffer.from("\ufeffalpha==1.0\n"), "alpha==1.0\n"],
  ["plain UTF-8", Buffer.from("alpha==1.0\n"), "alpha==1.0\n"],
])("decodes %s", (_, bytes, text) => {
  expect(decodeRequirementsText("f", bytes)).toBe(text);
});

test.each([
  [
    "UTF-16LE with a BOM",
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("alpha==1.0\n", "utf16le")]),
    "f is UTF-16 text",
  ],
  ["UTF-16LE without a BOM", Buffer.from("alpha==1.0\n", "utf16le"), "f is UTF-16 text"],
  [
    "binary",
    Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]),
    "f is not a text file (binary data at byte 5)",
  ],
  ["Latin-1", Buffer.from([0x61, 0xe9, 0x3d, 0x3d, 0x31]), "f is not UTF-8 text"],
])("refuses %s", (_, bytes, message) => {
  expect(() => decodeRequirementsText("f", bytes)).toThrow(message);
});

test.each([
  [["alpha==1.0 ; python_version < '3.0'", "alpha==1.1 ; python_version >= '3.0'"], ["alpha==1.1"]],
  [["beta==1.0; sys_platform == 'linux'", "epsilon==1.0 ; sys_platform == 'win32'"], ["beta==1.0"]],
  [["pkg @ https://h/pkg-1.0-py3-none-any.whl ; python_version >= '3'"], ["pkg @ https://h/pkg-1.0-py3-none-any.whl"]],
  [["pkg @ https://h/a;b/pkg-1.0-py3-none-any.whl"], ["pkg @ https://h/a;b/pkg-1.0-py3-none-any.whl"]],
  [
    ["-e /src/proj#egg=proj", "other==1.0"],
    ["-e /src/proj#egg=proj", "other==1.0"],
  ],
])("applicableLines(%p)", (lines, kept) => {
  expect(applicableLines("f", lines, env)).toEqual(kept);
});

test.each([
  [["alpha==1.0", "Alpha==2.0"], 'f names alpha twice: "alpha==1.0" and "Alpha==2.0"'],
  [["a_b==1.0", "a-b @ https://h/a_b-1.0-py3-none-any.whl"], "f names a-b twice"],
  [["alpha==1.0 --hash=sha256:00"], "f: alpha==1.0 has --hash"],
  [["alpha==1.0 \\", "    --hash sha256:00"], "has --hash"],
  [["al\u001bpha==1.0"], "f: a line holds a control character: al\\x1bpha==1.0"],
])("refuses %p", (lines, message) => {
  expect(() => applicableLines("f", lines, env)).toThrow(message);
});

test("printable escapes control characters only", () => {
  expect(printable("a\u001b[2J\u0007b\tc é")).toBe("a\\x1b[2J\\x07b\tc é");
});

test("applicableLines names each line it leaves out for its marker", () => {
  const skipped: string[] = [];
  applicableLines("f", ["alpha==1.0 ; python_version < '3.0'", "beta==1.0"], env, (line) => skipped.push(line));
  expect(skipped).toEqual(["alpha==1.0 ; python_version < '3.0'"]);
});

describe("checkRequirementsFile: every format, included files too", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyctl-reqcheck-"));
  const read = (tree: Record<string, string>) => {
    for (const [name, text] of Object.entries(tree)) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return readRequirementsFile(join(dir, Object.keys(tree)[0]!), {});
  };

  test.each<[string, Record<string, string>, string]>([
    [
      "--hash on a range",
      { "a.txt": "alpha>=1 --hash=sha256:00\n" },
      "a.txt: alpha>=1 has --hash: pyctl restores from its store of installed files",
    ],
    [
      "--hash in an included file",
      { "b.txt": "beta>=1\n-r b2.txt\n", "b2.txt": "alpha==1.0 \\\n  --hash sha256:00\n" },
      "b2.txt: alpha==1.0 has --hash",
    ],
    [
      "--hash in a constraints file",
      { "c.txt": "beta\n-c c2.txt\n", "c2.txt": "alpha<2 --hash=sha256:00\n" },
      "c2.txt: alpha<2 has --hash",
    ],
    [
      "--require-hashes",
      { "d.txt": "--require-hashes\nbeta\n" },
      "d.txt: --require-hashes asks for hash checking: pyctl restores",
    ],
    [
      "a project twice, ranges",
      { "e.txt": "alpha>=1\nbeta\nAlpha<3\n" },
      'e.txt names alpha twice: "alpha>=1" and "Alpha<3"',
    ],
    [
      "a project twice, extras",
      { "f.txt": "gamma\ngamma[fast]\n" },
      'f.txt names gamma twice: "gamma" and "gamma[fast]"',
    ],
    [
      "a project twice, across files",
      { "g.txt": "alpha>=1\n-r g2.txt\n", "g2.txt": "alpha==1.0\n" },
      `g.txt names alpha twice: "alpha>=1" (${join(dir, "g.txt")}:1) and "alpha==1.0" (${join(dir, "g2.txt")}:1)`,
    ],
  ])("refuses %s", (_, tree, message) => {
    const file = read(tree);
    expect(() => checkRequirementsFile(file, env)).toThrow(message);
  });

  test("lines whose marker is false are returned, not counted as a second naming", () => {
    const file = read({
      "m.txt":
        "alpha>=1 ; python_version < '3'\nalpha>=2 ; python_version >= '3'\nbeta ; sys_platform == 'win32'\nnu\n",
    });
    expect(checkRequirementsFile(file, env).map((l) => [l.text, l.line])).toEqual([
      ["alpha>=1 ; python_version < '3'", 1],
      ["beta ; sys_platform == 'win32'", 3],
    ]);
  });

  test("constraints may name a project the requirements name", () => {
    expect(
      checkRequirementsFile(read({ "n.txt": "alpha\n-c n2.txt\n", "n2.txt": "alpha<2\nalpha!=1.5\n" }), env),
    ).toEqual([]);
  });
});
