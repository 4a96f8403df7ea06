// Credentials in URLs, redacted as pip's redact_auth_from_url does.
import { expect, test } from "bun:test";
import { redactArgs, redactUrls } from "../../src/core/base/redact.ts";

test.each([
  ["https://user:token@host/simple", "https://user:****@host/simple"],
  ["https://token@host/simple", "https://****@host/simple"],
  ["https://host/simple", "https://host/simple"],
  ["--index-url=https://u:p@h.example/simple", "--index-url=https://u:****@h.example/simple"],
  [
    "pkg @ https://me:s3cr3t@files.example/pkg-1.0-py3-none-any.whl",
    "pkg @ https://me:****@files.example/pkg-1.0-py3-none-any.whl",
  ],
  ["git+https://oauth2:ghp_x@github.com/o/r.git@v1#egg=r", "git+https://oauth2:****@github.com/o/r.git@v1#egg=r"],
  ["https://a@b:c@host/", "https://a%40b:****@host/"],
  [
    "pip install -i https://u:p@a/simple --extra-index-url https://t@b/simple x",
    "pip install -i https://u:****@a/simple --extra-index-url https://****@b/simple x",
  ],
  ["requests==2.31.0", "requests==2.31.0"],
  ["user@example.com", "user@example.com"],
])("%s", (input, expected) => {
  expect(redactUrls(input)).toBe(expected);
});

test("redactArgs keeps every other argument as typed", () => {
  expect(redactArgs(["install", "-i", "https://u:p@h/simple", "x==1"])).toEqual([
    "install",
    "-i",
    "https://u:****@h/simple",
    "x==1",
  ]);
});
