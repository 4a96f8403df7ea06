// A recorded pip write starts pip's python as soon as the lock is held and holds it at a gate
// (core/python/pip-gate.py) while the before-state is read: pip runs only once pyctl says so,
// never if pyctl stops first. A bin/pip that is not a script of the venv's python runs as before.
// bin/pip is written in both forms a script of the venv's python takes: `#!/venv/bin/python3`,
// and distlib's `#!/bin/sh` + `'''exec'` form for a path too long for a shebang.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, type Sandbox } from "../support/env.ts";
import {
  initSandbox,
  inventory,
  lastEntry,
  ok,
  pip,
  sitePackages,
  startPaused,
  venv,
} from "../support/venv-fixtures.ts";

/** bin/pip with the same body, its interpreter named in `form`. */
function writePipScript(sb: Sandbox, form: "shebang" | "distlib"): void {
  const script = join(venv(sb), "bin", "pip");
  const text = readFileSync(script, "utf8");
  const body = text.startsWith("#!/bin/sh\n") ? text.split("\n").slice(3) : text.split("\n").slice(1);
  const python = join(venv(sb), "bin", "python");
  const head = form === "shebang" ? [`#!${python}`] : ["#!/bin/sh", `'''exec' "${python}" "$0" "$@"`, "' '''"];
  writeFileSync(script, [...head, ...body].join("\n"));
}

/** The processes whose parent is `pid`, with their command lines. */
function childrenOf(pid: number): { pid: number; cmdline: string[] }[] {
  let tasks: string;
  try {
    tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8");
  } catch {
    return [];
  }
  return tasks
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .map((child) => ({ pid: child, cmdline: readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0") }));
}

const gone = (pid: number) => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");

async function until(condition: () => boolean): Promise<void> {
  for (const end = Date.now() + 30_000; !condition(); ) {
    if (Date.now() > end) throw new Error("condition not met in 30 s");
    await Bun.sleep(10);
  }
}

describe("pip held at a gate while the before-state is read", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
  });
  afterAll(() => sb.cleanup());

  test("Ctrl-C at the gate: pip never runs, and its python ends quietly (distlib's form)", async () => {
    writePipScript(sb, "distlib");
    const paused = await startPaused(sb, ["pip", "--", "install", "-q", "alpha==1.0"], "claimed");
    const [gated] = childrenOf(paused.pid);
    expect(gated?.cmdline).toContain(join(venv(sb), "bin", "pip"));
    expect(gated?.cmdline[1]).toBe("-c"); // the gate, not pip itself
    for (const pid of [paused.pid, gated!.pid]) process.kill(pid, "SIGINT"); // as a terminal's Ctrl-C reaches both
    const r = await paused.finish();
    expect(r.code).toBe(130);
    expect(r.stderr).not.toContain("Traceback");
    expect(r.stderr).not.toContain("KeyboardInterrupt");
    expect(inventory(sb).some((d) => d.startsWith("alpha-"))).toBe(false);
    expect(gone(gated!.pid)).toBe(true);
    ok(pip(sb, "install", "-q", "delta")); // and through the gate, this form runs pip
    expect(inventory(sb).some((d) => d.startsWith("delta-"))).toBe(true);
  });

  test("pyctl killed at the gate: its python ends without running pip, and the lock is free", async () => {
    writePipScript(sb, "shebang");
    const paused = await startPaused(sb, ["pip", "--", "install", "-q", "alpha==1.0"], "claimed");
    const [gated] = childrenOf(paused.pid);
    expect(gated?.cmdline[1]).toBe("-c");
    process.kill(paused.pid, "SIGKILL"); // pyctl alone: the python keeps the lock until it ends
    await paused.finish();
    await until(() => gone(gated!.pid));
    expect(inventory(sb).some((d) => d.startsWith("alpha-"))).toBe(false);
    const r = ok(pip(sb, "install", "-q", "alpha==1.0"));
    expect(r.stderr).not.toContain("waiting for");
    expect(inventory(sb)).toContain("alpha-1.0.dist-info");
  });

  test("a change made while pip runs is in the after-state, though pip changed nothing", () => {
    // bin/pip as a Python script of the venv's python that writes into site-packages first: gated too.
    const script = join(venv(sb), "bin", "pip");
    const real = join(sb.dir, "pip-real");
    renameSync(script, real);
    const note = join(sitePackages(sb), "written-during-pip.txt");
    const wrapper = [
      `#!${join(venv(sb), "bin", "python")}`,
      "import os, sys",
      `if os.environ.get("WRITE_NOTE"): open(${JSON.stringify(note)}, "w").write("mine\\n")`,
      `sys.argv[0] = ${JSON.stringify(real)}`,
      `exec(compile(open(sys.argv[0]).read(), sys.argv[0], "exec"))`,
      "",
    ];
    writeFileSync(script, wrapper.join("\n"));
    chmodSync(script, 0o755);
    try {
      ok(pip(sb, "install", "-q", "alpha==1.0")); // saves the state with the new bin/pip in it
      // installed already: pip itself writes nothing, and the before-state comes from the saved state
      ok(run(sb, ["pip", "--", "install", "-q", "alpha==1.0"], { env: { WRITE_NOTE: "1" } }));
      const entry = lastEntry(sb) as unknown as { unowned: { path: string }[]; changes: unknown };
      expect(entry.unowned.map((u) => u.path)).toContain(note.slice(venv(sb).length + 1));
    } finally {
      rmSync(note, { force: true });
      renameSync(real, script);
    }
  });

  test("a bin/pip that is not a script of the venv's python runs as it is", () => {
    const script = join(venv(sb), "bin", "pip");
    const real = join(sb.dir, "pip-real");
    renameSync(script, real);
    const ran = join(sb.dir, "shell-wrapper-ran");
    writeFileSync(script, `#!/bin/sh\ntouch '${ran}'\nexec '${real}' "$@"\n`);
    chmodSync(script, 0o755);
    try {
      ok(pip(sb, "install", "-q", "beta==1.0"));
      expect(existsSync(ran)).toBe(true);
      expect(inventory(sb)).toContain("beta-1.0.dist-info");
      expect(JSON.stringify((lastEntry(sb) as unknown as { changes: unknown }).changes)).toContain("beta");
    } finally {
      renameSync(real, script);
    }
  });
});
