// A transaction's own background deletion is never a problem (issue 21, item 6): while the
// detached rm of `venv.trash.<pid>` runs (36 s on a 30,000-file venv), doctor does not call it a
// leftover, the next write neither waits for it nor touches it, and `doctor --fix` right after a
// successful repair exits 0. A trash whose deleting process is gone is still a leftover.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { PY, run, type Sandbox, sh } from "../support/env.ts";
import { initSandbox, ok, pip, versionDir } from "../support/venv-fixtures.ts";

const trashes = (sb: Sandbox) => readdirSync(versionDir(sb)).filter((n) => n.startsWith("venv.trash."));

interface Check {
  id: string;
  ok: boolean;
  message: string;
}

describe("a replaced venv still being deleted", () => {
  let sb: Sandbox;
  /** Our end of the FIFO the held rm reads: held open, so a line written before the rm starts waits for it. */
  let gate: number;
  const release = () => writeSync(gate, "go\n");
  let env: Record<string, string>;
  const venv = () => join(versionDir(sb), "venv");
  /** As if run from a shell with the hook loaded and the rc block written, so the shell checks pass. */
  const doctor = (...args: string[]) => {
    const r = run(sb, ["doctor", "--json", ...args], { env });
    return { code: r.code, report: JSON.parse(r.stdout) as { ok: boolean; checks: Check[] } };
  };
  const waitGone = async () => {
    for (let i = 0; i < 1200 && trashes(sb).length; i++) await Bun.sleep(50);
    expect(trashes(sb)).toEqual([]);
  };

  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "alpha"));
    // An rm that blocks on a FIFO until the test writes a line: the deletion is under way for as
    // long as needed, and nothing polls.
    const shims = join(sb.dir, "held-rm");
    const fifo = join(sb.dir, "release");
    mkdirSync(shims);
    ok(sh(["mkfifo", fifo], sb));
    gate = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK); // O_RDWR: never blocks on a FIFO
    writeFileSync(join(shims, "rm"), `#!/bin/sh\nexec 3<>${fifo}\nread -r _ <&3\nexec /bin/rm "$@"\n`);
    chmodSync(join(shims, "rm"), 0o755);
    env = {
      PATH: `${shims}:${venv()}/bin:${sb.env.PATH}`,
      PYCTL_HOOK_PID: String(process.pid),
      PYCTL_HOOK_SHELL: "bash",
      SHELL: "/bin/bash",
    };
    ok(run(sb, ["setup-shell"], { env }));
  });
  afterAll(() => {
    for (let i = 0; i < 8; i++) release(); // any rm still held (a failed test) goes on and ends
    closeSync(gate);
    sb.cleanup();
  });

  test("doctor does not report it, and the next write neither waits for it nor removes it", async () => {
    ok(run(sb, ["undo"], { env }));
    const [trash] = trashes(sb);
    expect(trash).toBeDefined();
    const { code, report } = doctor();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(code).toBe(0);
    expect(report.checks.find((c) => c.id === `staging:${PY.version}`)?.message).toContain(trash!);
    ok(pip(sb, "uninstall", "-y", "not-installed-anywhere")); // returns although the rm is held
    expect(trashes(sb)).toEqual([trash!]);
    release();
    await waitGone();
  });

  test("doctor --fix right after a successful repair exits 0", async () => {
    rmSync(join(venv(), "bin", "python"));
    const r = run(sb, ["doctor", "--fix"], { env });
    expect(`${r.code}\n${r.stdout}`).toBe(`0\n${r.stdout}`);
    expect(r.stdout).toContain("no problems found");
    expect(trashes(sb).length).toBe(1); // its own deletion, still under way
    release();
    await waitGone();
  });

  test("a trash whose deleting process is gone is a leftover, and the next write removes it", () => {
    const dead = Bun.spawnSync(["true"]).pid;
    const trash = join(versionDir(sb), `venv.trash.${dead}`);
    mkdirSync(join(trash, "lib"), { recursive: true });
    const staging = doctor().report.checks.find((c) => c.id === `staging:${PY.version}`);
    expect(staging).toMatchObject({ ok: false });
    expect(staging!.message).toContain(trash);
    ok(pip(sb, "uninstall", "-y", "not-installed-anywhere"));
    expect(existsSync(trash)).toBe(false);
  });
});
