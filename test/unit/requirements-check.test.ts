// restore FILE's checks: encodings, control characters, --hash, markers and duplicates.
import { expect, test } from "bun:test";
import { applicableLines, decodeRequirementsText, printable } from "../../src/core/packages/requirements-check.ts";
import { markerEnvironment } from "../../src/core/packages/requirements.ts";

const env = markerEnvironment("3.11.2");

test.each([
  ["UTF-8 with a BOM", Buffer.from("\ufeffalpha==1.0\n"), "alpha==1.0\n"],
  ["plain UTF-8", Buffer.from("alpha==1.0\n"), "alpha==1.0\n"],
])("decodes %s", (_, bytes, text) => {
  expect(decodeRequirementsText("f", bytes)).toBe(text);
});

test.each([
  ["UTF-16LE with a BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("alpha==1.0\n", "utf16le")]), "f is UTF-16 text"],
  ["UTF-16LE without a BOM", Buffer.from("alpha==1.0\n", "utf16le"), "f is UTF-16 text"],
  ["binary", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]), "f is not a text file (binary data at byte 5)"],
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
