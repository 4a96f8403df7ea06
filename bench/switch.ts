/**
 * Issue 18's figures, side by side in one run, with fixture wheels of realistic size built here:
 *  - "big": 100 distributions of 300 modules (30,000 files); "small": 15 distributions, 10 of
 *    them shared with big;
 *  - "huge": one distribution of 12,000 files.
 * Rows: big → small and small → big in place (`pyctl restore`), each against `pyctl clean` +
 * `pyctl restore` and against the seed's method (rm, python -m venv, pip install -r); undo and
 * redo of the huge install, in a fresh venv and in the big one, each beside the file system's
 * floor (`cp -al` of the venv: one link per file the goal holds); pyctl's own share of a recorded
 * `pip install` of huge (against the same pip run without pyctl, alternated), beside the share
 * that hardlinking huge's files once takes (what storing them after pip cost before they were
 * staged while pip runs: store-ahead.ts); and with 1,000 history entries of the big venv,
 * `pyctl list`, `status` and `history --limit 10`.
 *   bun bench/switch.ts [--runs N]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { makeSandbox, PY } from "../test/support/env.ts";
import { median, ms, printTable, PY_KEY, run, sh, teardown, time, timePip, type Sandbox } from "./lib.ts";

/** The Python the tests use (PYCTL_TEST_PYTHON, else the first python3), and its folders. */
const PYTHON = PY.real;
const RUNS = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 3;
const SUPPORT = resolve(import.meta.dir, "..", "test", "support");

function must(r: { code: number; stderr: string }, what: string): void {
  if (r.code !== 0) throw new Error(`${what} failed:\n${r.stderr}`);
}

function pyctl(sb: Sandbox, ...args: string[]): number {
  let result = { code: 0, stderr: "" };
  const took = time(() => (result = run(sb, args, { timeoutMs: 900_000 })));
  must(result, `pyctl ${args.join(" ")}`);
  return took;
}

/** The fixture wheels: big00..big99 (300 modules), small0..small4 (600 modules), huge (12,000). */
function buildWheels(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const code = `
import sys; sys.path.insert(0, ${JSON.stringify(SUPPORT)}); import wheels
d = ${JSON.stringify(dir)}
def pkg(name, n, width):
    return {"%s/m%d.py" % (name, i): "VALUE = %d\\n" % i + "#" * width + "\\n" for i in range(n)}
for i in range(100):
    wheels.build(d, "big%02d" % i, "1.0", files=pkg("big%02d" % i, 300, 400))
for i in range(5):
    wheels.build(d, "small%d" % i, "1.0", files=pkg("small%d" % i, 600, 400))
files = pkg("huge", 12000, 200)
files["huge/__init__.py"] = ""
wheels.build(d, "huge", "1.0", files=files)
`;
  const built = Bun.spawnSync([PYTHON, "-c", code], { stderr: "pipe" });
  must({ code: built.exitCode ?? 1, stderr: built.stderr.toString() }, "building wheels");
}

const BIG = Array.from({ length: 100 }, (_, i) => `big${String(i).padStart(2, "0")}==1.0`);
const SMALL = [...BIG.slice(0, 10), ...Array.from({ length: 5 }, (_, i) => `small${i}==1.0`)];

/** The seed's method: a new venv, then pip installs the whole set from the wheel folder. */
function seedMethod(sb: Sandbox, wheels: string, lines: string[]): number {
  const dir = join(sb.dir, "seed-venv");
  const req = join(sb.dir, "seed.txt");
  writeFileSync(req, `${lines.join("\n")}\n`);
  const took = time(() => {
    rmSync(dir, { recursive: true, force: true });
    must(sh([PYTHON, "-m", "venv", dir], sb), "python -m venv");
    const pip = [join(dir, "bin", "pip"), "install", "-q", "--no-index", "--find-links", wheels, "-r", req];
    must(sh(pip, sb, { timeoutMs: 900_000 }), "pip install -r");
  });
  rmSync(dir, { recursive: true, force: true });
  return took;
}

async function switches(sb: Sandbox, wheels: string): Promise<string[][]> {
  const install = (lines: string[]) =>
    must(
      run(sb, ["pip", "--", "install", "-q", "--no-index", "--find-links", wheels, ...lines], { timeoutMs: 900_000 }),
      "pip install",
    );
  install(SMALL);
  pyctl(sb, "snapshot", "small");
  install(BIG);
  pyctl(sb, "snapshot", "big");
  // The store now holds every version: every switch below is offline.
  const toSmall: number[] = [];
  const toBig: number[] = [];
  const cleanSmall: number[] = [];
  const cleanBig: number[] = [];
  // Each timed command starts once the venv replaced before it is deleted (settled).
  const timed = async (...args: string[]) => {
    await settled(sb);
    return pyctl(sb, ...args);
  };
  for (let i = 0; i < RUNS; i++) {
    await timed("restore", "big");
    toSmall.push(await timed("restore", "small"));
    toBig.push(await timed("restore", "big"));
    cleanSmall.push((await timed("clean", "--yes")) + (await timed("restore", "small")));
    cleanBig.push((await timed("clean", "--yes")) + (await timed("restore", "big")));
  }
  const seedSmall = seedMethod(sb, wheels, SMALL);
  const seedBig = seedMethod(sb, wheels, BIG);
  const row = (name: string, took: number[], clean: number[], seed: number, target: number) => {
    const t = median(took);
    const c = median(clean);
    const verdict = t <= target && (name.startsWith("small") || t <= c) ? "met" : "MISSED";
    return [
      name,
      ms(t),
      ms(c),
      `${(c / t).toFixed(1)}×`,
      ms(seed),
      `${(seed / t).toFixed(1)}×`,
      `≤ ${ms(target)}: ${verdict}`,
    ];
  };
  return [
    row("big → small (in place)", toSmall, cleanSmall, seedSmall, 1000),
    row("small → big (in place)", toBig, cleanBig, seedBig, 2000),
  ];
}

/**
 * Wait until the replaced venvs' background deletion (`venv.trash.PID`) is over, then write back
 * what is dirty (`sync`, as hyperfine's `--prepare` is used): neither falls on the next timed run.
 * A user's next command shares the disk with them too, but they are not that command's cost.
 */
async function settled(sb: Sandbox): Promise<void> {
  const dir = join(sb.pyctlHome, PY_KEY);
  for (const end = Date.now() + 300_000; ; await Bun.sleep(20)) {
    if (!readdirSync(dir).some((name) => name.startsWith("venv.trash."))) break;
    if (Date.now() > end) throw new Error("a replaced venv was still being deleted after 5 minutes");
  }
  must(sh(["sync"], sb), "sync");
}

/** The file system's floor for a tree: hardlinking every file of it once (`cp -al`), in ms. */
function linkFloor(sb: Sandbox, tree: string): number {
  const copy = join(sb.dir, "floor");
  rmSync(copy, { recursive: true, force: true });
  const took = time(() => must(sh(["cp", "-al", tree, copy], sb, { timeoutMs: 900_000 }), "cp -al"));
  rmSync(copy, { recursive: true, force: true });
  return took;
}

function countFiles(dir: string): number {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    count += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  return count;
}

/**
 * Undo and redo of the huge install in the venv `sb` holds, and the recorded install's share of
 * pip's time. The floor of each is the goal's files hardlinked once (`cp -al`), timed in the same run.
 */
async function undoRedo(sb: Sandbox, wheels: string, label: string, withShare: boolean): Promise<string[][]> {
  const plainVenv = join(sb.dir, "plain-venv");
  rmSync(plainVenv, { recursive: true, force: true });
  must(sh([PYTHON, "-m", "venv", plainVenv], sb), "python -m venv");
  const pipArgs = ["install", "-q", "--no-index", "--find-links", wheels, "huge==1.0"];
  const venv = join(sb.pyctlHome, PY_KEY, "venv");
  const recorded: number[] = [];
  const plain: number[] = [];
  const undo: number[] = [];
  const redo: number[] = [];
  const floor: number[] = [];
  const storeFloor: number[] = [];
  // pyctl's share from one run: its wall time minus its own pip's run, timed inside it (pip alone,
  // in another venv minutes apart, varied by 2× on this machine's disk).
  const timer = withShare ? timePip(sb) : undefined;
  const share: number[] = [];
  let files = 0;
  for (let i = 0; i < RUNS; i++) {
    // Alternated, so a busy moment of the machine falls on both. A first install: huge is not
    // in the store yet, so the recorded run stores its 12,000 files (undo and redo need them).
    rmSync(join(sb.pyctlHome, PY_KEY, "store", "huge"), { recursive: true, force: true });
    await settled(sb);
    recorded.push(pyctl(sb, "pip", "--", ...pipArgs));
    if (timer) share.push(((recorded.at(-1)! - timer.pipRun()) / timer.pipRun()) * 100);
    await settled(sb);
    plain.push(time(() => must(sh([join(plainVenv, "bin", "pip"), ...pipArgs], sb, { timeoutMs: 900_000 }), "pip")));
    storeFloor.push(linkFloor(sb, join(plainVenv, "lib", `python${PY.version}`, "site-packages", "huge")));
    must(sh([join(plainVenv, "bin", "pip"), "uninstall", "-q", "-y", "huge"], sb), "pip uninstall");
    files = countFiles(venv);
    floor.push(linkFloor(sb, venv));
    await settled(sb);
    undo.push(pyctl(sb, "undo"));
    await settled(sb);
    redo.push(pyctl(sb, "undo"));
    pyctl(sb, "pip", "--", "uninstall", "-q", "-y", "huge");
  }
  const [r, p, u, d, f, s] = [recorded, plain, undo, redo, floor, storeFloor].map(median) as number[];
  const own = median(share);
  const floorNote = `floor: cp -al of the venv with it (${files.toLocaleString("en")} files) ${ms(f!)}`;
  const rows = [
    [
      `undo of a 12,000-file install, ${label}`,
      ms(u!),
      floorNote,
      "",
      "",
      "",
      `≤ 1 s: ${u! <= 1000 ? "met" : "MISSED"}`,
    ],
    [`redo (undo of the undo), ${label}`, ms(d!), "", "", "", "", `≤ 1 s: ${d! <= 1000 ? "met" : "MISSED"}`],
  ];
  if (withShare)
    rows.push([
      "recorded pip install, 12,000 files",
      ms(r!),
      `pip alone ${ms(p!)}`,
      "",
      "",
      "",
      `pyctl's share ${own.toFixed(1)}% of its pip's run (≤ 5%: ${own <= 5 ? "met" : "MISSED"}; ` +
        `linking its files once after pip, as the store did before staging: cp -al ${((s! / p!) * 100).toFixed(1)}% of pip alone)`,
    ]);
  return rows;
}

/** 1,000 history entries of the big venv: the newest real pair, copied under new ids. */
function longHistory(sb: Sandbox): string[][] {
  const dir = join(sb.pyctlHome, PY_KEY, "history");
  const afters = readdirSync(dir)
    .filter((f) => f.endsWith("_after.json"))
    .sort();
  const last = Number.parseInt(afters.at(-1)!, 10);
  const before = JSON.parse(readFileSync(join(dir, `${String(last).padStart(3, "0")}_before.json`), "utf8"));
  const after = JSON.parse(readFileSync(join(dir, afters.at(-1)!), "utf8"));
  for (let id = last + 1; id <= last + 1000 - afters.length; id++) {
    const name = String(id).padStart(3, "0");
    writeFileSync(join(dir, `${name}_before.json`), JSON.stringify({ ...before, id }));
    writeFileSync(join(dir, `${name}_after.json`), JSON.stringify({ ...after, id }));
  }
  must(run(sb, ["config", "history.max_entries", "2000"]), "config");
  const rows: string[][] = [];
  for (const args of [["list"], ["status"], ["history", "--limit", "10"]]) {
    pyctl(sb, ...args); // warm: the history index is built once
    const took = median(Array.from({ length: 11 }, () => pyctl(sb, ...args)));
    rows.push([
      `pyctl ${args.join(" ")}, 1,000 entries`,
      ms(took),
      "",
      "",
      "",
      "",
      `≤ 30 ms: ${took <= 30 ? "met" : "MISSED"}`,
    ]);
  }
  return rows;
}

const sb = makeSandbox();
must(run(sb, ["init", "--python", PYTHON]), "pyctl init");
const wheels = join(sb.dir, "switch-wheels");
buildWheels(wheels);
// A venv of the base packages only: the huge install's own cost, without a big venv to clone.
const fresh = makeSandbox();
must(run(fresh, ["init", "--python", PYTHON]), "pyctl init");
const rows = [
  ["operation", "pyctl", "clean + restore", "ratio", "seed's method", "ratio", "target"],
  ...(await switches(sb, wheels)),
  ...(await undoRedo(fresh, wheels, "fresh venv", true)),
  ...(await undoRedo(sb, wheels, "in the big venv", false)),
  ...longHistory(sb),
];
fresh.cleanup();
printTable(`switches at the speed of the file system (pyctl: median of ${RUNS}; seed's method: 1 run)`, rows);
sb.cleanup();
teardown();
