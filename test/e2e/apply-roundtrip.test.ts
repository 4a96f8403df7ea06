// pyctl export then pyctl apply --prune on another user's empty venv: the same package set, the
// same explicit marks, offline once the store holds it; pylocks of other tools; hashes honoured.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, makeSandbox, run, startIndex, targetOf, type Index, type Sandbox } from "../support/env.ts";
import { initSandbox, ok, pip, pipFreeze } from "../support/venv-fixtures.ts";

const DEAD = "http://127.0.0.1:9/simple";

function explicitNames(sb: Sandbox): string[] {
  const list = JSON.parse(ok(run(sb, ["list", "--json"])).stdout) as { name: string; type: string }[];
  return list.filter((p) => p.type === "explicit").map((p) => p.name);
}

function sha256(path: string): string {
  return new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");
}

describe("export → apply --prune round-trips", () => {
  let index: Index;
  let wheelDir: string;
  let source: Sandbox;
  const others: Sandbox[] = [];
  const other = () => {
    const sb = makeSandbox(); // no `pyctl init`: apply makes the venv on first use
    sb.env.PIP_INDEX_URL = DEAD; // only the file says where packages come from, or the store has them
    others.push(sb);
    return sb;
  };
  beforeAll(async () => {
    wheelDir = (await fixtures()).wheelDir;
    index = await startIndex(wheelDir);
    source = initSandbox();
    source.env.PIP_INDEX_URL = `${index.url}/simple`;
    ok(pip(source, "install", "-q", "beta==1.0", "kappa==1.0"));
  });
  afterAll(() => {
    index.stop();
    for (const sb of [source, ...others]) sb.cleanup();
  });

  test("requirements: same set and marks, offline from the store the second time", () => {
    const reqs = join(source.dir, "requirements.txt");
    ok(run(source, ["export", "--output", reqs]));
    const target = other();
    ok(run(target, ["apply", reqs, "--prune"], { env: { PIP_INDEX_URL: `${index.url}/simple` } }));
    expect(pipFreeze(target)).toBe(pipFreeze(source));
    expect(explicitNames(target)).toEqual(explicitNames(source));
    ok(run(target, ["clean", "--yes"]));
    const offline = ok(run(target, ["apply", reqs, "--prune"]));
    expect(offline.stderr).not.toContain("pip install");
    expect(pipFreeze(target)).toBe(pipFreeze(source));
    expect(explicitNames(target)).toEqual(explicitNames(source));
  });

  test("pylock: same set and marks; after `clean`, the same again with the index gone", () => {
    const lock = join(source.dir, "pylock.toml");
    ok(run(source, ["export", "--output", lock]));
    const text = readFileSync(lock, "utf8");
    expect(text).not.toContain(source.home);
    expect(text).toContain('explicit = [ "beta", "kappa" ]');
    const target = other();
    const first = run(target, ["apply", lock, "--prune", "--detailed-exitcodes"]);
    expect(first.code).toBe(2);
    expect(first.stderr).toContain("created ");
    expect(pipFreeze(target)).toBe(pipFreeze(source));
    expect(explicitNames(target)).toEqual(explicitNames(source));
    expect(run(target, ["apply", lock, "--prune", "--detailed-exitcodes"]).code).toBe(0);

    ok(run(target, ["clean", "--yes"]));
    index.stop(); // the lock's index URL now refuses connections
    const offline = run(target, ["apply", lock, "--prune", "--detailed-exitcodes"]);
    expect({ code: offline.code, stderr: offline.stderr }).toMatchObject({ code: 2 });
    expect(offline.stderr).not.toContain("pip install");
    expect(pipFreeze(target)).toBe(pipFreeze(source));
    expect(explicitNames(target)).toEqual(explicitNames(source));
  });
});

describe("pylocks of other tools, hashes, and locks without sources", () => {
  let sb: Sandbox;
  let wheelDir: string;
  let indexUrl: string;
  beforeAll(async () => {
    wheelDir = (await fixtures()).wheelDir;
    sb = initSandbox();
    indexUrl = sb.env.PIP_INDEX_URL!.replace(/\/simple$/, "");
    sb.env.PIP_INDEX_URL = DEAD;
  });
  afterAll(() => sb.cleanup());
  const wheel = (file: string) =>
    `{ url = "${indexUrl}/files/${file}", hashes = { sha256 = "${sha256(join(wheelDir, file))}" } }`;

  test("pip lock's form (wheel URLs, no index) and uv's (an index, wheels with sizes)", () => {
    const pipLock = join(sb.dir, "pylock.pip.toml");
    writeFileSync(
      pipLock,
      `lock-version = "1.0"\ncreated-by = "pip"\n\n[[packages]]\nname = "nu"\nversion = "2.0"\nwheels = [${wheel("nu-2.0-py3-none-any.whl")}]\n`,
    );
    const uvLock = join(sb.dir, "pylock.uv.toml");
    writeFileSync(
      uvLock,
      [
        'lock-version = "1.0"',
        'created-by = "uv"',
        'requires-python = ">=3.8"',
        "",
        "[[packages]]",
        'name = "alpha"',
        'version = "1.1"',
        `index = "${indexUrl}/simple"`,
        `wheels = [${wheel("alpha-1.1-py3-none-any.whl").replace(/ }$/, ", size = 1 }")}]`,
        "",
        "[[packages]]",
        'name = "beta"',
        'version = "2.0"',
        `index = "${indexUrl}/simple"`,
        'dependencies = [{ name = "alpha" }]',
        `wheels = [${wheel("beta-2.0-py3-none-any.whl")}]`,
        "",
      ].join("\n"),
    );
    ok(run(sb, ["apply", pipLock]));
    ok(run(sb, ["apply", uvLock]));
    // pip 23.1 and later print the URL's hash too (Python 3.12's bundled pip does, Debian's 23.0 does not)
    expect(pipFreeze(sb)).toMatch(
      /^alpha==1\.1\nbeta==2\.0\nnu @ http:\/\/127\.0\.0\.1:\d+\/files\/nu-2\.0-py3-none-any\.whl(#sha256=[0-9a-f]{64})?\n/,
    );
    const explicit = explicitNames(sb);
    expect(explicit).toEqual(expect.arrayContaining(["beta", "nu"]));
    expect(explicit).not.toContain("alpha"); // uv's lock: alpha is what beta depends on
    expect(run(sb, ["apply", uvLock, "--detailed-exitcodes"]).code).toBe(0);
  });

  test("a stored version from a file with another hash is not taken; pip's download is checked", () => {
    const forged = join(sb.dir, "pylock.forged.toml");
    writeFileSync(
      forged,
      `lock-version = "1.0"\n\n[[packages]]\nname = "alpha"\nversion = "1.1"\nindex = "${indexUrl}/simple"\nwheels = [{ url = "${indexUrl}/files/alpha-1.1-py3-none-any.whl", hashes = { sha256 = "${"0".repeat(64)}" } }]\n`,
    );
    const before = pipFreeze(sb);
    const r = run(sb, ["apply", forged, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).errors[0].code).toBe("hash-mismatch");
    expect(pipFreeze(sb)).toBe(before);
  });

  test("a requirements file's --hash lines: the right hash keeps what is there, another is checked by pip", () => {
    const digest = sha256(join(wheelDir, "alpha-1.1-py3-none-any.whl"));
    const good = join(sb.dir, "hashed.txt");
    writeFileSync(good, `--index-url ${indexUrl}/simple\nalpha==1.1 --hash=sha256:${digest}\n`);
    const kept = run(sb, ["apply", good, "--json"]); // alpha 1.1 came from that file: only its mark changes
    expect(JSON.parse(kept.stdout)).toMatchObject({
      added: [],
      upgraded: [],
      marked: [{ name: "alpha", explicit: true }],
    });
    expect(kept.stderr).not.toContain("pip install");
    expect(run(sb, ["apply", good, "--detailed-exitcodes"]).code).toBe(0);
    const bad = join(sb.dir, "forged.txt");
    writeFileSync(bad, `--index-url ${indexUrl}/simple\nalpha==1.1 --hash=sha256:${"1".repeat(64)}\n`);
    const before = pipFreeze(sb);
    const r = run(sb, ["apply", bad, "--json"]);
    expect(JSON.parse(r.stdout).errors[0].code).toBe("hash-mismatch");
    expect(pipFreeze(sb)).toBe(before);
  });

  test("a lock whose entries name no index and no file is refused in one line before anything changes", () => {
    const bare = join(sb.dir, "pylock.bare.toml");
    writeFileSync(bare, `lock-version = "1.0"\n\n[[packages]]\nname = "alpha"\nversion = "2.0"\n`);
    const before = pipFreeze(sb);
    const r = run(sb, ["apply", bare]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(
      `pyctl: ${bare}: alpha names neither an index URL nor a file to install it from [lock-unsourced]`,
    );
    expect(JSON.parse(run(sb, ["apply", bare, "--json"]).stdout).errors[0].code).toBe("lock-unsourced");
    expect(pipFreeze(sb)).toBe(before);
    const fresh = makeSandbox(); // first use: the refusal comes before the venv is made
    try {
      expect(run(fresh, ["apply", bare]).code).toBe(1);
      expect(existsSync(targetOf(fresh).venv)).toBe(false);
    } finally {
      fresh.cleanup();
    }
  });
});
