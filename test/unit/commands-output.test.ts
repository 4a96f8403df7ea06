// Commands return data or throw; the words around them are ui's. `pyctl: ` is written by ui
// (notice, announce) and by src/cli.ts for errors, never typed by hand in a command.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const COMMANDS = resolve(import.meta.dir, "..", "..", "src", "commands");

test("no command types `pyctl: ` by hand", () => {
  const typed = readdirSync(COMMANDS)
    .filter((f) => f.endsWith(".ts"))
    .flatMap((f) =>
      readFileSync(join(COMMANDS, f), "utf8")
        .split("\n")
        .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
        .filter(({ line }) => /["'`]pyctl: /.test(line)),
    )
    .map(({ where, line }) => `${where}: ${line.trim()}`);
  expect(typed).toEqual([]);
});

test("one wording for waiting and test pauses: only ui/waiting.ts has it", () => {
  const SRC = resolve(COMMANDS, "..");
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );
  const holders = files(SRC).filter((f) => /`waiting for |`test pause at /.test(readFileSync(f, "utf8")));
  expect(holders.map((f) => f.slice(SRC.length + 1))).toEqual(["ui/waiting.ts"]);
});
