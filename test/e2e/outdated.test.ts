// pyctl outdated: the index pip is configured to use, pip's rules for which versions count, and
// whether the latest fits what the other installed packages require. Checked against pip itself.
import { beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, PY, run, type Sandbox, sh } from "../support/env.ts";
import { initSandbox, ok, pip, venv, versionDir } from "../support/venv-fixtures.ts";

interface Row {
  name: string;
  installed: string;
  latest: string;
  type: string;
  fits: boolean;
  blocked_by: { from: string; version: string; requirement: string }[];
}

function outdated(sb: Sandbox, args: string[] = [], env: Record<string, string | undefined> = {}): Row[] {
  return JSON.parse(ok(run(sb, ["outdated", "--json", ...args], { env })).stdout);
}

describe("pyctl outdated", () => {
  let sb: Sandbox;
  let indexUrl: string;
  beforeAll(async () => {
    sb = initSandbox();
    indexUrl = (await fixtures()).index.url;
    // kappa 1.0 is held below 2 by lamda; nu 1.0 is a dependency held below 2 by mu 1.0; xi is a pre-release.
    ok(pip(sb, "install", "-q", "kappa==1.0", "lamda==1.0", "mu==1.0", "xi==1.0b1", "epsilon==1.0"));
  });

  test("explicit packages with a newer version: yanked, other-Python and unmet Requires-Python files skipped", () => {
    const rows = outdated(sb);
    expect(rows).toEqual([
      {
        name: "kappa",
        installed: "1.0",
        latest: "2.0",
        type: "explicit",
        fits: false,
        blocked_by: [{ from: "lamda", version: "1.0", requirement: "kappa<2" }],
      },
      { name: "mu", installed: "1.0", latest: "2.0", type: "explicit", fits: true, blocked_by: [] },
      // installed from a pre-release, so pre-releases count for it (and only for it: kappa 2.1rc1 does not)
      { name: "xi", installed: "1.0b1", latest: "1.0b2", type: "explicit", fits: true, blocked_by: [] },
    ]);
    const table = ok(run(sb, ["outdated"])).stdout;
    expect(table).toMatch(/kappa\s+1\.0\s+→\s+2\.0\s+no: lamda 1\.0 requires kappa<2/);
    expect(table).toMatch(/mu\s+1\.0\s+→\s+2\.0\s+yes/);
    expect(table).toContain(
      "3 of 5 packages you asked for have newer versions (1 held back by other packages' requirements)",
    );
  });

  test("--all adds dependencies", () => {
    const nu = outdated(sb, ["--all"]).find((r) => r.name === "nu");
    expect(nu).toEqual({
      name: "nu",
      installed: "1.0",
      latest: "2.0",
      type: "dependency",
      fits: false,
      blocked_by: [{ from: "mu", version: "1.0", requirement: "nu<2" }],
    });
  });

  test("agrees with pip list --outdated on every package that is not a pre-release", () => {
    const r = ok(sh([join(venv(sb), "bin", "python"), "-m", "pip", "list", "--outdated", "--format", "json"], sb));
    const fromPip = (JSON.parse(r.stdout) as { name: string; version: string; latest_version: string }[]).map(
      (p) => `${p.name} ${p.version} ${p.latest_version}`,
    );
    const ours = outdated(sb, ["--all"])
      .filter((row) => !/[a-z]/.test(row.installed))
      .map((row) => `${row.name} ${row.installed} ${row.latest}`);
    expect(ours.sort()).toEqual(fromPip.sort());
  });

  test("the venv's wheel tags are computed once and cached for its interpreter", () => {
    const cache = join(versionDir(sb), "wheel-tags.json");
    expect(existsSync(cache)).toBe(true);
    const cached = JSON.parse(readFileSync(cache, "utf8"));
    expect(cached.tags).toContain("py3-none-any");
    expect(cached.tags[0]).toStartWith(`cp${PY.key.slice(2)}-cp${PY.key.slice(2)}-`);
    expect(cached.tags).not.toContain("py2-none-any");
    writeFileSync(cache, JSON.stringify({ ...cached, tags: ["py2-none-any"] }));
    // A forged cache for the same interpreter is believed (proof that Python is not asked again):
    // only kappa 2.5, a py2 wheel, fits it.
    expect(outdated(sb).map((r) => `${r.name} ${r.latest}`)).toEqual(["kappa 2.5"]);
    writeFileSync(cache, JSON.stringify({ ...cached, stamp: "stale" }));
    expect(outdated(sb).map((r) => r.name)).toEqual(["kappa", "mu", "xi"]);
  });

  test("reads the index from pip's configuration: PIP_CONFIG_FILE, the user file, the venv's own pip.conf", () => {
    const unset = { PIP_INDEX_URL: undefined, PIP_CONFIG_FILE: undefined };
    const conf = join(sb.dir, "pip.conf");
    writeFileSync(
      conf,
      `[global]\nindex-url = http://127.0.0.1:9/nothing\n[install]\nindex-url = ${indexUrl}/simple\n`,
    );
    expect(outdated(sb, [], { ...unset, PIP_CONFIG_FILE: conf }).length).toBe(3);

    mkdirSync(join(sb.home, ".config", "pip"), { recursive: true });
    writeFileSync(join(sb.home, ".config", "pip", "pip.conf"), `[global]\nindex-url = ${indexUrl}/simple\n`);
    expect(outdated(sb, [], unset).length).toBe(3);

    // The venv's file beats the user's: pointing it nowhere makes the index unreachable.
    writeFileSync(join(venv(sb), "pip.conf"), "[global]\nindex-url = http://127.0.0.1:9/simple\n");
    const r = run(sb, ["outdated"], { env: unset });
    expect(r.code).toBe(1);
    expect(r.stderr).toStartWith("pyctl: cannot reach the package index http://127.0.0.1:9/simple/");
    // …and PIP_INDEX_URL beats every file.
    expect(outdated(sb, [], { PIP_CONFIG_FILE: undefined }).length).toBe(3);
    Bun.spawnSync(["rm", "-f", join(venv(sb), "pip.conf"), join(sb.home, ".config", "pip", "pip.conf")]);
  });

  test("a PEP 691 JSON index, and --find-links folders with no-index, as pip would read them", async () => {
    // A JSON-only index in a child process: kappa 2.5 is yanked there, 2.4 needs another Python.
    const files = [
      { filename: "kappa-2.5-py3-none-any.whl", url: "/f/kappa-2.5-py3-none-any.whl", hashes: {}, yanked: true },
      {
        filename: "kappa-2.4-py3-none-any.whl",
        url: "/f/kappa-2.4-py3-none-any.whl",
        hashes: {},
        "requires-python": ">=3.99",
      },
      { filename: "kappa-2.3.tar.gz", url: "https://elsewhere.example/kappa-2.3.tar.gz", hashes: {} },
    ];
    const script = join(sb.dir, "json-index.ts");
    writeFileSync(
      script,
      `const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch(req) {
        const ok = (req.headers.get("accept") ?? "").includes("application/vnd.pypi.simple.v1+json");
        const body = new URL(req.url).pathname === "/simple/kappa/" && ok ? ${JSON.stringify(JSON.stringify({ meta: { "api-version": "1.0" }, name: "kappa", files }))} : null;
        return body ? new Response(body, { headers: { "content-type": "application/vnd.pypi.simple.v1+json" } }) : new Response("", { status: 404 });
      } });
      console.log(s.port);`,
    );
    const child = Bun.spawn([process.execPath, script], { stdout: "pipe" });
    try {
      const reader = child.stdout.getReader();
      const port = new TextDecoder().decode((await reader.read()).value).trim();
      const rows = outdated(sb, [], { PIP_EXTRA_INDEX_URL: `http://127.0.0.1:${port}/simple` });
      expect(rows.find((r) => r.name === "kappa")?.latest).toBe("2.3");
    } finally {
      child.kill();
    }

    const links = join(sb.dir, "links");
    mkdirSync(links, { recursive: true });
    copyFileSync(
      join((await fixtures()).wheelDir, "kappa-1.1-py3-none-any.whl"),
      join(links, "kappa-1.1-py3-none-any.whl"),
    );
    const local = outdated(sb, [], { PIP_NO_INDEX: "1", PIP_FIND_LINKS: links });
    expect(local.map((r) => `${r.name} ${r.latest}`)).toEqual(["kappa 1.1"]);
  });

  test("an unreachable index is one line and exit 1, credentials not shown", () => {
    const r = run(sb, ["outdated"], { env: { PIP_INDEX_URL: "http://user:secret@127.0.0.1:9/simple" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n").length).toBe(2); // one line and its newline
    expect(r.stderr.split("\n")[0]).toMatch(
      /^pyctl: cannot reach the package index http:\/\/127\.0\.0\.1:9\/simple\/[a-z]+\/ \(ECONNREFUSED\)$/,
    );
    expect(r.stderr).not.toContain("secret");
    expect(r.stderr).not.toContain("    at ");
  });

  test("nothing newer: says so", () => {
    const fresh = initSandbox();
    ok(pip(fresh, "install", "-q", "epsilon==1.0"));
    expect(ok(run(fresh, ["outdated"])).stdout).toMatch(/^all \d+ packages you asked for are up to date\n$/);
    expect(outdated(fresh)).toEqual([]);
    fresh.cleanup();
  });
});
