// `pyctl config python.default` takes only a version pyctl can resolve (issue 21, item 5): the
// hooks render it, so text that is not a version never gets there, from the command line or
// from a hand-edited config.toml.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PY, run, type Sandbox } from "../support/env.ts";
import { initSandbox } from "../support/venv-fixtures.ts";

describe("python.default", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
  });
  afterAll(() => sb.cleanup());
  const configFile = () => join(sb.pyctlHome, "config.toml");

  const hostile = [`${PY.version}$(touch PWNED)`, `${PY.version}; touch PWNED`, PY.key, "3", "latest", PY.fullVersion];
  test.each(hostile)("refuses %p", (value) => {
    const before = readFileSync(configFile(), "utf8");
    const r = run(sb, ["config", "python.default", value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith(
      `pyctl: python.default takes a Python version such as 3.11, not ${JSON.stringify(value)}`,
    );
    expect(readFileSync(configFile(), "utf8")).toBe(before);
  });

  test("refuses a version with neither an interpreter nor a venv", () => {
    const r = run(sb, ["config", "python.default", "3.99"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith("pyctl: no Python 3.99 found");
    expect(run(sb, ["config", "python.default"]).stdout.trim()).toBe(PY.version);
  });

  test("takes a version pyctl finds", () => {
    expect(run(sb, ["config", "python.default", PY.version]).code).toBe(0);
  });

  test("a hand-edited config.toml's hostile default never reaches a hook", () => {
    const marker = join(sb.dir, "PWNED");
    const text = readFileSync(configFile(), "utf8").replace(/^default = .*$/m, `default = "3.11$(touch ${marker})"`);
    writeFileSync(configFile(), text);
    const doctor = run(sb, ["doctor"]);
    expect(doctor.stdout).toContain("python.default must be a Python version such as 3.11");
    for (const shell of ["bash", "zsh", "fish"]) {
      const hook = run(sb, ["hook", shell]);
      expect(hook.stdout).not.toContain(marker);
      const r = Bun.spawnSync([shell, "-c", shell === "fish" ? "source" : ". /dev/stdin"], {
        stdin: Buffer.from(hook.stdout),
        env: { ...sb.env },
      });
      expect(r.exitCode).toBe(0);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
