/**
 * Hermetic test environment: fixture wheels behind a local index, throwaway sandboxes with a
 * from-scratch environment (so the machine's PIP_* settings and pip.conf never apply), and
 * helpers to run pyctl or any command inside them.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { constants, tmpdir, userInfo } from "node:os";
import { basename, join, resolve } from "node:path";
import { spawnIndex, type Index } from "./package-index.ts";
import { SANE_PATH, testPython } from "./pythons.ts";
import { buildPyctl } from "../../scripts/build.ts";
import { Layout } from "../../src/core/base/paths.ts";
import { targetFor, type Target } from "../../src/core/recording/target.ts";

export { serveIndex, startIndex, untilStalled, type Index, type IndexOptions } from "./package-index.ts";
export {
  literal,
  testPython,
  othersCanRun,
  newerVersion,
  otherPyenvVersion,
  pythons,
  twoVersions,
  type Python,
  type Pythons,
  type TestPython,
} from "./pythons.ts";

const REPO = resolve(import.meta.dir, "..", "..");
const SUPPORT = import.meta.dir;
const BUN = process.execPath;

let runDirPath: string | undefined;

/** One temp dir for the whole test process, holding every sandbox; see teardown(). */
export function runDir(): string {
  runDirPath ??= mkdtempSync(join(tmpdir(), "pyctl-test-"));
  return runDirPath;
}

/** What a sandbox runs as `python3`, never another Python of this machine. */
const PYTHON_NAME = /^(python|pip|pydoc|idle)\d*(\.\d+)?(-config)?$/;

let systemBinPath: string | undefined;

/**
 * The system's commands (SANE_PATH's folders, first one wins) without its Pythons, plus the
 * Python under test as python3 and python3.X: the sandboxes' PATH ends here.
 */
export function systemBin(): string {
  if (systemBinPath) return systemBinPath;
  const dir = join(runDir(), "system-bin");
  mkdirSync(dir);
  const py = testPython();
  symlinkSync(BUN, join(dir, "bun"));
  for (const name of ["python3", `python${py.version}`]) symlinkSync(py.real, join(dir, name));
  const linked = new Set(readdirSync(dir));
  for (const from of SANE_PATH.split(":")) {
    for (const name of existsSync(from) ? readdirSync(from) : []) {
      if (PYTHON_NAME.test(name) || linked.has(name)) continue;
      symlinkSync(join(from, name), join(dir, name));
      linked.add(name);
    }
  }
  systemBinPath = dir;
  return dir;
}

/**
 * The Python under test as the suite names it: `exe` is where sandboxes find it
 * (…/system-bin/python3.X, what pyctl records and prints), `real` the file itself.
 */
export const PY = {
  get exe(): string {
    return join(systemBin(), `python${testPython().version}`);
  },
  get real(): string {
    return testPython().real;
  },
  get version(): string {
    return testPython().version;
  },
  get fullVersion(): string {
    return testPython().fullVersion;
  },
  get key(): string {
    return testPython().key;
  },
  /** lib/python3.X/site-packages, relative to a venv. */
  get site(): string {
    return join("lib", `python${testPython().version}`, "site-packages");
  },
};

/** Every path pyctl uses for `version` (default: the Python under test's) in a sandbox's user tier. */
export function targetOf(sb: Sandbox, version = PY.version): Target {
  return targetFor(new Layout("user", sb.pyctlHome), version);
}

export interface Fixtures {
  wheelDir: string;
  index: Index;
}

let fixturesCache: Fixtures | undefined;

function fixturesSync(): Fixtures {
  if (fixturesCache) return fixturesCache;
  const wheelDir = join(runDir(), "wheels");
  const built = Bun.spawnSync([testPython().real, join(SUPPORT, "wheels.py"), wheelDir, "--many", "120"], {
    env: { PATH: SANE_PATH, LANG: "C.UTF-8" },
  });
  if (built.exitCode !== 0) throw new Error(`wheels.py failed:\n${built.stderr.toString()}`);
  fixturesCache = { wheelDir, index: spawnIndex(wheelDir, { slow: ["slowpkg"] }) };
  return fixturesCache;
}

export async function fixtures(): Promise<Fixtures> {
  return fixturesSync();
}

let binPath: string | undefined;

/** pyctl compiled once per run; a `bun src/cli.ts` wrapper when compiling fails. */
export function pyctlBin(): string {
  if (binPath) return binPath;
  const out = join(runDir(), "pyctl");
  if (!buildPyctl(out)) {
    writeFileSync(out, `#!/bin/sh\nexec '${BUN}' '${join(REPO, "src", "cli.ts")}' "$@"\n`);
    chmodSync(out, 0o755);
  }
  const binDir = join(runDir(), "bin");
  mkdirSync(binDir, { recursive: true });
  rmSync(join(binDir, "pyctl"), { force: true });
  symlinkSync(out, join(binDir, "pyctl"));
  binPath = out;
  return out;
}

/**
 * Stops the shared index and removes the run dir (unless PYCTL_TEST_KEEP is set). The preload
 * registers it as a global afterAll: bun test fires no process "exit" event.
 */
export function teardown(): void {
  fixturesCache?.index.stop();
  fixturesCache = undefined;
  binPath = undefined;
  systemBinPath = undefined;
  if (runDirPath && !process.env.PYCTL_TEST_KEEP) rmSync(runDirPath, { recursive: true, force: true });
  runDirPath = undefined;
}

export interface Sandbox {
  dir: string;
  home: string;
  pyctlHome: string;
  /** On PATH right after pyctl's own dir; addPython links interpreters here. */
  bin: string;
  env: Record<string, string>;
  /** Makes `exe` (and any aliases, e.g. "python3") resolvable on the sandbox PATH. */
  addPython(exe: string, ...aliases: string[]): void;
  cleanup(): void;
  [Symbol.dispose](): void;
}

export function makeSandbox(): Sandbox {
  const { index } = fixturesSync();
  pyctlBin();
  const dir = mkdtempSync(join(runDir(), "sandbox-"));
  const home = join(dir, "home");
  const bin = join(dir, "bin");
  const pyctlHome = join(home, ".local", "python-packages");
  mkdirSync(home);
  mkdirSync(bin);
  const user = userInfo().username;
  const env: Record<string, string> = {
    PATH: [join(runDir(), "bin"), bin, systemBin()].join(":"),
    HOME: home,
    USER: user,
    LOGNAME: user,
    LANG: "C.UTF-8",
    TERM: "dumb",
    NO_COLOR: "1",
    PYCTL_HOME: pyctlHome,
    PYCTL_TIER: "user",
    XDG_CACHE_HOME: join(runDir(), "xdg-cache"),
    PIP_CONFIG_FILE: "/dev/null",
    PIP_INDEX_URL: `${index.url}/simple`,
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_INPUT: "1",
    PIP_CACHE_DIR: join(dir, "pip-cache"),
  };
  const sandbox: Sandbox = {
    dir,
    home,
    pyctlHome,
    bin,
    env,
    addPython(exe, ...aliases) {
      for (const name of [basename(exe), ...aliases]) {
        rmSync(join(bin, name), { force: true });
        symlinkSync(exe, join(bin, name));
      }
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
    [Symbol.dispose]() {
      sandbox.cleanup();
    },
  };
  return sandbox;
}

export interface RunOptions {
  stdin?: string;
  /** Merged over the sandbox env; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function sh(cmd: string[], sandbox: Sandbox, opts: RunOptions = {}): Result {
  const env: Record<string, string> = { ...sandbox.env };
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const proc = Bun.spawnSync(cmd, {
    env,
    cwd: opts.cwd ?? sandbox.home,
    stdin: opts.stdin === undefined ? "ignore" : Buffer.from(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
    // A session of its own: an interactive shell started here can never take the terminal
    // `bun test` runs in (which stops the run, `[1]+ Stopped`, for a user at a terminal).
    detached: true,
    timeout: opts.timeoutMs ?? 110_000,
    killSignal: "SIGKILL",
  });
  const signals = constants.signals as Record<string, number>;
  const code = proc.exitCode ?? 128 + (signals[proc.signalCode ?? ""] ?? 0);
  return { code, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

export function run(sandbox: Sandbox, args: string[], opts: RunOptions = {}): Result {
  return sh([pyctlBin(), ...args], sandbox, opts);
}
