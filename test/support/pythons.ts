/**
 * The Pythons a test run may use, all chosen here and nowhere else: the Python under test
 * (PYCTL_TEST_PYTHON, a path or a command; default: the first python3 on SANE_PATH), and the
 * other real interpreters found in SANE_PATH and pyenv's versions (never shims or venvs), for
 * tests that need a second version. The machine's own PATH is never read.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";

/** Where a login manager puts a user's commands: the only system folders a test run searches. */
export const SANE_PATH = "/usr/local/bin:/usr/bin:/bin";

export interface TestPython {
  /** The interpreter file itself, e.g. /usr/bin/python3.X or ~/.pyenv/versions/3.X.Y/bin/python3.X. */
  real: string;
  /** "3.12" */
  version: string;
  /** "3.12.1" */
  fullVersion: string;
  /** pyctl's folder name for the version: "py312". */
  key: string;
  /** The distro's externally-managed interpreter (PEP 668), as Debian's python3. */
  externallyManaged: boolean;
}

export interface Pythons {
  /** The distro's externally-managed interpreter, e.g. /usr/bin/python3.X. */
  debian?: string;
  /** "3.11" -> interpreter path; pyenv builds (which have pip and ensurepip) win over PATH. */
  byVersion: Map<string, string>;
}

export interface Python {
  version: string;
  exe: string;
}

const MIN_MINOR = 8;

function isElf(path: string): boolean {
  try {
    const fd = openSync(realpathSync(path), "r");
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
    return head.toString("latin1") === "\x7fELF";
  } catch {
    return false;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function patchOrder(a: string, b: string): number {
  const pa = a.split(".").map(Number),
    pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pb[i] ?? 0) - (pa[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function candidates(): string[] {
  const found: string[] = [];
  const roots = new Set([process.env.PYENV_ROOT || join(homedir(), ".pyenv")]);
  for (const root of roots) {
    const versions = list(join(root, "versions")).filter((v) => /^\d+\.\d+\.\d+$/.test(v));
    for (const v of versions.sort(patchOrder)) {
      const dir = join(root, "versions", v);
      if (existsSync(join(dir, "pyvenv.cfg"))) continue;
      found.push(join(dir, "bin", `python${v.split(".").slice(0, 2).join(".")}`));
    }
  }
  for (const dir of SANE_PATH.split(":")) {
    found.push(
      ...list(dir)
        .filter((f) => /^python3\.\d+$/.test(f))
        .map((f) => join(dir, f)),
    );
  }
  return found;
}

let cached: Pythons | undefined;

export function pythons(): Pythons {
  if (cached) return cached;
  const byVersion = new Map<string, string>();
  for (const exe of candidates()) {
    const m = /python(3\.(\d+))$/.exec(exe);
    if (!m || Number(m[2]) < MIN_MINOR || byVersion.has(m[1]!) || !isElf(exe)) continue;
    byVersion.set(m[1]!, exe);
  }
  let debian: string | undefined;
  for (const f of list("/usr/bin").filter((f) => /^python3\.\d+$/.test(f))) {
    if (existsSync(`/usr/lib/${f}/EXTERNALLY-MANAGED`) && isElf(`/usr/bin/${f}`)) debian = `/usr/bin/${f}`;
  }
  cached = { debian, byVersion };
  return cached;
}

/** The Python under test and another minor version (the next newer first); undefined when there is none. */
export function twoVersions(): [Python, Python] | undefined {
  const { byVersion } = pythons();
  const own = testPython().version;
  const [major, minor] = own.split(".").map(Number);
  const order = [own, `${major}.${minor! + 1}`, `${major}.${minor! - 1}`, ...[...byVersion.keys()].sort(patchOrder)];
  const other = order.find((v) => v !== own && byVersion.has(v));
  if (!other) return undefined;
  return [
    { version: own, exe: testPython().real },
    { version: other, exe: byVersion.get(other)! },
  ];
}

function locate(command: string): string | undefined {
  if (command.includes("/")) return command;
  return SANE_PATH.split(":")
    .map((dir) => join(dir, command))
    .find((path) => existsSync(path));
}

let chosen: TestPython | undefined;

/** The Python under test (see the file's comment); throws when the choice does not run. */
export function testPython(): TestPython {
  if (chosen) return chosen;
  const choice = process.env.PYCTL_TEST_PYTHON || "python3";
  const found = locate(choice);
  if (!found) throw new Error(`PYCTL_TEST_PYTHON: no ${choice} in ${SANE_PATH}`);
  const probe = Bun.spawnSync([found, "-I", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]);
  const fullVersion = probe.stdout.toString().trim();
  if (probe.exitCode !== 0 || !fullVersion) throw new Error(`PYCTL_TEST_PYTHON: ${found} does not run`);
  const version = fullVersion.split(".").slice(0, 2).join(".");
  // Name the versioned file (python3 is usually a link to it), as pyctl's messages do.
  const versioned = join(dirname(realpathSync(found)), `python${version}`);
  const real = existsSync(versioned) ? versioned : realpathSync(found);
  const externallyManaged =
    existsSync(join("/usr/lib", `python${version}`, "EXTERNALLY-MANAGED")) &&
    dirname(real) === "/usr/bin" &&
    basename(real) === `python${version}`;
  chosen = { real, version, fullVersion, key: `py${version.replace(".", "")}`, externallyManaged };
  return chosen;
}

/** A minor version the machine does not have to have: the Python under test's next one, for fakes. */
export function newerVersion(): string {
  const [major, minor] = testPython().version.split(".").map(Number);
  return `${major}.${minor! + 1}`;
}

/** A pyenv build of another minor version than the Python under test (the next newer first). */
export function otherPyenvVersion(): string | undefined {
  const other = twoVersions()?.[1];
  return other?.exe.includes("/.pyenv/versions/") ? other.version : undefined;
}

/** `text` matched literally inside a RegExp. */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whether another user can run `path` (every folder above it searchable, the file executable by others). */
export function othersCanRun(path: string): boolean {
  for (let dir = path; dir !== "/"; dir = dirname(dir)) {
    if (!(statSync(dir).mode & 0o001)) return false;
  }
  return true;
}
