// pyctl's own folders are 0700 under any umask (issue 21, item 7): under umask 000 a first
// `pyctl init` or first-use `pip3.X install` made PYCTL_HOME and pyXY/ 0777, so anyone could
// swap history/ or store/ away.
import { afterEach, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, PY, pyctlBin, sh, type Sandbox } from "../support/env.ts";
import { ok } from "../support/venv-fixtures.ts";

let sb: Sandbox;
afterEach(() => sb.cleanup());

const loose = (args: string[]) => ok(sh(["sh", "-c", 'umask 000; exec "$0" "$@"', pyctlBin(), ...args], sb));
const modes = (...dirs: string[]) => dirs.map((dir) => `${dir} ${(statSync(dir).mode & 0o777).toString(8)}`);

test.each([
  [["init", "--python", PY.real]],
  [["pip", "--python", PY.version, "--", "install", "-q", "alpha==1.0"]],
  [["config", "history.max_entries", "50"]],
])("umask 000, nothing there yet: %p makes PYCTL_HOME and pyXY/ 0700", (args: string[]) => {
  sb = makeSandbox();
  sb.addPython(PY.real, "python3");
  loose(args);
  const home = sb.pyctlHome;
  const dirs = args[0] === "config" ? [home] : [home, join(home, PY.key)];
  expect(modes(...dirs)).toEqual(dirs.map((d) => `${d} 700`));
});
