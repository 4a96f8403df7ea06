// What new users hit (issue 20), with real pip and venvs: pip, setuptools and wheel count as asked
// for only once the user installs them by name; counts read "1 package", "1 operation".
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, type Sandbox } from "../support/env.ts";
import { initSandbox, ok, pip } from "../support/venv-fixtures.ts";

const WHEELS = "/usr/share/python-wheels";

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

  test("pip and setuptools that came with the venv are not packages you asked for", () => {
    expect(types(sb)).toEqual({ pip: "dependency", setuptools: "dependency" });
    // so the baseline does not name them as asked for either
    const baseline = ok(run(sb, ["list-snapshots", "--json"])).stdout;
    expect(baseline).toContain("baseline");
  });

  test.skipIf(!existsSync(WHEELS))("pip installed by name is asked for", () => {
    ok(pip(sb, "install", "-q", "--no-index", "--find-links", WHEELS, "--force-reinstall", "pip"));
    expect(types(sb).pip).toBe("explicit");
    expect(types(sb).setuptools).toBe("dependency");
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
