// `pyctl export`: requirements.txt (pip freeze format) and PEP 751 pylock.toml, current or a snapshot.
import { beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportedOf, pylockDocument, type ExportSource } from "../../src/core/export/export.ts";
import { fixtures, literal, makeSandbox, PY, run, type Sandbox, sh } from "../support/env.ts";

const pip = (sb: Sandbox, ...args: string[]) => run(sb, ["pip", "--", ...args]);
const venvPip = (sb: Sandbox, ...args: string[]) =>
  sh([join(sb.pyctlHome, PY.key, "venv", "bin", "python"), "-m", "pip", ...args], sb);
const withoutComments = (text: string) =>
  text
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.replace(/\s+# explicit$/, ""))
    .join("\n");
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

type Lock = {
  "lock-version": string;
  "created-by": string;
  "requires-python": string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed TOML, checked field by field by the tests
  packages: Record<string, any>[];
  tool: { pyctl: Record<string, unknown> };
};

/** The rules of PEP 751 a single-use lock must follow (the spec's "Required?" and exclusivity lines). */
function checkPylock(lock: Lock): void {
  expect(lock["lock-version"]).toBe("1.0");
  expect(lock["created-by"]).toBe("pyctl");
  for (const p of lock.packages) {
    expect(p.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const sources = ["vcs", "directory", "archive", "sdist", "wheels"].filter((k) => k in p);
    if (sources.some((s) => ["vcs", "directory", "archive"].includes(s))) expect(sources.length).toBe(1);
    if (p.vcs || p.directory) expect(p.version).toBeUndefined();
    for (const file of [...(p.wheels ?? []), ...(p.sdist ? [p.sdist] : []), ...(p.archive ? [p.archive] : [])]) {
      expect(file.url ?? file.path).toBeString();
      expect(Object.keys(file.hashes).length).toBeGreaterThan(0);
    }
  }
}

describe("export", () => {
  let sb: Sandbox;
  let wheelDir: string;
  beforeAll(async () => {
    wheelDir = (await fixtures()).wheelDir;
    sb = makeSandbox();
    expect(run(sb, ["init", "--python", PY.exe]).code).toBe(0);
    expect(
      pip(sb, "install", "-q", "beta==1.0", "Mixed_Case.Name", join(wheelDir, "epsilon-1.0-py3-none-any.whl")).code,
    ).toBe(0);
  });

  test("requirements: pip freeze's lines under a comment header; --output writes the file", () => {
    const r = run(sb, ["export"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^${literal(`# pyctl export of the current state of the Python ${PY.version} venv\n# python: ${PY.fullVersion}\n# date: `)}`,
      ),
    );
    expect(r.stdout).not.toContain(sb.home); // no local path but the one epsilon really came from
    expect(r.stdout).toContain("beta==1.0  # explicit\n");
    expect(withoutComments(r.stdout)).toBe(withoutComments(venvPip(sb, "freeze").stdout));
    expect(r.stdout).toContain("epsilon @ file://");
    const file = join(sb.dir, "reqs.txt");
    const w = run(sb, ["export", "--output", file]);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain(`wrote ${file}: 4 package(s)`);
    expect(withoutComments(readFileSync(file, "utf8"))).toBe(withoutComments(r.stdout));
  });

  test("the requirements file carries the set to another venv", () => {
    const file = join(sb.dir, "carry.txt");
    expect(run(sb, ["export", "--output", file]).code).toBe(0);
    const other = makeSandbox();
    expect(run(other, ["init", "--python", PY.exe]).code).toBe(0);
    expect(pip(other, "install", "-q", "-r", file).code).toBe(0);
    expect(withoutComments(venvPip(other, "freeze").stdout)).toBe(withoutComments(venvPip(sb, "freeze").stdout));
  });

  test("a named snapshot exports its own set, not the current one", () => {
    const snapshots = join(sb.pyctlHome, "snapshots");
    // the fresh venv's own packages (pip, and setuptools before 3.12), which export leaves out
    const baseline = readFileSync(join(snapshots, "baseline.txt"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    writeFileSync(
      join(snapshots, "old.txt"),
      `# pyctl snapshot: old\n# python: ${PY.fullVersion}\n# date: 2026-01-01T00:00:00.000Z\n${["alpha==1.0", ...baseline].join("\n")}\n`,
    );
    const r = run(sb, ["export", "old"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("# pyctl export of snapshot old (2026-01-01T00:00:00.000Z)");
    expect(withoutComments(r.stdout)).toBe("alpha==1.0");
    const missing = run(sb, ["export", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no snapshot named "nope"');
  });

  test("pylock.toml: valid PEP 751 with normalised names, wheel URLs and hashes from the index", () => {
    const file = join(sb.dir, "pylock.toml");
    const r = run(sb, ["export", "--output", file]); // the file name alone selects the format
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lock = Bun.TOML.parse(readFileSync(file, "utf8")) as Lock;
    checkPylock(lock);
    expect(lock["requires-python"]).toBe(`==${PY.version}.*`);
    expect(lock.packages.map((p) => p.name)).toEqual(["alpha", "beta", "epsilon", "mixed-case-name"]);
    const beta = lock.packages[1]!;
    expect(beta).toMatchObject({
      name: "beta",
      version: "1.0",
      index: sb.env.PIP_INDEX_URL,
      dependencies: [{ name: "alpha" }],
    });
    expect(beta.wheels).toHaveLength(1);
    expect(beta.wheels[0].name).toBe("beta-1.0-py3-none-any.whl");
    expect(beta.wheels[0].hashes.sha256).toBe(sha256(join(wheelDir, "beta-1.0-py3-none-any.whl")));
    const epsilon = lock.packages[2]!;
    expect(epsilon.archive.url).toStartWith("file://");
    expect(epsilon.archive.hashes.sha256).toBe(sha256(join(wheelDir, "epsilon-1.0-py3-none-any.whl")));
    expect(lock.tool.pyctl.python).toBe(PY.fullVersion);
  });

  test("pylock with the index unreachable: no file, one line saying why", () => {
    const file = join(sb.dir, "pylock.offline.toml");
    const r = run(sb, ["export", "--format", "pylock", "--output", file], {
      env: { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_RETRIES: "0", PIP_TIMEOUT: "2" },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith(
      "pyctl: cannot write a pylock: no download location known for alpha, beta, Mixed_Case.Name (",
    );
    expect(existsSync(file)).toBe(false);
  });

  test("bad format or a pylock named otherwise", () => {
    expect(run(sb, ["export", "--format", "yaml"]).code).toBe(2);
    const odd = join(sb.dir, "lock.toml");
    const r = run(sb, ["export", "--format", "pylock", "--output", odd]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("PEP 751 wants lock files named pylock.toml");
    expect(existsSync(odd)).toBe(true);
  });
});

describe("pylock sources for direct-URL installs", () => {
  const source = (lines: string[]): ExportSource => ({
    python: "3.12.1",
    description: "test",
    packages: lines.map((l) => exportedOf(l)!),
  });

  test("vcs, directory, editable and hashed archive each become their own table; no version for source trees", () => {
    const { doc, unsourced } = pylockDocument(
      source([
        "pkg-a @ git+https://example.org/a.git@0123abcd#subdirectory=sub",
        "-e git+https://example.org/b.git@feedbeef#egg=pkg_b",
        "pkg-c @ file:///src/pkg-c",
        "pkg-d @ https://example.org/pkg_d-1.0-py3-none-any.whl#sha256=abc123",
        "pkg-e @ https://example.org/pkg_e-1.0.tar.gz",
      ]),
      new Map(),
    );
    const lock = doc as unknown as Lock;
    checkPylock(lock);
    expect(lock["requires-python"]).toBe("==3.12.*");
    expect(lock.packages[0]).toEqual({
      name: "pkg-a",
      vcs: { type: "git", url: "https://example.org/a.git", "commit-id": "0123abcd", subdirectory: "sub" },
    });
    expect(lock.packages[1]).toEqual({
      name: "pkg-b",
      vcs: { type: "git", url: "https://example.org/b.git", "commit-id": "feedbeef" },
    });
    expect(lock.packages[2]).toEqual({ name: "pkg-c", directory: { path: "/src/pkg-c", editable: false } });
    expect(lock.packages[3]).toEqual({
      name: "pkg-d",
      archive: { url: "https://example.org/pkg_d-1.0-py3-none-any.whl", hashes: { sha256: "abc123" } },
    });
    expect(lock.packages[4]).toEqual({ name: "pkg-e" });
    expect(unsourced).toEqual(["pkg-e"]);
  });
});
