// What new users hit (issue 20), with real pip and venvs: pip, setuptools and wheel count as asked
// for only once the user installs them by name; counts read "1 package", "1 operation".
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PY, run, type Sandbox } from "../support/env.ts";
import { titled } from "../support/skip.ts";
import { initSandbox, ok, pip, seeded } from "../support/venv-fixtures.ts";

/** A folder with a pip wheel: the Python under test's ensurepip bundle, or Debian's python-wheels. */
const WHEELS = [
  join(dirname(PY.real), "..", "lib", `python${PY.version}`, "ensurepip", "_bundled"),
  "/usr/share/python-wheels",
].find((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.startsWith("pip-") && f.endsWith(".whl")));
const [hasWheels, BY_NAME] = titled("pip installed by name is asked for", { "a pip wheel to install": !!WHEELS });

interface Row {
  name: string;
  type: string;
}
const types = (sb: Sandbox) =>
  Object.fromEntries((JSON.parse(ok(run(sb, ["list", "--json"])).stdout) as Row[]).map((r) => [r.name, r.type]));

describe("a fresh venv", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
  });

  test("pip (and setuptools before 3.12) that came with the venv are not packages you asked for", () => {
    expect(types(sb)).toEqual(Object.fromEntries(seeded().map((name) => [name, "dependency"])));
    // so the baseline does not name them as asked for either
    const baseline = ok(run(sb, ["list-snapshots", "--json"])).stdout;
    expect(baseline).toContain("baseline");
  });

  test.if(hasWheels)(BY_NAME, () => {
    ok(pip(sb, "install", "-q", "--no-index", "--find-links", WHEELS!, "--force-reinstall", "pip"));
    expect(types(sb).pip).toBe("explicit");
    expect(types(sb).setuptools).toBe(seeded().includes("setuptools") ? "dependency" : undefined);
  });

  test("one operation, one package: singular nouns", () => {
    const fresh = initSandbox();
    ok(pip(fresh, "install", "-q", "alpha==1.0"));
    expect(ok(run(fresh, ["status"])).stdout).toMatch(/; 1 operation recorded\)/);
    writeFileSync(join(fresh.pyctlHome, "snapshots", "one.txt"), "alpha==1.0\n");
    expect(ok(run(fresh, ["list-snapshots"])).stdout).toMatch(/^one\s.*\s1 package$/m);
    fresh.cleanup();
  });
});
