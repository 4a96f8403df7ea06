// pyctl apply FILE: --check predicts exactly what apply then does (the same plan), for additions,
// removals with --prune, upgrades, downgrades, ranges pip resolves and a file that cannot hold;
// --json's envelope, --detailed-exitcodes, and a pinned file never leaving a broken venv.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, sh, type Sandbox } from "../support/env.ts";
import {
  expectNothingChanged,
  initSandbox,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  seededFreeze,
  staging,
  venv,
} from "../support/venv-fixtures.ts";

interface Envelope {
  pyctl_result_version: number;
  changed: boolean;
  check: boolean;
  added: string[];
  removed: string[];
  upgraded: { name: string; from: string; to: string }[];
  downgraded: { name: string; from: string; to: string }[];
  errors: { code: string; message: string }[];
}

const DEAD = "http://127.0.0.1:9/simple";

describe("pyctl apply: --check predicts apply", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "kappa==1.0", "zeta==1.0"));
  });
  afterAll(() => sb.cleanup());

  const file = (name: string, text: string) => {
    const path = join(sb.dir, name);
    writeFileSync(path, text);
    return path;
  };
  const apply = (path: string, ...flags: string[]) => {
    const r = run(sb, ["apply", path, "--json", "--detailed-exitcodes", ...flags]);
    return { code: r.code, json: JSON.parse(r.stdout) as Envelope, stderr: r.stderr };
  };
  const summary = (e: Envelope) => ({
    added: e.added,
    removed: e.removed,
    upgraded: e.upgraded,
    downgraded: e.downgraded,
  });

  /** --check, then apply: the prediction is the result, and the venv holds it afterwards. */
  function checkThenApply(path: string, flags: string[], expected: Partial<ReturnType<typeof summary>>) {
    let predicted!: ReturnType<typeof apply>;
    expectNothingChanged(sb, () => {
      predicted = apply(path, "--check", ...flags);
    });
    expect(predicted.code).toBe(2);
    expect(predicted.json).toMatchObject({ pyctl_result_version: 1, changed: true, check: true, errors: [] });
    const done = apply(path, ...flags);
    expect(done.code).toBe(2);
    expect(done.json).toMatchObject({ changed: true, check: false, errors: [] });
    expect(summary(done.json)).toEqual(summary(predicted.json));
    expect(summary(done.json)).toMatchObject(expected);
    expect(lastEntry(sb)).toMatchObject({
      kind: "restore",
      command: `pyctl apply ${path}${flags.join(" ") ? ` ${flags.join(" ")}` : ""}`,
    });
    const again = apply(path, ...flags);
    expect({ code: again.code, changed: again.json.changed }).toEqual({ code: 0, changed: false });
  }

  test("addition: without --prune the rest stays", () => {
    checkThenApply(file("add.txt", "alpha==1.0\n"), [], { added: ["alpha==1.0"], removed: [] });
    expect(pipFreeze(sb)).toContain("kappa==1.0");
  });

  test("removal with --prune: exactly the file plus what it needs", () => {
    checkThenApply(file("prune.txt", "alpha==1.0\nkappa==1.0\n"), ["--prune"], {
      added: [],
      removed: ["eta==1.0", "zeta==1.0"],
    });
    expect(pipFreeze(sb)).toMatch(new RegExp(String.raw`^alpha==1\.0\nkappa==1\.0\n${seededFreeze()}$`));
  });

  test("upgrade and downgrade", () => {
    checkThenApply(file("up.txt", "alpha==2.0\n"), [], { upgraded: [{ name: "alpha", from: "1.0", to: "2.0" }] });
    checkThenApply(file("down.txt", "alpha==1.1\n"), [], { downgraded: [{ name: "alpha", from: "2.0", to: "1.1" }] });
  });

  test("--diff: before and after lines; without --json, the change in words", () => {
    expectNothingChanged(sb, () => {
      const r = run(sb, ["apply", file("diff.txt", "alpha==2.0\n"), "--check", "--diff"]);
      expect(r.code).toBe(0); // without --detailed-exitcodes, a change is no error
      const lines = r.stdout.split("\n");
      expect(lines).toContain("  ↑ alpha 1.1 → 2.0");
      expect(r.stdout).toContain("--- before\n+++ after\n-alpha==1.1\n+alpha==2.0\n");
      expect(r.stdout).toContain("check: nothing changed");
    });
  });

  test("ranges pip resolves, with what they need", () => {
    checkThenApply(file("range.txt", "mu>=2\nbeta\n"), [], { added: ["beta==2.0", "mu==2.0", "nu==2.0"] });
  });

  test("a file that cannot be satisfied: check and apply fail alike, nothing changes", () => {
    const bad = file("conflict.txt", "lamda==1.0\nkappa==2.0\n");
    expectNothingChanged(sb, () => {
      const predicted = apply(bad, "--check");
      const done = apply(bad);
      expect(predicted.code).toBe(1);
      expect(done.code).toBe(1);
      expect(predicted.json.errors[0]!.code).toBe("conflict");
      expect(done.json.errors.map((e) => e.code)).toEqual(predicted.json.errors.map((e) => e.code));
      expect(done.json.changed).toBe(false);
    });
    expect(existsSync(staging(sb))).toBe(false);
  });

  test("a package the index lacks: code unavailable; without --json one line", () => {
    const missing = file("missing.txt", "alpha==1.0\nno-such-package==1.0\n");
    expectNothingChanged(sb, () => {
      expect(apply(missing).json.errors[0]!.code).toBe("unavailable");
      const plain = run(sb, ["apply", missing]);
      expect(plain.code).toBe(1);
      expect(plain.stderr).toMatch(/^pyctl: .*no-such-package.*\[unavailable\]\n/);
    });
  });

  test("a pinned file never leaves a broken venv: a missing dependency is fetched", () => {
    const pinned = file("pinned.txt", "beta==1.0\n");
    ok(run(sb, ["apply", file("no-alpha.txt", "kappa==1.0\n"), "--prune"]));
    checkThenApply(pinned, ["--prune"], { added: ["alpha==2.0", "beta==1.0"], removed: ["kappa==1.0"] });
    ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "check"], sb));
  });
});

describe("help and completion know apply", () => {
  test("--help and `pyctl complete` name the command and every option", () => {
    const sb = initSandbox();
    try {
      const flags = ["--prune", "--check", "--diff", "--json", "--detailed-exitcodes", "--python"];
      const help = ok(run(sb, ["apply", "--help"])).stdout;
      for (const flag of flags) expect(help).toContain(flag);
      expect(ok(run(sb, ["complete", "--", "ap"])).stdout).toContain("apply\t");
      const offered = ok(run(sb, ["complete", "--", "apply", "--"]))
        .stdout.split("\n")
        .map((l) => l.split("\t")[0]);
      expect(offered).toEqual(expect.arrayContaining(flags));
    } finally {
      sb.cleanup();
    }
  });
});

describe("pyctl restore FILE keeps the same guarantee", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
    ok(pip(sb, "install", "-q", "lamda==1.0", "kappa==1.0", "beta==1.0"));
    ok(pip(sb, "install", "-q", "kappa==2.0")); // into the store
    ok(pip(sb, "install", "-q", "kappa==1.0"));
  });
  afterAll(() => sb.cleanup());

  test("a freeze file whose pins conflict or lack a dependency fails and changes nothing", () => {
    for (const [name, text] of [
      ["conflict.txt", "lamda==1.0\nkappa==2.0\n"],
      ["lacking.txt", "beta==1.0\n"],
    ] as const) {
      const path = join(sb.dir, name);
      writeFileSync(path, text);
      const before = pipFreeze(sb);
      const r = run(sb, ["restore", path], { env: { PIP_INDEX_URL: DEAD } });
      expect({ name, code: r.code }).toEqual({ name, code: 1 });
      expect(r.stderr).toContain(
        name === "conflict.txt"
          ? "lamda 1.0 requires kappa<2, not 2.0"
          : "beta 1.0 requires alpha>=1.0 (not installed)",
      );
      expect(pipFreeze(sb)).toBe(before);
    }
  });
});
