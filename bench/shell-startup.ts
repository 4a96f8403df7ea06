/**
 * What the hook costs a shell start, side by side in one run: an interactive bash, zsh and fish
 * whose rc file holds only pyctl's block (as `pyctl setup-shell` writes it: it sources the
 * rendered hook), against an empty rc file, and against `zoxide init` and `direnv hook` when
 * they are installed (`apt install zoxide direnv`; skipped otherwise), plus the hand-typed
 * `eval "$(pyctl hook SHELL)"`; and `pip list` through the hook's function against the venv's
 * own pip. Prints medians in ms and what each line adds, in wall time and in the shell's CPU
 * time (user + system: steadier on a busy machine); it passes or fails nothing. "Added" is the
 * median of each round's difference from the empty rc (a round runs every variant once, so load
 * that comes and goes hits both), with the middle half of those differences beside it.
 *
 * --baseline PYCTL adds another pyctl's block (say main's: `bun scripts/build.ts /tmp/pyctl-main`
 * in that checkout) to the same rounds, with its own rendered hooks, for a before/after in one run.
 *
 *   bun bench/shell-startup.ts [--runs N] [--baseline PYCTL]
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPyctl } from "../scripts/build.ts";

const option = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const runs = Number(option("--runs")) || 40;
const baseline = option("--baseline");
const dir = mkdtempSync(join(tmpdir(), "pyctl-bench-"));
const bin = join(dir, "bin");
mkdirSync(bin);
const pyctl = join(bin, "pyctl");
if (!buildPyctl(pyctl)) throw new Error("bun build failed");

const home = join(dir, "home");
mkdirSync(home);
const env: Record<string, string> = {
  PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
  HOME: home,
  LANG: "C.UTF-8",
  TERM: "dumb",
  NO_COLOR: "1",
  PYCTL_HOME: join(home, ".local", "python-packages"),
  PYCTL_TIER: "user",
  XDG_CACHE_HOME: join(dir, "cache"),
  XDG_DATA_HOME: join(dir, "data"),
  PIP_CONFIG_FILE: "/dev/null",
  PIP_DISABLE_PIP_VERSION_CHECK: "1",
};
// A first interactive fish otherwise spends its start generating man-page completions.
mkdirSync(join(env.XDG_DATA_HOME!, "fish", "generated_completions"), { recursive: true });

function must(command: string[]): string {
  const result = Bun.spawnSync(command, { env, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")}: ${result.stderr.toString()}`);
  return result.stdout.toString();
}

interface Sample {
  wall: number;
  cpu: number;
}

/** A variant's medians, and its median difference from the first variant, round by round (with the 25th-75th percentiles). */
interface Summary extends Sample {
  added: Sample;
  spread: [number, number];
}

function timeOnce(command: string[], extra: Record<string, string> = {}): Sample {
  const started = performance.now();
  const result = Bun.spawnSync(command, {
    env: { ...env, ...extra },
    stdout: "ignore",
    stderr: "ignore",
    stdin: "ignore",
  });
  const wall = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")} exited ${result.exitCode}`);
  return { wall, cpu: Number(result.resourceUsage.cpuTime.total) / 1000 };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) * q)]!;
}
const median = (values: number[]) => quantile(values, 0.5);

/** Runs each variant in turn, round after round (after a warm-up), so load hits all alike. */
function compare(variants: (() => Sample)[]): Summary[] {
  for (let i = 0; i < 3; i++) for (const v of variants) v();
  const samples: Sample[][] = variants.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, v] of variants.entries()) samples[j]!.push(v());
  }
  return samples.map((list) => {
    const diffs = list.map((x, i) => ({ wall: x.wall - samples[0]![i]!.wall, cpu: x.cpu - samples[0]![i]!.cpu }));
    const walls = diffs.map((d) => d.wall);
    return {
      wall: median(list.map((x) => x.wall)),
      cpu: median(list.map((x) => x.cpu)),
      added: { wall: median(walls), cpu: median(diffs.map((d) => d.cpu)) },
      spread: [quantile(walls, 0.25), quantile(walls, 0.75)],
    };
  });
}

type Shell = "bash" | "zsh" | "fish";

/** An interactive shell that reads `rc` (and nothing of the user's but that) and exits. */
function shellStart(shell: Shell, rc: string, extra: Record<string, string> = {}): () => Sample {
  const config = mkdtempSync(join(dir, `${shell}-`));
  if (shell === "bash") {
    writeFileSync(join(config, "bashrc"), rc);
    return () => timeOnce(["bash", "--noprofile", "--rcfile", join(config, "bashrc"), "-i", "-c", "exit"], extra);
  }
  if (shell === "zsh") {
    writeFileSync(join(config, ".zshrc"), rc);
    return () => timeOnce(["zsh", "-i", "-c", "exit"], { ...extra, ZDOTDIR: config });
  }
  mkdirSync(join(config, "fish"));
  writeFileSync(join(config, "fish", "config.fish"), rc);
  return () => timeOnce(["fish", "-i", "-c", "exit"], { ...extra, XDG_CONFIG_HOME: config });
}

// The baseline pyctl's blocks: ours with its paths, reading its own rendered hooks.
const baseBin = join(dir, "baseline");
const baseEnv = { XDG_CACHE_HOME: join(dir, "baseline-cache") };
if (baseline) {
  mkdirSync(baseBin);
  copyFileSync(baseline, join(baseBin, "pyctl"));
}
const baselineBlock = (shell: Shell) => block(shell).replaceAll(pyctl, join(baseBin, "pyctl")).replaceAll(bin, baseBin);

must([pyctl, "init"]);
must([pyctl, "setup-shell"]);
const RC: Record<Shell, string> = { bash: ".bashrc", zsh: ".zshrc", fish: ".config/fish/config.fish" };
const block = (shell: Shell) => readFileSync(join(home, RC[shell]), "utf8");
const OTHERS: Record<Shell, Record<string, string>> = {
  bash: { "zoxide init": `eval "$(zoxide init bash)"`, "direnv hook": `eval "$(direnv hook bash)"` },
  zsh: { "zoxide init": `eval "$(zoxide init zsh)"`, "direnv hook": `eval "$(direnv hook zsh)"` },
  fish: { "zoxide init": "zoxide init fish | source", "direnv hook": "direnv hook fish | source" },
};
const EVAL: Record<Shell, string> = {
  bash: `eval "$(pyctl hook bash)"`,
  zsh: `eval "$(pyctl hook zsh)"`,
  fish: "pyctl hook fish | source",
};

// Render each shell's hook once, then date what this run created back, as a day-old install
// would be (a hook rendered within a second of a change is rendered again, to be safe).
for (const shell of ["bash", "zsh", "fish"] as Shell[]) {
  shellStart(shell, block(shell))();
  if (baseline) shellStart(shell, baselineBlock(shell), baseEnv)();
}
const old = Date.now() / 1000 - 3600;
const made = [
  dir,
  bin,
  pyctl,
  home,
  env.PYCTL_HOME!,
  join(env.PYCTL_HOME!, "config.toml"),
  ...(baseline ? [baseBin, join(baseBin, "pyctl")] : []),
];
for (const path of made) utimesSync(path, old, old);

const rows: string[][] = [
  ["shell start-up (median ms)", "empty rc", "with the line", "added", "middle half", "added CPU"],
];
const fmt = (ms: number) => `${ms >= 0 ? "" : "-"}${Math.abs(ms).toFixed(1)}`;
const signed = (ms: number) => `${ms >= 0 ? "+" : ""}${fmt(ms)}`;

for (const shell of ["bash", "zsh", "fish"] as Shell[]) {
  if (!Bun.which(shell)) continue;
  const lines: [string, string, Record<string, string>?][] = [
    [`pyctl's block (sources the rendered hook)`, block(shell)],
  ];
  if (baseline) lines.push([`the baseline's block (${baseline})`, baselineBlock(shell), baseEnv]);
  for (const [name, line] of Object.entries(OTHERS[shell]))
    if (Bun.which(name.split(" ")[0]!)) lines.push([name, line]);
  lines.push([EVAL[shell], EVAL[shell].replace("pyctl", pyctl)]);
  const [empty, ...others] = compare([
    shellStart(shell, ""),
    ...lines.map(([, rc, extra]) => shellStart(shell, rc, extra)),
  ]);
  lines.forEach(([name], i) => {
    const { wall, added, spread } = others[i]!;
    rows.push([
      `${shell}: ${name}`,
      fmt(empty!.wall),
      fmt(wall),
      signed(added.wall),
      `${fmt(spread[0])}..${fmt(spread[1])}`,
      signed(added.cpu),
    ]);
  });
}

// pip list: the venv's pip itself against the hook's `pip` function (which runs that same pip).
const hookFile = join(dir, "hook.bash");
writeFileSync(hookFile, must([pyctl, "hook", "bash"]));
const version = must(["python3", "-c", "import sys; print('%d%d' % sys.version_info[:2])"]).trim();
const venvPip = join(env.PYCTL_HOME!, `py${version}`, "venv", "bin", "pip");
const [direct, wrapped] = compare([
  () => timeOnce(["bash", "--norc", "-c", `. ${hookFile}; ${venvPip} list`]),
  () => timeOnce(["bash", "--norc", "-c", `. ${hookFile}; pip list`]),
]);
const pipRows = [
  ["pip list", "venv's pip", "pip function", "added", "middle half", "added CPU"],
  [
    "bash",
    fmt(direct!.wall),
    fmt(wrapped!.wall),
    signed(wrapped!.added.wall),
    `${fmt(wrapped!.spread[0])}..${fmt(wrapped!.spread[1])}`,
    signed(wrapped!.added.cpu),
  ],
];

function print(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const row of table)
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("   "));
}

console.log(`median of ${runs} runs each, in ms, the variants of a shell taking turns\n`);
print(rows);
console.log("");
print(pipRows);
if (!existsSync(join(env.XDG_CACHE_HOME!, "pyctl", "hook.bash")))
  console.log("\n(no rendered hook was written: the block fell back to `pyctl hook` every time)");
rmSync(dir, { recursive: true, force: true });
