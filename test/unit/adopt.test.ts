// adopt's pure parts: which wheels fit a Python minor, how console scripts are re-pointed, RECORD parsing.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { incompatibility, parseRecord } from "../../src/core/packages/adopt-source.ts";
import { rewriteScript } from "../../src/core/operations/adopt.ts";
import type { Dist } from "../../src/core/packages/inventory.ts";
import { PY } from "../support/env.ts";

function distWithTags(dir: string, tags: string[]): Dist {
  const metadataPath = join(dir, `x${Math.random().toString(36).slice(2)}.dist-info`);
  mkdirSync(metadataPath);
  writeFileSync(join(metadataPath, "WHEEL"), `Wheel-Version: 1.0\n${tags.map((t) => `Tag: ${t}\n`).join("")}`);
  return { name: "x", key: "x", version: "1", pep440: true, metadataPath, requested: false, installer: "pip" };
}

describe("incompatibility (for Python 3.11)", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyctl-unit-adopt-"));
  const cases: [string[], string[], boolean][] = [
    [["py3-none-any"], [], true],
    [["py2.py3-none-any"], [], true],
    [["py2-none-any"], [], false],
    [["cp311-cp311-manylinux_2_17_x86_64"], ["m/_c.cpython-311-x86_64-linux-gnu.so"], true],
    [["cp312-cp312-manylinux_2_17_x86_64"], [], false],
    [["cp310-cp310-linux_x86_64"], [], false],
    [["cp38-abi3-linux_x86_64"], ["m/_c.abi3.so"], true],
    [["cp312-abi3-linux_x86_64"], [], false],
    [["py3-none-any"], ["m/_c.cpython-312-x86_64-linux-gnu.so"], false],
    [["pp39-pypy39_pp73-linux_x86_64"], [], false],
  ];
  for (const [tags, files, fits] of cases) {
    test(`${tags.join(",")} ${files.join(",")} -> ${fits ? "fits" : "does not fit"}`, () => {
      expect(incompatibility(distWithTags(dir, tags), files, "3.11") === undefined).toBe(fits);
    });
  }
  test("the reason names the tag or the extension", () => {
    expect(incompatibility(distWithTags(dir, ["cp312-cp312-linux_x86_64"]), [], "3.11")).toBe(
      "built for cp312-cp312-linux_x86_64 (WHEEL), the venv is Python 3.11",
    );
    expect(incompatibility(distWithTags(dir, ["py3-none-any"]), ["/a/_c.cpython-39-x86_64-linux-gnu.so"], "3.11")).toBe(
      "compiled for Python 3.9 (_c.cpython-39-x86_64-linux-gnu.so), the venv is 3.11",
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("rewriteScript", () => {
  const py = `/h/.local/python-packages/${PY.key}/venv/bin/python`;
  const cases: [string, string | undefined][] = [
    ["#!/usr/bin/python3\nimport sys\n", `#!${py}\nimport sys\n`],
    [`#!/usr/bin/python${PY.version}\nx\n`, `#!${py}\nx\n`],
    ["#!/usr/bin/env python3\nx\n", `#!${py}\nx\n`],
    ["#!/home/u/old/bin/python\nx\n", `#!${py}\nx\n`],
    [
      `#!/bin/sh\n'''exec' "/very/long/path/bin/python3" "$0" "$@"\n' '''\nx\n`,
      `#!/bin/sh\n'''exec' "${py}" "$0" "$@"\n' '''\nx\n`,
    ],
    ["#!/bin/bash\necho hi\n", undefined],
    ["no shebang\n", undefined],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input.split("\n")[0]), () => expect(rewriteScript(input, py)).toBe(expected));
  }
});

describe("parseRecord", () => {
  test("plain, quoted (with commas) and unhashed lines", () => {
    const text =
      'a/b.py,sha256=x,10\n"odd,name.py",sha256=y,2\n__pycache__/b.cpython-311.pyc,,\nx-1.dist-info/RECORD,,\n';
    expect(parseRecord(text)).toEqual([
      ["a/b.py", "sha256=x,10"],
      ["odd,name.py", "sha256=y,2"],
      ["__pycache__/b.cpython-311.pyc", ","],
      ["x-1.dist-info/RECORD", ","],
    ]);
  });
});
