// What a killed adopt or undo left half done is completed by the next operation
// (recording/adopted.ts): a removal takes only the very files adopt kept, a put-back restores
// every file, and the copy of an adopt that never committed goes once its pyctl is dead.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Layout } from "../../src/core/base/paths.ts";
import { finishAdoptions, keepForUndo } from "../../src/core/recording/adopted.ts";
import { targetFor } from "../../src/core/recording/target.ts";
import { PY } from "../support/env.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scene() {
  const dir = mkdtempSync(join(tmpdir(), "pyctl-adopted-"));
  dirs.push(dir);
  const target = targetFor(new Layout("user", join(dir, "pyctl")), PY.version);
  const root = join(dir, "local");
  const site = join(root, PY.site);
  mkdirSync(site, { recursive: true });
  const files = ["a.py", "b.py"].map((n) => join(site, n));
  for (const f of files) writeFileSync(f, `# ${f}\n`);
  const temp = keepForUndo(target, root, files, [join(root, "bin")]);
  const kept = join(target.layout.adoptedDir(PY.version), "7");
  return { target, root, site, files, temp, kept };
}

test("a removal cut short: finished for the files adopt kept, not for one put there since", () => {
  const s = scene();
  writeFileSync(join(s.temp, "journal"), "removing");
  renameSync(s.temp, s.kept);
  rmSync(s.files[1]!);
  writeFileSync(s.files[1]!, "# reinstalled since\n");
  finishAdoptions(s.target);
  expect(existsSync(s.files[0]!)).toBe(false);
  expect(readFileSync(s.files[1]!, "utf8")).toBe("# reinstalled since\n");
  expect(existsSync(join(s.kept, "journal"))).toBe(false);
  expect(existsSync(join(s.kept, "files", PY.site, "a.py"))).toBe(true);
});

test("a put-back cut short: every file back, the kept copy gone", () => {
  const s = scene();
  writeFileSync(join(s.temp, "journal"), "restoring");
  renameSync(s.temp, s.kept);
  rmSync(s.site, { recursive: true });
  finishAdoptions(s.target);
  for (const f of s.files) expect(readFileSync(f, "utf8")).toBe(`# ${f}\n`);
  expect(existsSync(s.kept)).toBe(false);
});

test("the copy of an adopt whose pyctl died before its commit is swept; nothing left the source", () => {
  const s = scene();
  const dead = s.temp.replace(`.${process.pid}.tmp`, ".999999999.tmp");
  renameSync(s.temp, dead);
  finishAdoptions(s.target);
  expect(existsSync(dead)).toBe(false);
  for (const f of s.files) expect(existsSync(f)).toBe(true);
});
