import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  fixtures,
  makeSandbox,
  PY,
  pyctlBin,
  pythons,
  sh,
  startIndex,
  testPython,
  twoVersions,
} from "../support/env.ts";
import { pyenvPython } from "../support/interpreters.ts";

/** A Python whose own pip may install (the Python under test unless it is externally managed). */
const PIP_PYTHON = testPython().externallyManaged ? pyenvPython(PY.version) : PY.real;

describe("fixture wheels and index", () => {
  test("wheels are built once per run", async () => {
    const a = await fixtures();
    const b = await fixtures();
    expect(a).toBe(b);
    const files = readdirSync(a.wheelDir);
    expect(files).toContain("mixed_case_name-1.0-py3-none-any.whl");
    expect(files.filter((f) => f.startsWith("filler")).length).toBe(240);
  });

  test("index lists normalised projects and serves files with hashes", async () => {
    const { index } = await fixtures();
    const root = await (await fetch(`${index.url}/simple/`)).text();
    expect(root).toContain(`href="/simple/mixed-case-name/"`);
    const page = await (await fetch(`${index.url}/simple/alpha/`)).text();
    const links = [...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBe(3);
    expect(links.every((l) => /^\/files\/alpha-.*\.whl#sha256=[0-9a-f]{64}$/.test(l))).toBe(true);
    const file = await fetch(`${index.url}${links[0]!.split("#")[0]}`);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect((await fetch(`${index.url}/simple/nope/`)).status).toBe(404);
    expect((await fetch(`${index.url}/simple/Mixed_Case.Name/`, { redirect: "manual" })).status).toBe(301);
  });

  test("slow projects stall mid-download", async () => {
    const { wheelDir } = await fixtures();
    const index = await startIndex(wheelDir, { slow: ["slowpkg"], delayMs: 400 });
    try {
      const started = performance.now();
      const res = await fetch(`${index.url}/files/slowpkg-1.0-py3-none-any.whl`);
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(350);
      await res.arrayBuffer();
      expect(performance.now() - started).toBeGreaterThanOrEqual(350);
    } finally {
      index.stop();
    }
  });
});

describe("sandbox", () => {
  test("env is built from scratch and leaks no machine pip settings", () => {
    const sb = makeSandbox();
    const pip = Object.keys(sb.env)
      .filter((k) => k.startsWith("PIP_"))
      .sort();
    expect(pip).toEqual([
      "PIP_CACHE_DIR",
      "PIP_CONFIG_FILE",
      "PIP_DISABLE_PIP_VERSION_CHECK",
      "PIP_INDEX_URL",
      "PIP_NO_INPUT",
    ]);
    expect(sb.env.PATH).not.toContain("pyenv");
    expect(sb.env.PYCTL_HOME).toBe(join(sb.home, ".local", "python-packages"));
    const out = sh(["sh", "-c", "command -v pyctl; env"], sb);
    expect(out.stdout.split("\n")[0]).toEndWith("/bin/pyctl");
    expect(out.stdout).not.toContain("PIP_FIND_LINKS");
    sb.cleanup();
    expect(existsSync(sb.dir)).toBe(false);
  });

  test("sandboxes are disposable and run dirs are shared", () => {
    let dir: string;
    {
      using sb = makeSandbox();
      dir = sb.dir;
      expect(dirname(sb.env.XDG_CACHE_HOME!)).toBe(dirname(dir));
    }
    expect(existsSync(dir)).toBe(false);
  });

  test("pyctlBin is an executable", () => {
    expect(existsSync(pyctlBin())).toBe(true);
  });

  test("finds real interpreters only", () => {
    const { byVersion } = pythons();
    for (const exe of byVersion.values()) expect(exe).not.toContain("shims");
    const two = twoVersions();
    if (byVersion.size >= 2) expect(two?.[0].version).not.toBe(two?.[1].version);
  });
});

describe.if(PIP_PYTHON !== undefined)(
  PIP_PYTHON
    ? "hermetic pip"
    : "hermetic pip (skipped: needs a Python under test that is not externally managed, or a pyenv build of its version)",
  () => {
    test("pip downloads from the local index only", () => {
      const sb = makeSandbox();
      const dest = join(sb.dir, "dl");
      const ok = sh([PIP_PYTHON!, "-m", "pip", "download", "alpha==1.1", "--no-deps", "-d", dest], sb);
      expect(ok.code).toBe(0);
      expect(readdirSync(dest)).toEqual(["alpha-1.1-py3-none-any.whl"]);
      // torch only exists in the machine's find-links dir: reaching it would mean config leaked.
      const leak = sh([PIP_PYTHON!, "-m", "pip", "download", "torch", "--no-deps", "-d", dest], sb);
      expect(leak.code).not.toBe(0);
    });

    test("a venv's pip installs fixtures and their console scripts", () => {
      const sb = makeSandbox();
      sb.addPython(PIP_PYTHON!);
      const venv = join(sb.dir, "venv");
      expect(sh([`python${PY.version}`, "-m", "venv", venv], sb).code).toBe(0);
      const pip = sh([join(venv, "bin", "pip"), "install", "beta==2.0", "gamma[fast]"], sb);
      expect(pip.code).toBe(0);
      expect(sh([join(venv, "bin", "alpha")], sb).stdout.trim()).toBe("alpha 2.0");
      const frozen = sh([join(venv, "bin", "pip"), "freeze"], sb).stdout;
      expect(frozen).toContain("delta==1.5");
      expect(frozen).not.toContain("epsilon");
    });

    test("cext builds a working C extension wheel", () => {
      const sb = makeSandbox();
      const out = join(sb.dir, "cext");
      const built = sh([PIP_PYTHON!, join(import.meta.dir, "..", "support", "cext.py"), out], sb);
      expect(built.code).toBe(0);
      const venv = join(sb.dir, "venv");
      sh([PIP_PYTHON!, "-m", "venv", venv], sb);
      const wheel = join(out, readdirSync(out)[0]!);
      expect(wheel).toEndWith(`cext-1.0-cp${PY.key.slice(2)}-cp${PY.key.slice(2)}-linux_x86_64.whl`);
      expect(sh([join(venv, "bin", "pip"), "install", "--no-index", wheel], sb).code).toBe(0);
      const answer = sh([join(venv, "bin", "python"), "-c", "import cext; print(cext.answer())"], sb);
      expect(answer.stdout.trim()).toBe("42");
    });
  },
);
