// pyctl restore FILE with any requirements file pip takes: ranges, extras, markers, -r/-c
// includes, option lines. Pins the store has come from it; pip resolves the rest in staging.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, type Index, PY, run, type Sandbox, startIndex } from "../support/env.ts";
import {
  expectNothingChanged,
  initSandbox,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  script,
  seededFreeze,
  staging,
} from "../support/venv-fixtures.ts";

const DEAD = "http://127.0.0.1:9/simple";

describe("pyctl restore FILE: any requirements file", () => {
  let sb: Sandbox;
  let index: Index;
  let project: string;
  let req: string;
  beforeAll(async () => {
    sb = initSandbox();
    index = await startIndex((await fixtures()).wheelDir);
    sb.env.PIP_INDEX_URL = `${index.url}/simple`;
    ok(pip(sb, "install", "-q", "alpha==1.0")); // puts alpha 1.0 in the store
    ok(pip(sb, "install", "-q", "alpha==2.0", "kappa==1.0", "zeta==1.0", "epsilon==1.0"));
    project = join(sb.dir, "project");
    mkdirSync(join(project, "more"), { recursive: true });
    req = join(project, "requirements.txt");
    // The index comes only from the file's own --index-url line (pip's environment points nowhere).
    writeFileSync(
      req,
      [
        "# the app's requirements",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: pip's own ${VAR} syntax, expanded from the environment
        "--index-url ${FIXTURE_INDEX}/simple",
        `--trusted-host 127.0.0.1$(touch ${join(sb.dir, "PWNED")})`,
        "kappa>=1.0,<2   # the installed 1.0 stays",
        "mu",
        "gamma[fast]",
        'epsilon ; python_version < "3"',
        "-r more/pinned.txt",
        "-c constraints.txt",
        "",
      ].join("\n"),
    );
    writeFileSync(join(project, "more", "pinned.txt"), 'alpha==1.0 \\\n    ; python_version >= "3"\n');
    writeFileSync(join(project, "constraints.txt"), "nu<2\n");
  });
  afterAll(() => index.stop());
  const env = () => ({ FIXTURE_INDEX: index.url, PIP_INDEX_URL: DEAD });

  test("--dry-run shows what stays, what goes, and what pip would add; changes nothing", () => {
    expectNothingChanged(sb, () => {
      const r = ok(run(sb, ["restore", req, "--dry-run"], { env: env() }));
      const lines = r.stdout.split("\n").map((l) => l.trim());
      expect(lines).toContain("- zeta 1.0");
      expect(lines).toContain("- eta 1.0");
      expect(lines).toContain("- epsilon 1.0"); // its marker is false here, and that is said
      expect(r.stderr).toContain(
        `pyctl: left out epsilon ; python_version < "3" (${req}:7): its environment marker is false for Python ${PY.version}`,
      );
      expect(lines).toContain("↓ alpha 2.0 → 1.0"); // from the store
      expect(lines).toContain("for pip to resolve in staging: mu, gamma[fast]");
      expect(lines).toContain("+ mu 1.0 (from pip)"); // mu 2.0 needs nu>=2, which the constraint forbids
      expect(lines).toContain("+ delta 1.5 (from pip)"); // gamma's [fast] extra
      expect(r.stdout).not.toContain("kappa");
      expect(r.stdout).toContain("dry run: nothing changed");
    });
  });

  test("the venv then holds exactly what the file asks for plus what that needs; one undo reverts it offline", () => {
    const before = pipFreeze(sb);
    const r = ok(run(sb, ["restore", req], { env: env() }));
    expect(r.stderr).toContain("done; recorded as");
    expect(pipFreeze(sb)).toMatch(
      new RegExp(
        String.raw`^alpha==1\.0\nbeta==2\.0\ndelta==1\.5\ngamma==1\.0\nkappa==1\.0\nmu==1\.0\nnu==1\.0\n${seededFreeze()}$`,
      ),
    );
    expect(script(sb, "alpha")).toBe("alpha 1.0");
    expect(existsSync(join(sb.dir, "PWNED"))).toBe(false); // option lines reach pip as arguments, never a shell
    expect(existsSync(staging(sb))).toBe(false);
    expect(lastEntry(sb)).toMatchObject({ kind: "restore", command: `pyctl restore ${req}`, exit_code: 0 });
    const list = JSON.parse(ok(run(sb, ["list", "--json"])).stdout) as { name: string; type: string }[];
    expect(list.filter((p) => p.type === "explicit").map((p) => p.name)).toEqual(
      expect.arrayContaining(["alpha", "gamma", "kappa", "mu"]),
    );

    expect(ok(run(sb, ["restore", req], { env: env() })).stdout).toContain("nothing to change");
    ok(run(sb, ["undo"], { env: { PIP_INDEX_URL: DEAD } }));
    expect(pipFreeze(sb)).toBe(before);
  });

  test("a file pip cannot satisfy changes nothing and says why", () => {
    const bad = join(project, "conflict.txt");
    writeFileSync(bad, "mu>=2\nnu==1.0\n");
    const before = pipFreeze(sb);
    const r = run(sb, ["restore", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pyctl: restore failed");
    expect(r.stderr).toContain("is unchanged");
    expect(pipFreeze(sb)).toBe(before);
    expect(existsSync(staging(sb))).toBe(false);
  });

  test("everything met by the venv and the store: no pip, no network", () => {
    const offline = join(project, "offline.txt");
    writeFileSync(offline, "alpha>=1\nkappa ; sys_platform == 'linux'\nepsilon==1.0\n");
    const r = ok(run(sb, ["restore", offline], { env: { PIP_INDEX_URL: DEAD } }));
    expect(r.stdout).toContain("- zeta 1.0");
    expect(r.stderr).not.toContain("pip install");
    expect(pipFreeze(sb)).toMatch(new RegExp(String.raw`^alpha==2\.0\nepsilon==1\.0\nkappa==1\.0\n${seededFreeze()}$`));
  });

  test("--no-index and a --find-links folder relative to the file reach pip", async () => {
    const wheels = join(project, "wheels");
    mkdirSync(wheels, { recursive: true });
    copyFileSync(join((await fixtures()).wheelDir, "nu-2.0-py3-none-any.whl"), join(wheels, "nu-2.0-py3-none-any.whl"));
    const local = join(project, "local.txt");
    writeFileSync(local, "--no-index\n--find-links wheels\nnu>=2\n");
    const r = ok(run(sb, ["restore", local], { env: { PIP_INDEX_URL: DEAD } }));
    expect(r.stderr).toContain("done; recorded as");
    expect(pipFreeze(sb)).toMatch(new RegExp(String.raw`^nu==2\.0\n${seededFreeze()}$`));
  });

  test("--allow-missing is refused, not ignored: pip installs such a file whole or not at all", () => {
    expectNothingChanged(sb, () => {
      const r = run(sb, ["restore", req, "--allow-missing"], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toStartWith(
        `pyctl: --allow-missing takes a snapshot or a freeze file (name==version lines); pip resolves ${req} as a whole\n`,
      );
    });
  });

  test("bad files are one line naming file and line", () => {
    const cases: [string, string, string][] = [
      ["bad-spec.txt", "alpha>=>1\n", "bad-spec.txt:1: invalid version specifier"],
      [
        "bad-option.txt",
        "--frobnicate\nalpha\n",
        "bad-option.txt:1: pip does not take --frobnicate in a requirements file",
      ],
      [
        "bad-include.txt",
        "-r nowhere.txt\n",
        `cannot read ${join(project, "nowhere.txt")} (included from ${join(project, "bad-include.txt")}:1)`,
      ],
      ["remote-include.txt", "-r https://example.com/r.txt\n", "remote-include.txt:1: restore reads local files only"],
    ];
    for (const [name, text, message] of cases) {
      writeFileSync(join(project, name), text);
      expectNothingChanged(sb, () => {
        const r = run(sb, ["restore", join(project, name)]);
        expect({ name, code: r.code }).toEqual({ name, code: 1 });
        expect(r.stderr).toContain(message);
        expect(r.stderr.trim().split("\n").length).toBe(1);
      });
    }
  });
});
