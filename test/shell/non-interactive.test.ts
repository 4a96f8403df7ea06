/**
 * The venv's bin on PATH in shells nobody types into (issue 20): cron's `bash -lc`, a command
 * over ssh (bash with SSH_CLIENT set reads ~/.bashrc non-interactively), `fish -c`. A temp HOME
 * seeded with Debian's /etc/skel files, whose ~/.bashrc returns early when not interactive:
 * setup-shell puts its block before that guard. (`zsh -c` reads only ~/.zshenv: the README says
 * so, and what to add there.)
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox, pyctlBin, sh, type Sandbox } from "../support/env.ts";

// The preload's default timeout reaches only the first file of a run (Bun 1.4.5): set it here too.
setDefaultTimeout(120_000);

let sb: Sandbox;
let bashrc: string;
/** What sshd, cron or login give a shell: a bare PATH, no SHLVL. */
let bareEnv: Record<string, string | undefined>;

beforeAll(() => {
  sb = makeSandbox();
  for (const name of readdirSync("/etc/skel")) copyFileSync(join("/etc/skel", name), join(sb.home, name));
  bashrc = readFileSync(join(sb.home, ".bashrc"), "utf8");
  const localBin = join(sb.home, ".local", "bin");
  mkdirSync(localBin, { recursive: true });
  symlinkSync(pyctlBin(), join(localBin, "pyctl"));
  mkdirSync(join(sb.dir, "data", "fish", "generated_completions"), { recursive: true });
  bareEnv = { PATH: "/usr/local/bin:/usr/bin:/bin", XDG_DATA_HOME: join(sb.dir, "data") };
  for (const args of [["init"], ["setup-shell"], ["pip", "--", "install", "-q", "alpha==1.1"]])
    expect(sh([join(localBin, "pyctl"), ...args], sb, { env: bareEnv }).code).toBe(0);
});

afterAll(() => sb?.cleanup());

test("the block sits before Debian's 'If not running interactively' return, and leaves byte for byte", () => {
  const text = readFileSync(join(sb.home, ".bashrc"), "utf8");
  expect(text.indexOf("# >>> pyctl >>>")).toBeLessThan(text.indexOf("# If not running interactively"));
  const pyctl = join(sb.home, ".local", "bin", "pyctl");
  expect(sh([pyctl, "setup-shell"], sb, { env: bareEnv }).stdout).toContain("already there");
  expect(sh([pyctl, "setup-shell", "--remove"], sb, { env: bareEnv }).code).toBe(0);
  expect(readFileSync(join(sb.home, ".bashrc"), "utf8")).toBe(bashrc);
  expect(sh([pyctl, "setup-shell"], sb, { env: bareEnv }).code).toBe(0);
});

const WAYS: [string, string[], Record<string, string>][] = [
  ["cron's bash -lc", ["bash", "-l", "-c"], {}],
  ["a command over ssh (bash -c, SSH_CLIENT set)", ["bash", "-c"], { SSH_CLIENT: "192.0.2.1 50000 22" }],
  ["fish -c", ["fish", "-c"], {}],
  ["fish -l -c", ["fish", "-l", "-c"], {}],
];

test.each(WAYS)("%s: the venv's script runs by name, silently", (_way, argv, extra) => {
  const r = sh([...argv, "alpha"], sb, { env: { ...bareEnv, ...extra } });
  expect(r).toMatchObject({ code: 0, stdout: "alpha 1.1\n", stderr: "" });
});
