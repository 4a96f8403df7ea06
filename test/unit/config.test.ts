import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig, loadConfig, parseConfigValue, renderConfig } from "../../src/core/base/config.ts";

const dir = mkdtempSync(join(tmpdir(), "pyctl-config-"));
let n = 0;
function file(text: string): string {
  const path = join(dir, `config${n++}.toml`);
  writeFileSync(path, text);
  return path;
}

describe("loadConfig", () => {
  test("a missing file means the defaults (the seed's keys)", async () => {
    const config = await loadConfig(join(dir, "absent.toml"));
    expect(Object.fromEntries(config)).toMatchObject({
      "history.max_entries": 100,
      "history.auto_snapshot": true,
      "history.show_diff_after_install": true,
      "snapshots.auto_baseline": true,
      "ui.color": true,
      "ui.verbose": false,
    });
  });

  test("the rendered defaults read back as the same config", async () => {
    const config = defaultConfig();
    config.set("python.default", "3.12");
    config.set("python.interpreter", '/opt/odd "path"/python3.12');
    expect(await loadConfig(file(renderConfig(config)))).toEqual(config);
  });

  test.each([
    ["[history]\nmax_entries = = 3\n", ":2:"],
    ["[history]\nmax_entries = 0\n", ":2: history.max_entries must be an integer ≥ 1"],
    ['[history]\n\nauto_snapshot = "yes"\n', ":3: history.auto_snapshot must be a boolean"],
    ["[ui]\ncolour = true\n", ":2: unknown key ui.colour"],
    ["history = 3\n", "must be a [history] table"],
  ])("rejects %p naming the file and line", async (text, message) => {
    const path = file(text);
    await expect(loadConfig(path)).rejects.toThrow(`${path}${message.startsWith(":") ? "" : ":"}`);
    await expect(loadConfig(path)).rejects.toThrow(message);
  });
});

test.each([
  ["history.max_entries", "50", 50],
  ["history.auto_snapshot", "false", false],
  ["ui.color", "on", true],
  ["python.default", "3.12", "3.12"],
])("parseConfigValue(%p, %p) = %p", (key, raw, value) => {
  expect(parseConfigValue(key, raw)).toBe(value);
});

test.each([
  ["history.max_entries", "many"],
  ["history.max_entries", "0"],
  ["ui.color", "maybe"],
  ["no.such", "1"],
])("parseConfigValue(%p, %p) is a usage error", (key, raw) => {
  expect(() => parseConfigValue(key, raw)).toThrow(expect.objectContaining({ exitCode: 2 }));
});
