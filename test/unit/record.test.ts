import { expect, test } from "bun:test";
import {
  buildKey,
  formatRecordLine,
  parseRecordLine,
  recordDigest,
  recordLineEnd,
} from "../../src/core/python/record.ts";

test.each([
  ["pkg/__init__.py,sha256=abc,12", { path: "pkg/__init__.py", hash: "sha256=abc", size: "12" }],
  ["pkg.dist-info/REQUESTED,,", { path: "pkg.dist-info/REQUESTED", hash: "", size: "" }],
  ['"a,b.py",sha256=x,1', { path: "a,b.py", hash: "sha256=x", size: "1" }],
  ['"say ""hi"".py",sha256=x,1', { path: 'say "hi".py', hash: "sha256=x", size: "1" }],
  ["../../../bin/tool,sha256=y,30", { path: "../../../bin/tool", hash: "sha256=y", size: "30" }],
  ["", undefined],
])("parseRecordLine(%p)", (line, parsed) => {
  expect(parseRecordLine(line)).toEqual(parsed);
  if (parsed) expect(formatRecordLine(parsed)).toBe(line);
});

test("recordDigest is RECORD's: urlsafe base64 sha256 without padding", () => {
  expect(recordDigest("")).toBe("sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
});

test.each([
  ["a,,\r\nb,,\r\n", "\r\n"],
  ["a,,\nb,,\n", "\n"],
  ["", "\r\n"],
])("a RECORD's line end: %p uses %p", (text, end) => {
  expect(recordLineEnd(text)).toBe(end);
});

test("a build key ignores REQUESTED, bytecode and line order, and changes with any file's hash", () => {
  const record = "m.py,sha256=a,1\r\nm-1.0.dist-info/METADATA,sha256=b,2\r\nm-1.0.dist-info/RECORD,,\r\n";
  const key = buildKey(record);
  expect(buildKey(`m-1.0.dist-info/REQUESTED,sha256=e,0\r\n${record}__pycache__/m.pyc,,\r\n`)).toBe(key);
  expect(buildKey(record.split("\r\n").reverse().join("\n"))).toBe(key);
  expect(buildKey(record.replace("sha256=a", "sha256=z"))).not.toBe(key);
});
