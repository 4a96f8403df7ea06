// `pyctl adopt` is one transaction end to end: interrupted at every step (SIGKILL at each pause
// phase, SIGINT inside the removal), each package is whole in the venv and in the user site, or
// whole in the venv and kept for undo; the next recorded operation completes a killed removal
// and sweeps a dead copy; an undo racing adopt waits on the lock until the removal is done; the
// undo of an adopt puts the user site back inside its own transaction (a kill there is completed
// too); a full disk where the copy for undo goes fails the adopt, naming that folder.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, PY, run, type Sandbox, sh } from "../support/env.ts";
import { byteSet, bytecode } from "../support/file-set.ts";
import { isRoot } from "../support/skip.ts";
import { startPaused, startUntil } from "../support/venv-fixtures.ts";

const USER_PIP = [PY.exe, "-m", "pip", "install", "-q", "--user", "--break-system-packages"];

interface Case {
  sb: Sandbox;
  local: string;
  adopted: string;
  /** ~/.local as `pip install --user` left it (pyctl's own folder left out). */
  before: Record<string, string>;
  localNow(): Record<string, string>;
  /** alpha and beta import from the venv alone (the user site off). */
  inVenv(): boolean;
  /** alpha and beta import from the user site alone, with Python under test. */
  inSource(): boolean;
  leftovers(): string[];
}

let sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const sb of sandboxes) sb.cleanup();
  sandboxes = [];
});

function setUp(): Case {
  const sb = makeSandbox();
  sandboxes.push(sb);
  expect(run(sb, ["init", "--python", PY.exe]).code).toBe(0);
  expect(sh([...USER_PIP, "beta==1.0"], sb).code).toBe(0); // alpha comes as its dependency
  const local = join(sb.home, ".local");
  const skip = (rel: string) => rel.startsWith("python-packages") || bytecode(rel);
  const localNow = () => (existsSync(local) ? byteSet(local, { skip }) : {});
  const venvPy = join(sb.pyctlHome, PY.key, "venv", "bin", "python");
  const imports = (py: string, env: Record<string, string>) =>
    sh([py, "-c", "import alpha, beta"], sb, { env: { ...env, PYTHONDONTWRITEBYTECODE: "1" } }).code === 0;
  const adopted = join(sb.pyctlHome, PY.key, "adopted");
  return {
    sb,
    local,
    adopted,
    before: localNow(),
    localNow,
    inVenv: () => imports(venvPy, { PYTHONNOUSERSITE: "1" }),
    inSource: () => imports(PY.exe, {}),
    leftovers: () =>
      [
        ...(existsSync(adopted) ? readdirSync(adopted) : []),
        ...readdirSync(join(sb.pyctlHome, PY.key)).filter((n) => /staging|\.tmp$/.test(n)),
      ].sort(),
  };
}

/** Every file that left ~/.local is in the one kept copy (pyXY/adopted/<id>/files), byte for byte. */
function keptWhole(c: Case): boolean {
  const ids = readdirSync(c.adopted).filter((n) => /^\d+$/.test(n));
  expect(ids).toHaveLength(1);
  const kept = byteSet(join(c.adopted, ids[0]!, "files"), { skip: bytecode });
  const now = c.localNow();
  const gone = Object.keys(c.before).filter((rel) => !rel.endsWith("/") && !(rel in now));
  expect(gone.length).toBeGreaterThan(0);
  return gone.every((rel) => kept[rel] === c.before[rel]);
}

const BEFORE_COMMIT = ["claimed", "staged", "applied", "fetched", "verified"];
const AFTER_COMMIT = ["exchanged", "removing", "acted"];

describe("adopt interrupted at every step", () => {
  for (const phase of [...BEFORE_COMMIT, ...AFTER_COMMIT]) {
    test(`SIGKILL at ${phase}: each package whole in the venv and ~/.local, or in the venv and kept; the next operation completes it`, async () => {
      const c = setUp();
      const paused = await startPaused(c.sb, ["adopt", "--yes"], phase);
      process.kill(paused.pid, "SIGKILL");
      await paused.finish();
      const committed = AFTER_COMMIT.includes(phase);
      expect(c.inVenv()).toBe(committed);
      if (committed && phase !== "exchanged") expect(keptWhole(c)).toBe(true);
      else expect(c.localNow()).toEqual(c.before); // nothing left the user site
      if (!committed) {
        const again = run(c.sb, ["adopt", "--yes"]);
        expect(again.code).toBe(0);
        expect(c.inSource()).toBe(false);
      }
      // The undo (of the killed adopt, or of the one just run) completes what was left, then puts ~/.local back.
      const undone = run(c.sb, ["undo"]);
      expect(undone.code).toBe(0);
      expect(c.inVenv()).toBe(false);
      expect(c.localNow()).toEqual(c.before);
      expect(c.inSource()).toBe(true);
      expect(c.leftovers()).toEqual([]);
    });
  }

  test("SIGINT inside the removal: the removal completes, exit 130, and undo puts ~/.local back", async () => {
    const c = setUp();
    const paused = await startPaused(c.sb, ["adopt", "--yes"], "removing");
    process.kill(paused.pid, "SIGINT");
    const r = await paused.finish();
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted after the switch: .* holds them now; \d+ files removed from ~\/\.local/);
    expect(c.inVenv()).toBe(true);
    expect(c.inSource()).toBe(false);
    expect(Object.keys(c.localNow()).some((rel) => rel.includes("beta"))).toBe(false);
    expect(keptWhole(c)).toBe(true);
    expect(run(c.sb, ["undo"]).code).toBe(0);
    expect(c.localNow()).toEqual(c.before);
    expect(c.leftovers()).toEqual([]);
  });
});

describe("adopt and a second command", () => {
  test("an undo started between adopt's commit and its removal waits on the lock, then puts everything back", async () => {
    const c = setUp();
    const adopt = await startPaused(c.sb, ["adopt", "--yes"], "removing");
    const undo = await startUntil(c.sb, ["undo"], "waiting for pid");
    expect(c.inVenv()).toBe(true); // committed; the undo has not run
    process.kill(adopt.pid, "SIGINT"); // ends the pause; the removal completes before the lock goes
    expect((await adopt.finish()).code).toBe(130);
    const undone = await undo.finish();
    expect(undone.code).toBe(0);
    expect(undone.stderr).toContain("put back");
    expect(c.inVenv()).toBe(false);
    expect(c.localNow()).toEqual(c.before);
    expect(c.inSource()).toBe(true);
    expect(c.leftovers()).toEqual([]);
  });
});

describe("the undo of an adopt", () => {
  test("puts ~/.local back inside its own recorded transaction; SIGKILL in the middle is completed by the next operation", async () => {
    const c = setUp();
    expect(run(c.sb, ["adopt", "--yes"]).code).toBe(0);
    const paused = await startPaused(c.sb, ["undo"], "restoring");
    expect(c.localNow()).not.toEqual(c.before); // the put-back runs while the undo holds the lock
    process.kill(paused.pid, "SIGKILL");
    await paused.finish();
    expect(c.inVenv()).toBe(false);
    // Any recorded operation completes the put-back first.
    expect(run(c.sb, ["pip", "--", "uninstall", "-y", "not-installed"]).code).toBe(0);
    expect(c.localNow()).toEqual(c.before);
    expect(c.inSource()).toBe(true);
    expect(c.leftovers()).toEqual([]);
  });

  test("an undo that finds the venv as wanted still puts ~/.local back, recorded", () => {
    const c = setUp();
    expect(run(c.sb, ["adopt", "--yes"]).code).toBe(0);
    // The packages leave the venv outside pyctl: the venv is already as before the adopt.
    const venvPip = join(c.sb.pyctlHome, PY.key, "venv", "bin", "pip");
    expect(sh([venvPip, "uninstall", "-q", "-y", "alpha", "beta"], c.sb).code).toBe(0);
    const undone = run(c.sb, ["undo"]);
    expect(undone.code).toBe(0);
    expect(undone.stderr).toContain("put back");
    expect(undone.stderr).toMatch(/recorded as #\d+/);
    expect(c.localNow()).toEqual(c.before);
  });
});

describe.skipIf(!isRoot)("adopt with no room for the copy it keeps (needs root to mount a small tmpfs)", () => {
  test("fails before its commit, naming the folder written; the venv and ~/.local unchanged, no temp left", () => {
    const c = setUp();
    mkdirSync(c.adopted, { recursive: true });
    expect(sh(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", c.adopted], c.sb).code).toBe(0);
    try {
      // Fill it so even the first file cannot be copied across file systems.
      sh(["dd", "if=/dev/zero", `of=${join(c.adopted, "fill")}`, "bs=4k", "count=16"], c.sb);
      const r = run(c.sb, ["adopt", "--yes"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no space left on the device (writing in ${c.adopted}/adopting.`);
      expect(r.stderr).toContain("unchanged");
      expect(c.inVenv()).toBe(false);
      expect(c.localNow()).toEqual(c.before);
      expect(readdirSync(c.adopted)).toEqual(["fill"]);
    } finally {
      sh(["umount", c.adopted], c.sb);
    }
  });
});
