/**
 * The first-hour papercuts of issue 10, in real interactive shells on a pty: zsh completion
 * without compinit, the command cache after a pip write in a pipeline, pip's output before
 * pyctl's, and the command recorded as typed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PY, run } from "../support/env.ts";
import { hookEnv, type HookEnv } from "./hook-env.ts";
import { Session, waitFor, type ShellName } from "./tty.ts";

describe("zsh without compinit", () => {
  let env: HookEnv;
  let s: Session;

  beforeAll(async () => {
    env = hookEnv();
    expect(run(env.sb, ["init"]).code).toBe(0);
    expect(run(env.sb, ["setup-shell"]).code).toBe(0);
    // Debian's /etc/zsh/zshrc runs no compinit; the user's .zshrc is only what setup-shell wrote.
    s = new Session("zsh", { env: env.sb.env, rc: `source ${join(env.sb.home, ".zshrc")}`, parent: env.sb.dir });
    await s.ready();
  });

  afterAll(() => {
    s?.close();
    env?.sb.cleanup();
  });

  test("starts without the completion system, and the first TAB loads it and completes pyctl's words", async () => {
    const compdefLoaded = "print $" + "{+functions[compdef]}"; // zsh syntax, not a template
    expect((await s.run(compdefLoaded)).out).toBe("0\n");
    s.send("pyctl hi");
    s.keys("Tab");
    let screen = "";
    await waitFor(
      () => {
        screen = s.screen();
        return /\$ pyctl history\s*$/m.test(screen);
      },
      15_000,
      () => `after TAB:\n${screen}`,
    );
    s.keys("C-u");
    expect((await s.run(compdefLoaded)).out).toBe("1\n");
  });
});

describe.each(["bash", "zsh", "fish"] as ShellName[])("%s with the hook", (shell) => {
  let env: HookEnv;
  let s: Session;

  beforeAll(async () => {
    env = hookEnv();
    expect(run(env.sb, ["init"]).code).toBe(0);
    // A stand-in `alpha` later on PATH, which bash and zsh remember once run.
    writeFileSync(join(env.sb.bin, "alpha"), "#!/bin/sh\necho stand-in alpha\n");
    chmodSync(join(env.sb.bin, "alpha"), 0o755);
    // `sink`: a reader that is a shell function, as Debian's fish makes `grep` one.
    const sink = shell === "fish" ? "function sink; cat; end" : "sink() { cat; }";
    s = new Session(shell, { env: env.sb.env, rc: `source ${env.hookFile(shell)}\n${sink}`, parent: env.sb.dir });
    await s.ready();
  });

  afterAll(() => {
    s?.close();
    env?.sb.cleanup();
  });

  test("a pip write in a pipeline: the script it installed runs by name at the next prompt", async () => {
    expect((await s.run("alpha")).out).toBe("stand-in alpha\n");
    expect((await s.run("pip install alpha==1.0 | tail -1")).code).toBe(0);
    expect((await s.run("alpha")).out).toBe("alpha 1.0\n");
  });

  // A function as the reader is what fish buffers for: it holds the pip function's stdout back until
  // that returns, while `2>&1` sends its stderr on at once.
  const sinks = ["2>&1 | cat", "2>&1 | sink", ...(shell === "fish" ? ["&| sink"] : [])];
  test.each(sinks.map((pipe, i) => [pipe, `filler00${i}`]))(
    "pip's output, then pyctl's, when both go to one pipe (pip install … %s)",
    async (pipe, pkg) => {
      const { out, code } = await s.run(`pip install ${pkg}==1.0 ${pipe}`);
      const lines = out.split("\n");
      const pip = lines.findIndex((l) => l.startsWith(`Successfully installed ${pkg}-1.0`));
      const ours = lines.indexOf(`+ ${pkg} 1.0`);
      expect({ code, pip: pip >= 0, ours: ours >= 0, order: pip < ours }).toEqual({
        code: 0,
        pip: true,
        ours: true,
        order: true,
      });
    },
  );

  test("a failing pip write in such a pipeline: its status is pip's", async () => {
    const first = shell === "bash" ? "$" + "{PIPESTATUS[0]}" : "$pipestatus[1]"; // shell syntax, not a template
    const { out } = await s.run(`pip install nosuch==1.0 2>&1 | sink; echo "status ${first}"`);
    expect(out).toContain("No matching distribution found for nosuch==1.0");
    expect(out.trimEnd().split("\n").at(-1)).toBe("status 1");
  });

  test("a pipe its reader closes early (| head -c 1): history says what pip did, and undo reverses it", async () => {
    const before = (await s.run("pip freeze --all")).out;
    await s.run("pip install epsilon==1.0 | head -c 1");
    // pip may stop at its first write into the closed pipe, before or after it changed the venv
    const now = (await s.run("pip freeze --all")).out;
    const last = env.history(PY.version)[0]!;
    expect(last.command).toBe("pip install epsilon==1.0");
    expect((last.changes?.added ?? []).includes("epsilon==1.0")).toBe(now.includes("epsilon==1.0"));
    if (now !== before) {
      expect((await s.run("pyctl undo")).code).toBe(0);
      expect((await s.run("pip freeze --all")).out).toBe(before);
    }
  });

  test("history records the command as typed, --user too; pip runs without it", async () => {
    const typed = await s.run("pip install --user -q delta==1.0");
    expect(typed.out).toContain("ignoring --user");
    const last = env.history(PY.version)[0]!;
    expect(last.command).toBe("pip install --user -q delta==1.0");
    expect(env.calls().at(-1)).toEqual([
      "pip",
      "--python",
      PY.version,
      "--as",
      "pip",
      "--",
      "install",
      "--user",
      "-q",
      "delta==1.0",
    ]);
  });
});
