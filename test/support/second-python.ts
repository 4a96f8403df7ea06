/**
 * The second pass of `bun run test`: the e2e tier again (the fault matrix aside, below), with
 * another minor version as the Python under test (PYCTL_TEST_PYTHON2, else the one twoVersions()
 * picks), so that no test holds only for the first. It says which Python it used, or that there
 * was none. The shell
 * tier is not repeated: its tests drive the hook, which does not depend on the version, and
 * the pass stays within CI's time (`bun run test:e2e` / `test:shell` with PYCTL_TEST_PYTHON set
 * run either tier with any Python).
 */
import { readdirSync } from "node:fs";
import { testPython, twoVersions } from "./pythons.ts";

const first = testPython();
const second = process.env.PYCTL_TEST_PYTHON2 || twoVersions()?.[1]?.exe;
if (!second) {
  console.log(`second pass: no Python version besides ${first.fullVersion} found; the e2e tier ran once`);
  process.exit(0);
}
console.log(`second pass: the e2e tier again, with ${second} as the Python under test (first: ${first.real})`);
// The fault matrix runs once: it drives the engine's crash safety, the same for every version,
// and is the longest file of the tier (its CPU burners make it so on purpose).
const files = readdirSync("test/e2e")
  .filter((f) => f.endsWith(".test.ts") && f !== "faults.test.ts")
  .map((f) => `test/e2e/${f}`);
const pass = Bun.spawnSync([process.execPath, "test", "--timeout", "120000", ...files], {
  env: { ...process.env, PYCTL_TEST_PYTHON: second },
  stdio: ["inherit", "inherit", "inherit"],
});
process.exit(pass.exitCode ?? 1);
