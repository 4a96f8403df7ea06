// Requirements files read as pip reads them: continuations, comments, ${VAR}, includes, option lines.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isFreezeFile, logicalLines, readRequirementsFile } from "../../src/core/packages/requirements-file.ts";

const dir = mkdtempSync(join(tmpdir(), "pyctl-reqfile-"));
function files(tree: Record<string, string>): string {
  for (const [name, text] of Object.entries(tree)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, Object.keys(tree)[0]!);
}

describe("logicalLines", () => {
  test.each<[string, [number, string][]]>([
    [
      "a\n\n# c\nb  # trailing\n",
      [
        [1, "a"],
        [4, "b"],
      ],
    ],
    [
      "a \\\n  >=1 \\\n ,<2\nb\n",
      [
        [1, "a   >=1  ,<2"],
        [4, "b"],
      ],
    ],
    ["-e git+https://h/r.git#egg=x\n", [[1, "-e git+https://h/r.git#egg=x"]]],
    [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: pip's ${VAR} syntax under test
      "--index-url ${IDX}/simple\nkeep ${UNSET} and $IDX\n",
      [
        [1, "--index-url http://i/simple"],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an unset ${VAR} stays as written
        [2, "keep ${UNSET} and $IDX"],
      ],
    ],
    [
      "x\r\ny\r\n",
      [
        [1, "x"],
        [2, "y"],
      ],
    ],
  ])("%j", (text, expected) => {
    expect(logicalLines(text, { IDX: "http://i" })).toEqual(expected);
  });
});

describe("readRequirementsFile", () => {
  test("requirements, includes relative to their file, constraints, options in pip's spelling", () => {
    const path = files({
      "app/requirements.txt":
        "-i https://idx/simple\n--extra-index-url=https://extra/simple\n-f wheels\n--pre\nrich>=13\ngamma[fast] ; python_version >= '3.8'\n-r base/common.txt\n-c pins.txt\n-e ./src/pkg\n",
      "app/base/common.txt": "alpha==1.0 --hash=sha256:00ff\n--requirement=more.txt\n",
      "app/base/more.txt": "beta\n-r ../requirements.txt\n",
      "app/pins.txt": "nu<2\n",
    });
    const file = readRequirementsFile(path, {});
    expect(file.requirements.map((r) => [r.text, r.line, r.editable, r.requirement?.key, r.hashed])).toEqual([
      ["rich>=13", 5, false, "rich", false],
      ["gamma[fast] ; python_version >= '3.8'", 6, false, "gamma", false],
      ["alpha==1.0", 1, false, "alpha", true],
      ["beta", 1, false, "beta", false],
      ["./src/pkg", 9, true, undefined, false],
    ]);
    expect(file.constraints.map((c) => c.text)).toEqual(["nu<2"]);
    expect(file.options).toEqual([
      "--index-url",
      "https://idx/simple",
      "--extra-index-url",
      "https://extra/simple",
      "--find-links",
      join(dir, "app", "wheels"),
      "--pre",
    ]);
    expect(file.files).toEqual(
      ["requirements.txt", "base/common.txt", "base/more.txt", "pins.txt"].map((f) => join(dir, "app", f)),
    );
    expect(isFreezeFile(file)).toBe(false);
  });

  test.each<[string, boolean]>([
    ["alpha==1.0\nbeta===2.0-custom\nx @ https://h/x-1.0.tar.gz\n-e /src/y\n", true],
    ["alpha==1.0\nbeta>=2\n", false],
    ["alpha==1.*\n", false],
    ["alpha==1.0 ; python_version > '3'\n", false],
    ["--index-url https://i/simple\nalpha==1.0\n", false],
    ["./local.whl\n", false],
  ])("isFreezeFile(%j) = %p", (text, freeze) => {
    expect(isFreezeFile(readRequirementsFile(files({ "freeze.txt": text }), {}))).toBe(freeze);
  });

  test("UTF-8 with a BOM reads; UTF-16 and binary files, included ones too, are one clear error", () => {
    expect(readRequirementsFile(files({ "bom.txt": "\uFEFFalpha>=1\n" }), {}).requirements.map((r) => r.text)).toEqual([
      "alpha>=1",
    ]);
    const utf16 = join(dir, "utf16.txt");
    writeFileSync(utf16, Buffer.from("\uFEFFalpha>=1\n", "utf16le"));
    expect(() => readRequirementsFile(utf16, {})).toThrow(
      `${utf16} is UTF-16 text; pip and pyctl read requirements files as UTF-8`,
    );
    const binary = join(dir, "binary.txt");
    writeFileSync(binary, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]));
    expect(() => readRequirementsFile(files({ "incl-bin.txt": "alpha>=1\n-r binary.txt\n" }), {})).toThrow(
      `${binary} is not a text file (binary data at byte 4)`,
    );
  });

  test("a control character anywhere, in an included file too, is refused and shown escaped", () => {
    files({ "ctl/inner.txt": "alpha>=1\nbe\u001b[2Jta\n" });
    const path = files({ "ctl/top.txt": "-r inner.txt\n" });
    expect(() => readRequirementsFile(path, {})).toThrow(
      `${join(dir, "ctl", "inner.txt")}:2: a line holds a control character: be\\x1b[2Jta`,
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: pip's own ${VAR} syntax
    expect(() => readRequirementsFile(files({ "ctl/env.txt": "${EVIL}\n" }), { EVIL: "x\u0007" })).toThrow(
      "a line holds a control character: x\\x07",
    );
  });

  test.each<[string, string]>([
    ["alpha>=>1\n", "bad.txt:1: invalid version specifier"],
    ["\n--frob\n", "bad.txt:2: pip does not take --frob in a requirements file"],
    ["-r\n", "bad.txt:1: -r needs a file"],
    ["--index-url\n", "bad.txt:1: --index-url needs a value"],
    ["-r https://h/r.txt\n", "bad.txt:1: restore reads local files only, not https://h/r.txt"],
  ])("%j is refused: %s", (text, message) => {
    const path = files({ "bad.txt": text });
    expect(() => readRequirementsFile(path, {})).toThrow(
      `${join(dir, "bad.txt")}:${message.split(":").slice(1).join(":")}`,
    );
  });
});
