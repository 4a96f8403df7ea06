// Every value rendered into a hook is quoted for its shell (issue 21, item 5): hostile text in
// pyctl's path, the default version, the Pythons found and the notice is rendered into each
// shell's hook, which real bash, zsh and fish then source: nothing in it runs, and each variable
// holds the text as given.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { versionKey } from "../../src/core/base/paths.ts";
import { renderHook, type HookFacts, type Shell } from "../../src/shell/hook.ts";

setDefaultTimeout(120_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pyctl-quoting-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each would run `touch` (or expand) if it reached a shell unquoted. */
const HOSTILE = (marker: string) => [
  `3.11$(touch ${marker})`,
  `3.11\`touch ${marker}\``,
  `3.11(touch ${marker})`,
  `3.11'; touch ${marker}; '`,
  `3.11"; touch ${marker}; "`,
  `3.11\\'$(touch ${marker})`,
  `3.11\n touch ${marker}`,
  "3.11 *{a,b}~$HOME",
];

const COMMAND: Record<Shell, string[]> = {
  bash: ["bash", "--norc", "--noprofile", "-c"],
  zsh: ["zsh", "-f", "-c"],
  fish: ["fish", "--no-config", "-c"],
};

/** Prints one fact variable, as the hook left it. */
const show: Record<Shell, (name: string) => string> = {
  bash: (name) => `printf '%s\\n' "$${name}"`,
  zsh: (name) => `printf '%s\\n' "$${name}"`,
  fish: (name) => `printf '%s\\n' $${name}`,
};

describe.each(["bash", "zsh", "fish"] as Shell[])("%s sources a hook full of hostile values", (shell) => {
  test.each(HOSTILE("MARKER").map((_, i) => i))("value %d", (i) => {
    const marker = join(dir, `ran-${shell}-${i}`);
    const value = HOSTILE(marker)[i]!;
    const facts: HookFacts = {
      pyctl: join(dir, value, "pyctl"),
      defaultVersion: value,
      pythons: [{ version: value, path: join(dir, value, "python") }],
      notice: value,
    };
    const hook = join(dir, `hook-${shell}-${i}`);
    writeFileSync(hook, renderHook(shell, facts));
    const names = [
      "_pyctl_bin",
      "_pyctl_default",
      "_pyctl_notice",
      ...(shell === "fish" ? ["_pyctl_default_key"] : []),
    ];
    const script = [`source ${hook}`, ...names.map(show[shell])].join("\n");
    const r = Bun.spawnSync([...COMMAND[shell], script], {
      env: { PATH: "/usr/bin:/bin", HOME: dir, PYCTL_HOME: join(dir, "home") },
    });
    expect(existsSync(marker)).toBe(false);
    const expected = [facts.pyctl, value, value, ...(shell === "fish" ? [versionKey(value)] : [])];
    expect(r.stdout.toString()).toBe(`${expected.join("\n")}\n`);
  });
});
