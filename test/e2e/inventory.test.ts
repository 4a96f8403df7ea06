// The dist-info inventory against real `pip freeze`, line for line, on real venvs.
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freeze, readInventory, sitePackagesOf } from "../../src/core/packages/inventory.ts";
import { fixtures, makeSandbox, PY, pythons, run, type Sandbox, sh } from "../support/env.ts";
import { writeProject } from "../support/project.ts";

interface Case {
  label: string;
  python: string;
  version: string;
}

const found = pythons();
const cases: Case[] = [
  { label: `the Python under test (${PY.fullVersion})`, python: PY.exe, version: PY.version },
  ...["3.9", "3.12"].map((v) =>
    v !== PY.version && found.byVersion.get(v)
      ? { label: `Python ${v}`, python: found.byVersion.get(v)!, version: v }
      : undefined,
  ),
].filter((c): c is Case => c !== undefined);

function pipFreeze(sb: Sandbox, venv: string, ...extra: string[]): string {
  const result = sh([join(venv, "bin", "python"), "-m", "pip", "freeze", ...extra], sb);
  expect(result.code).toBe(0);
  return result.stdout;
}

describe.each(cases)("inventory equals pip freeze: $label", ({ python, version }) => {
  let sb: Sandbox;
  let venv: string;

  beforeAll(async () => {
    const { wheelDir } = await fixtures();
    sb = makeSandbox();
    expect(run(sb, ["init", "--python", python]).code).toBe(0);
    venv = join(sb.pyctlHome, `py${version.replace(".", "")}`, "venv");
    const pip = (...args: string[]) => {
      const r = sh([join(venv, "bin", "python"), "-m", "pip", ...args], sb);
      expect(r.stderr).not.toContain("Traceback");
      expect(r.code).toBe(0);
    };
    pip("install", "-q", "beta==1.0", "Mixed_Case.Name", "delta==1.5");
    const wheel = readdirSync(wheelDir).find((f) => f.startsWith("epsilon-1.0"))!;
    pip("install", "-q", join(wheelDir, wheel)); // PEP 610 archive_info
    pip("install", "-q", writeProject(join(sb.dir, "plain-proj"), "plain-proj", "0.3", "plainmod")); // dir_info
    pip("install", "-q", "-e", writeProject(join(sb.dir, "edit-proj"), "edit-proj", "0.1", "editmod")); // editable
  });

  test("pip freeze", () => {
    const dists = readInventory(sitePackagesOf(venv, version));
    expect(freeze(dists, { pythonVersion: version })).toBe(pipFreeze(sb, venv));
  });

  test("a cached second scan gives the same answer, and notices a change", () => {
    const cache = join(sb.dir, `scan-cache-${version}.json`);
    const site = sitePackagesOf(venv, version);
    const cold = freeze(readInventory(site, cache), { pythonVersion: version, all: true });
    expect(freeze(readInventory(site, cache), { pythonVersion: version, all: true })).toBe(cold);
    expect(sh([join(venv, "bin", "python"), "-m", "pip", "install", "-q", "zeta==1.0"], sb).code).toBe(0);
    expect(freeze(readInventory(site, cache), { pythonVersion: version, all: true })).toBe(
      pipFreeze(sb, venv, "--all"),
    );
  });

  test("pip freeze --all", () => {
    const dists = readInventory(sitePackagesOf(venv, version));
    expect(freeze(dists, { pythonVersion: version, all: true })).toBe(pipFreeze(sb, venv, "--all"));
  });

  test("keeps REQUESTED, INSTALLER and direct_url.json per package", () => {
    const dists = readInventory(sitePackagesOf(venv, version));
    const alpha = dists.find((d) => d.key === "alpha")!;
    const beta = dists.find((d) => d.key === "beta")!;
    expect(beta.requested).toBe(true);
    expect(alpha.requested).toBe(false); // only a dependency of beta
    expect(alpha.installer).toBe("pip");
    expect(dists.find((d) => d.key === "epsilon")!.directUrl?.archive_info).toBeDefined();
    expect(dists.find((d) => d.key === "edit-proj")!.directUrl?.dir_info?.editable).toBe(true);
  });
});

describe("versions that need normalising", () => {
  test("non-normal PEP 440 spellings print as pip prints them, others with ===", () => {
    const sb = makeSandbox();
    expect(run(sb, ["init", "--python", PY.exe]).code).toBe(0);
    const venv = join(sb.pyctlHome, PY.key, "venv");
    const site = sitePackagesOf(venv, PY.version);
    for (const [name, version] of [
      ["odd-pre", "1.0.0-Beta1"],
      ["odd-zero", "01.02"],
      ["odd-legacy", "1.0-foo"],
    ] as const) {
      const info = join(site, `${name.replace("-", "_")}-${version}.dist-info`);
      mkdirSync(info);
      writeFileSync(
        join(info, "METADATA"),
        `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n\nlong description\n`,
      );
      writeFileSync(join(info, "RECORD"), "");
    }
    const ours = freeze(readInventory(site), { pythonVersion: PY.version });
    expect(ours).toContain("odd-pre==1.0.0b1\n");
    expect(ours).toContain("odd-legacy===1.0-foo\n");
    expect(ours).toBe(pipFreeze(sb, venv));
  });
});
