// `pyctl doctor` names what old `pip install --user` copies shadow: a venv console script that
// PATH resolves to ~/.local/bin (which file, which PATH entry before which) and the user site's
// packages; after `pyctl adopt` both are ok.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, PY, run, type Sandbox, sh } from "../support/env.ts";

interface Check {
  id: string;
  ok: boolean;
  message: string;
  fix?: string;
}

/** The Python under test, which also makes the user-site packages these tests find. */
const PYTHON = PY.exe;

describe.if(existsSync(PYTHON))("doctor: shadowing by the user site", () => {
  let sb: Sandbox;
  let venvBin: string;
  let localBin: string;
  const checks = (path: string): Record<string, Check> => {
    const r = run(sb, ["doctor", "--json"], { env: { PATH: path } });
    const report = JSON.parse(r.stdout) as { checks: Check[] };
    return Object.fromEntries(report.checks.map((c) => [c.id, c]));
  };

  beforeAll(() => {
    sb = makeSandbox();
    venvBin = join(sb.pyctlHome, PY.key, "venv", "bin");
    localBin = join(sb.home, ".local", "bin");
    expect(run(sb, ["init", "--python", PYTHON]).code).toBe(0);
    expect(run(sb, ["pip", "--", "install", "-q", "alpha==2.0"]).code).toBe(0);
    // The PEP 668 workaround, for real, by Debian's own interpreter and pip.
    const user = sh(
      [PYTHON, "-m", "pip", "install", "-q", "--user", "--break-system-packages", "alpha==1.0", "epsilon==1.0"],
      sb,
    );
    expect(user.code).toBe(0);
    expect(existsSync(join(localBin, "alpha"))).toBe(true);
  });
  afterAll(() => sb.cleanup());

  test("~/.local/bin before the venv: the script that wins, its PATH entry and the venv's are named", () => {
    const early = join(sb.dir, "early");
    mkdirSync(early, { recursive: true });
    writeFileSync(join(early, "pip3"), "#!/bin/sh\necho not pip\n", { mode: 0o755 });
    const found = checks(`${early}:${localBin}:${venvBin}:${sb.env.PATH}`);
    const shadow = found[`shadowing:${PY.version}`]!;
    expect(shadow.ok).toBe(false);
    expect(shadow.message).toBe(
      `alpha runs ${localBin}/alpha, not the venv's: PATH entry 2 (${localBin}) comes before entry 3 (${venvBin}); ` +
        `pip3 runs ${early}/pip3, not the venv's: PATH entry 1 (${early}) comes before entry 3 (${venvBin})`,
    );
    expect(shadow.fix).toBe(
      `\`pyctl adopt\` moves what \`pip install --user\` left into the venv and removes its scripts from ${localBin} (undoable); ` +
        `remove ${early}/pip3 if you no longer need them, or put ${venvBin} first on PATH (a new shell with the pyctl hook does)`,
    );
    rmSync(early, { recursive: true, force: true });
    const site = found[`user-site:${PY.version}`]!;
    expect(site.ok).toBe(false);
    expect(site.message).toContain(`${sb.home}/.local/lib/python${PY.version}/site-packages holds 2 package(s)`);
    expect(site.message).toContain("alpha 1.0, epsilon 1.0");
  });

  test("the venv first: no shadowing, the user site still reported; PYTHONUSERBASE is honoured", () => {
    const found = checks(`${venvBin}:${localBin}:${sb.env.PATH}`);
    expect(found[`shadowing:${PY.version}`]!.ok).toBe(true);
    expect(found[`user-site:${PY.version}`]!.ok).toBe(false);
    const elsewhere = run(sb, ["doctor", "--json"], {
      env: { PATH: `${venvBin}:${sb.env.PATH}`, PYTHONUSERBASE: join(sb.dir, "nowhere") },
    });
    const ids = (JSON.parse(elsewhere.stdout) as { checks: Check[] }).checks.map((c) => c.id);
    expect(ids).not.toContain(`user-site:${PY.version}`);
  });

  test("after `pyctl adopt`: nothing shadows and the user site is empty", () => {
    const path = `${localBin}:${venvBin}:${sb.env.PATH}`;
    const adopted = run(sb, ["adopt", "--yes"], { env: { PATH: path } });
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toContain("! alpha: the venv's 2.0 wins over the user site's 1.0");
    const found = checks(path);
    expect(found[`shadowing:${PY.version}`]!.ok).toBe(true);
    expect(found[`user-site:${PY.version}`]?.ok ?? true).toBe(true);
    expect(existsSync(join(localBin, "alpha"))).toBe(false);
  });
});
