// Issue 16, bug 1: root with umask 077 keeps a system-tier venv readable by everyone, whichever
// command rebuilds it (doctor --fix included): the dispatcher sets the tier's umask for every command.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { literal, makeSandbox, PY, pyctlBin, runDir, sh, type Result, type Sandbox } from "../support/env.ts";

const isRoot = process.geteuid?.() === 0;
let sb: Sandbox;
let system: string;

/** Root's shell with umask 077, acting on a system tier in a temp folder. */
const asRootUmask077 = (...args: string[]): Result =>
  sh(["sh", "-c", 'umask 077 && exec "$@"', "sh", pyctlBin(), ...args], sb, {
    env: { PYCTL_TIER: "system", PYCTL_SYSTEM_HOME: system },
  });
const venvModes = () => {
  const venv = join(system, PY.key, "venv");
  const site = join(venv, PY.site);
  return [venv, join(venv, "lib"), site].map((p) => (statSync(p).mode & 0o777).toString(8));
};

beforeAll(() => {
  if (!isRoot) return;
  sb = makeSandbox();
  system = join(mkdtempSync(join(runDir(), "system-")), "system-python");
});
afterAll(() => {
  if (system) rmSync(join(system, ".."), { recursive: true, force: true });
  sb?.cleanup();
});

test.skipIf(!isRoot)(
  "system tier, root's umask 077: doctor --fix rebuilds pip and leaves the venv 755 (needs root)",
  () => {
    const init = asRootUmask077("init", "--python", PY.real);
    expect(init.code).toBe(0);
    expect(venvModes()).toEqual(["755", "755", "755"]);
    const venv = join(system, PY.key, "venv");
    expect(sh([join(venv, "bin", "python"), "-m", "pip", "uninstall", "-q", "-y", "pip"], sb).code).toBe(0);
    const fixed = asRootUmask077("doctor", "--fix");
    expect(fixed.stdout).toMatch(new RegExp(`^fixed +pip:${literal(PY.version)}`, "m"));
    expect(venvModes()).toEqual(["755", "755", "755"]);
  },
);
