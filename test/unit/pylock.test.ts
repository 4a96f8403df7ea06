// The PEP 751 reader of `pyctl apply`: each kind of entry becomes the line pip installs it from.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markerEnvironment } from "../../src/core/packages/requirements.ts";
import { pylockRequirementsText, readPylock } from "../../src/core/packages/pylock.ts";

const dir = mkdtempSync(join(tmpdir(), "pylock-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = markerEnvironment("3.11.2");
const H = "a".repeat(64);

async function read(body: string) {
  const path = join(dir, "pylock.toml");
  writeFileSync(path, `lock-version = "1.0"\n${body}`);
  return readPylock(path, env);
}

describe("readPylock", () => {
  test.each([
    [
      `name = "a"\nversion = "1.0"\nindex = "https://i/simple"\nwheels = [{ url = "https://f/a-1.0-py3-none-any.whl", hashes = { sha256 = "${H}", md5 = "x" } }]`,
      `a==1.0 --hash=sha256:${H}`,
    ],
    [
      `name = "b"\nversion = "2"\nwheels = [{ url = "https://f/b-2-py3-none-any.whl", hashes = { sha256 = "${H}" } }]`,
      `b @ https://f/b-2-py3-none-any.whl --hash=sha256:${H}`,
    ],
    [
      `name = "c"\nversion = "1"\nwheels = [{ path = "w/c-1-py3-none-any.whl" }]`,
      `c @ file://${dir}/w/c-1-py3-none-any.whl`,
    ],
    [`name = "d"\nvcs = { type = "git", url = "https://g/d.git", commit-id = "abc" }`, "d @ git+https://g/d.git@abc"],
    [`name = "e"\ndirectory = { path = "src/e", editable = true }`, `-e ${dir}/src/e`],
    [
      `name = "f"\narchive = { url = "https://f/f.tar.gz", hashes = { sha512 = "${H}" } }`,
      `f @ https://f/f.tar.gz --hash=sha512:${H}`,
    ],
  ])("%s", async (entry, line) => {
    const lock = await read(`[[packages]]\n${entry}\n`);
    expect(lock.packages.map((p) => p.line)).toEqual([line]);
  });

  test("markers that do not hold here leave the entry out; indexes become --index-url lines", async () => {
    const lock = await read(
      `[[packages]]\nname = "a"\nversion = "1"\nindex = "https://i/simple"\n[[packages]]\nname = "w"\nversion = "1"\nmarker = "sys_platform == 'win32'"\nindex = "https://i/simple"\n`,
    );
    expect(lock.packages.map((p) => p.key)).toEqual(["a"]);
    expect(pylockRequirementsText(lock)).toBe("--index-url https://i/simple\na==1\n");
  });

  test("explicit: [tool.pyctl] when it says, else what no entry depends on", async () => {
    const entries = `[[packages]]\nname = "a"\nversion = "1"\nindex = "https://i/simple"\ndependencies = [{ name = "b" }]\n[[packages]]\nname = "b"\nversion = "1"\nindex = "https://i/simple"\n`;
    expect([...(await read(entries)).explicit]).toEqual(["a"]);
    expect([...(await read(`${entries}[tool.pyctl]\nexplicit = ["b"]\n`)).explicit]).toEqual(["b"]);
  });

  test("an entry with nothing to install from, a bad version, bad TOML: one line each", async () => {
    await expect(read(`[[packages]]\nname = "a"\nversion = "1"\n`)).rejects.toThrow(
      "a names neither an index URL nor a file to install it from",
    );
    const path = join(dir, "pylock.toml");
    writeFileSync(path, `lock-version = "2.0"\n`);
    await expect(readPylock(path, env)).rejects.toThrow("lock-version 2.0 is not PEP 751's 1.x");
    writeFileSync(path, "lock-version = \n");
    await expect(readPylock(path, env)).rejects.toThrow("not valid TOML");
  });
});
