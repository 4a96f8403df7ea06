/**
 * What the hook costs, side by side in one run: an interactive shell whose rc file holds only
 * the hook line against one with an empty rc file (bash, zsh, fish, and `pyenv init -` for
 * scale when pyenv is here); and `pip list` through the hook's function against the venv's own
 * pip. Prints medians in ms and the difference; it passes or fails nothing.
 *
 *   bun bench/shell-startup.ts [--runs N]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPyctl } from "../scripts/build.ts";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 30;
const dir = mkdtempSync(join(tmpdir(), "pyctl-bench-"));
const bin = join(dir, "bin");
mkdirSync(bin);

function build(): string {
  const out = join(bin, "pyctl");
  if (!buildPyctl(out)) throw new Error("bun build failed");
  return out;
}

const pyctl = build();
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

function timeOnce(command: string[], extra: Record<string, string> = {}): number {
  const started = performance.now();
  const result = Bun.spawnSync(command, { env: { ...env, ...extra }, stdout: "ignore", stderr: "ignore", stdin: "ignore" });
  const elapsed = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")} exited ${result.exitCode}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs a and b alternately (after a warm-up), so load on the machine hits both alike. */
function compare(a: () => number, b: () => number): [number, number] {
  for (let i = 0; i < 3; i++) {
    a();
    b();
  }
  const as: number[] = [],
    bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(a());
    bs.push(b());
  }
  return [median(as), median(bs)];
}

type Shell = "bash" | "zsh" | "fish";

/** An interactive shell that reads `rc` and exits. */
function shellStart(shell: Shell, rc: string): () => number {
  const config = mkdtempSync(join(dir, `${shell}-`));
  if (shell === "bash") {
    writeFileSync(join(config, "bashrc"), rc);
    return () => timeOnce(["bash", "--noprofile", "--rcfile", join(config, "bashrc"), "-i", "-c", "exit"]);
  }
  if (shell === "zsh") {
    writeFileSync(join(config, ".zshrc"), rc);
    return () => timeOnce(["zsh", "-i", "-c", "exit"], { ZDOTDIR: config });
  }
  mkdirSync(join(config, "fish"));
  writeFileSync(join(config, "fish", "config.fish"), rc);
  return () => timeOnce(["fish", "-i", "-c", "exit"], { XDG_CONFIG_HOME: config });
}

const HOOK_LINES: Record<Shell, string> = {
  bash: `eval "$(${pyctl} hook bash)"`,
  zsh: `eval "$(${pyctl} hook zsh)"`,
  fish: `${pyctl} hook fish | source`,
};

const rows: string[][] = [["shell start-up", "empty rc", "rc with the line", "added"]];
const fmt = (ms: number) => ms.toFixed(1);
const added = (a: number, b: number) => `${b - a >= 0 ? "+" : ""}${fmt(b - a)}`;

// The floor: what starting the compiled pyctl at all costs a shell, with no hook work.
{
  const [empty, started] = compare(shellStart("bash", ""), shellStart("bash", `: "$(${pyctl} --version)"`));
  rows.push([`bash: : "$(pyctl --version)" (Bun start-up alone)`, fmt(empty), fmt(started), added(empty, started)]);
}
for (const shell of ["bash", "zsh", "fish"] as Shell[]) {
  if (!Bun.which(shell)) continue;
  const [empty, hooked] = compare(shellStart(shell, ""), shellStart(shell, HOOK_LINES[shell]));
  rows.push([`${shell}: ${HOOK_LINES[shell].replace(pyctl, "pyctl")}`, fmt(empty), fmt(hooked), added(empty, hooked)]);
}

const pyenvRoot = process.env.PYENV_ROOT || join(process.env.HOME ?? "/root", ".pyenv");
if (existsSync(join(pyenvRoot, "bin", "pyenv"))) {
  const line = `export PYENV_ROOT='${pyenvRoot}'; export PATH="$PYENV_ROOT/bin:$PATH"; eval "$(pyenv init -)"`;
  const [empty, hooked] = compare(shellStart("bash", ""), shellStart("bash", line));
  rows.push(['bash: eval "$(pyenv init -)" (for scale)', fmt(empty), fmt(hooked), added(empty, hooked)]);
}

// pip list: the venv's pip itself against the hook's `pip` function (which runs that same pip).
const init = Bun.spawnSync([pyctl, "init"], { env, stdout: "ignore", stderr: "pipe" });
if (init.exitCode !== 0) throw new Error(`pyctl init failed: ${init.stderr.toString()}`);
const hookFile = join(dir, "hook.bash");
writeFileSync(hookFile, Bun.spawnSync([pyctl, "hook", "bash"], { env }).stdout.toString());
const venvPip = join(
  env.PYCTL_HOME!,
  `py${Bun.spawnSync(["python3", "-c", "import sys; print('%d%d' % sys.version_info[:2])"]).stdout.toString().trim()}`,
  "venv",
  "bin",
  "pip",
);
const [direct, wrapped] = compare(
  () => timeOnce(["bash", "--norc", "-c", `. ${hookFile}; ${venvPip} list`]),
  () => timeOnce(["bash", "--norc", "-c", `. ${hookFile}; pip list`]),
);
const pipRows = [
  ["pip list", "venv's pip", "pip function", "difference"],
  ["bash", fmt(direct), fmt(wrapped), added(direct, wrapped)],
];

function print(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const row of table) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("   "));
}

console.log(`median of ${runs} runs each, in ms, alternating the two columns\n`);
print(rows);
console.log("");
print(pipRows);
rmSync(dir, { recursive: true, force: true });
