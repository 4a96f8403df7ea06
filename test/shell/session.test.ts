/**
 * The hook in real interactive bash, zsh and fish (on a pty): one session per shell walks
 * through installing, importing, running scripts, project venvs, conda, two Python versions,
 * exit statuses, verbatim arguments and Ctrl-C — with a counting stub proving which commands
 * start pyctl at all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { probeInterpreter } from "../../src/core/python/interpreter.ts";
import { createVenv } from "../../src/core/python/create-venv.ts";
import { fixtures, PY, twoVersions, untilStalled } from "../support/env.ts";
import { hookEnv, SYNTAX, type HookEnv } from "./hook-env.ts";
import { Session, waitFor, type ShellName } from "./tty.ts";

const PYTHON = PY.exe;
const second = twoVersions()?.find((p) => p.version !== PY.version);
const PRINT_PREFIX = `-c 'import sys; print(sys.prefix)'`;

describe.each(["bash", "zsh", "fish"] as ShellName[])("%s with the hook", (shell) => {
  const say = SYNTAX[shell];
  let env: HookEnv;
  let s: Session;
  let venv: string;
  // The rc aliases python=python3 before the hook; `\python` skips that alias in bash and zsh
  // (in fish an alias is a function, which the hook's python replaces).
  const py = shell === "fish" ? "python" : "\\python";

  beforeAll(async () => {
    env = hookEnv();
    if (second) env.sb.addPython(second.exe);
    venv = join(env.sb.pyctlHome, PY.key, "venv");
    // A stand-in `alpha` later on PATH: bash and zsh remember where they found it.
    writeFileSync(join(env.sb.bin, "alpha"), "#!/bin/sh\necho stand-in alpha\n");
    chmodSync(join(env.sb.bin, "alpha"), 0o755);
    const alias = shell === "fish" ? "alias python python3" : "alias python=python3";
    s = new Session(shell, { env: env.sb.env, rc: `${alias}\nsource ${env.hookFile(shell)}`, parent: env.sb.dir });
    await s.ready();
  });

  afterAll(() => {
    s?.close();
    env?.sb.cleanup();
  });

  test("starts silently and marks the hook active for pyctl status", async () => {
    expect(s.screen()).not.toMatch(/error|not found|pyctl:|warning/i);
    const status = await s.run("pyctl status --json");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out).hook).toEqual({ active: true, shell });
  });

  test("pip install creates the venv, records it, and its script runs by name at once", async () => {
    expect((await s.run("alpha")).out).toBe("stand-in alpha\n");
    const install = await s.run("pip install alpha==1.0");
    expect(install.code).toBe(0);
    expect(install.out).toContain(`created ${venv}`);
    expect((await s.run("alpha")).out).toBe("alpha 1.0\n");
    expect(env.calls()).toEqual([["pip", "--python", PY.version, "--as", "pip", "--", "install", "alpha==1.0"]]);
    expect(env.history(PY.version).map((h) => h.command)).toEqual(["pip install alpha==1.0"]);
  });

  test("python imports from the venv (through the user's alias python=python3 too)", async () => {
    const imported = await s.run(`python -c 'import alpha; print(alpha.__version__, alpha.__file__)'`);
    expect(imported.out).toBe(`1.0 ${venv}/lib/python${PY.version}/site-packages/alpha.py\n`);
    expect((await s.run(`${py} ${PRINT_PREFIX}`)).out).toBe(`${venv}\n`);
  });

  test(`pip3, pip${PY.version} and every spelling of python -m pip install and are recorded by that name`, async () => {
    const lines = [
      "pip3 install beta==1.0",
      `pip${PY.version} install delta==1.0`,
      `${py} -m pip install epsilon`,
      `python${PY.version} -m pip install Mixed_Case.Name`,
      "python -Impip install zeta==1.0",
    ];
    for (const line of lines) expect(await s.run(line)).toMatchObject({ code: 0 });
    const recorded = env
      .history(PY.version)
      .map((h) => h.command)
      .reverse();
    expect(recorded).toEqual([
      "pip install alpha==1.0",
      "pip3 install beta==1.0",
      `pip${PY.version} install delta==1.0`,
      "python -m pip install epsilon",
      `python${PY.version} -m pip install Mixed_Case.Name`,
      `${shell === "fish" ? "python" : "python3"} -m pip install zeta==1.0`,
    ]);
    const freeze = await s.run("pip freeze");
    expect(freeze.out.split("\n").filter(Boolean).sort()).toEqual(
      ["Mixed_Case.Name==1.0", "alpha==1.0", "beta==1.0", "delta==1.0", "epsilon==1.0", "eta==1.0", "zeta==1.0"].sort(),
    );
  });

  test("read-only pip and python start no pyctl; --user and PIP_USER go through it", async () => {
    const before = env.calls().length;
    const reads = [
      "pip list",
      "pip3 show alpha",
      "pip --version",
      `pip${PY.version} freeze`,
      "pip",
      "pip help install",
      "pip --timeout 5 list",
      "python -m pip list",
      `python${PY.version} -m pip show beta`,
      `python ${PRINT_PREFIX}`,
      "python3 -V",
    ];
    for (const line of reads) expect(await s.run(line)).toMatchObject({ code: 0 });
    expect((await s.run("pip --version")).out).toContain(`${venv}/lib/python${PY.version}/site-packages/pip`);
    expect(env.calls().length).toBe(before);
    const user = await s.run("pip list --user");
    expect(user.code).toBe(0);
    expect(user.out).toContain("ignoring --user");
    expect((await s.run("PIP_USER=1 pip list")).out).toContain("ignoring PIP_USER=1:");
    expect(env.calls().length).toBe(before + 2);
  });

  test("exit statuses pass through, and $? survives between prompts", async () => {
    for (const code of [1, 2, 127, 130]) {
      expect((await s.run(`python -c 'import sys; sys.exit(${code})'`)).code).toBe(code);
    }
    expect((await s.run("pip list --no-such-option")).code).toBe(2);
    expect((await s.run("pip install --no-such-option")).code).toBe(2);
    expect((await s.run(`pip${PY.version} install --no-index does-not-exist`)).code).toBe(1);
    s.type("sh -c 'exit 42'");
    expect((await s.run(say.lastStatus)).out).toBe("42\n");
  });

  test("arguments reach python and pyctl verbatim: spaces, quotes, globs, $(...)", async () => {
    const args = `'a b' '"q"' '*' '$(echo hi)' "it's" ''`;
    const echoed = await s.run(`python -c 'import sys; print(sys.argv[1:])' ${args}`);
    expect(echoed.out).toBe(`['a b', '"q"', '*', '$(echo hi)', "it's", '']\n`);
    await s.run(`${py} -m pip install --dry-run ${args}`);
    expect(env.calls().at(-1)).toEqual([
      "pip",
      "--python",
      PY.version,
      "--as",
      "python -m pip",
      "--",
      "install",
      "--dry-run",
      "a b",
      '"q"',
      "*",
      "$(echo hi)",
      "it's",
      "",
    ]);
  });

  test("an activated project venv owns pip and python; nothing is recorded; deactivate routes back", async () => {
    const project = join(s.dir, "project");
    createVenv(probeInterpreter(PYTHON), project, join(env.sb.env.XDG_CACHE_HOME!, "pyctl", "seeds"));
    const calls = env.calls().length,
      recorded = env.history(PY.version).length;
    await s.run(`source ${project}/${say.activate}`);
    try {
      expect(await s.run("pip install alpha==1.1")).toMatchObject({ code: 0 });
      expect(existsSync(join(project, "lib", `python${PY.version}`, "site-packages", "alpha-1.1.dist-info"))).toBe(
        true,
      );
      expect((await s.run(`python ${PRINT_PREFIX}`)).out).toBe(`${project}\n`);
      expect((await s.run(`python -c 'import alpha; print(alpha.__version__)'`)).out).toBe("1.1\n");
      // Re-reading the hook while the project venv is active keeps it first and adds nothing twice.
      await s.run(`source ${env.hookFile(shell)}`);
      const path = (await s.run(say.path)).out.trim().split(":");
      expect(path.slice(0, 2)).toEqual([`${project}/bin`, `${venv}/bin`]);
      expect(path.filter((p) => p === `${venv}/bin`)).toHaveLength(1);
      expect(env.calls().length).toBe(calls);
      expect(env.history(PY.version).length).toBe(recorded);
    } finally {
      await s.run("deactivate");
    }
    expect((await s.run(`python ${PRINT_PREFIX}`)).out).toBe(`${venv}\n`);
    const after = (await s.run(say.path)).out.trim().split(":");
    expect(after[0]).toBe(`${venv}/bin`);
    expect(after.filter((p) => p === `${venv}/bin`)).toHaveLength(1);
    expect((await s.run("alpha")).out).toBe("alpha 1.0\n");
    // A venv folder that is gone is no project venv.
    expect((await s.run(`VIRTUAL_ENV=${project}-gone python ${PRINT_PREFIX}`)).out).toBe(`${venv}\n`);
  });

  test("a conda env other than base owns pip and python; base does not", async () => {
    const conda = join(s.dir, "conda-env");
    mkdirSync(join(conda, "bin"), { recursive: true });
    mkdirSync(join(conda, "conda-meta"));
    for (const name of ["pip", "pip3", "python", "python3"]) {
      writeFileSync(join(conda, "bin", name), `#!/bin/sh\necho conda ${name} "$@"\n`);
      chmodSync(join(conda, "bin", name), 0o755);
    }
    const calls = env.calls().length;
    const path = (await s.run(say.path)).out.trim();
    await s.run(say.setenv("CONDA_PREFIX", conda));
    await s.run(say.setenv("CONDA_DEFAULT_ENV", "work"));
    await s.run(say.setenv("PATH", `${conda}/bin:${path}`));
    try {
      expect((await s.run("pip install alpha")).out).toBe("conda pip install alpha\n");
      expect((await s.run(`${py} -V`)).out).toBe("conda python -V\n");
      expect((await s.run("python3 -m pip list")).out).toBe("conda python3 -m pip list\n");
      expect(env.calls().length).toBe(calls);
      await s.run(say.setenv("CONDA_DEFAULT_ENV", "base"));
      expect((await s.run(`python ${PRINT_PREFIX}`)).out).toBe(`${venv}\n`);
    } finally {
      for (const name of ["CONDA_PREFIX", "CONDA_DEFAULT_ENV"]) await s.run(say.unset(name));
      await s.run(say.setenv("PATH", path));
    }
  });

  const secondTitle = `a second Python version gets its own venv and history${second ? "" : " (skipped: needs a second Python, e.g. pyenv's)"}`;
  test.skipIf(!second)(secondTitle, async () => {
    const v = second!.version,
      key = `py${v.replace(".", "")}`;
    const base = await s.run(`python${v} ${PRINT_PREFIX}`);
    expect(base.out.trim()).toBe(probePrefix(second!.exe));
    expect(await s.run(`pip${v} install alpha==2.0`)).toMatchObject({ code: 0 });
    expect(await s.run(`python${v} -m pip install delta==1.5`)).toMatchObject({ code: 0 });
    expect((await s.run(`python${v} -c 'import alpha; print(alpha.__version__)'`)).out).toBe("2.0\n");
    expect((await s.run(`python -c 'import alpha; print(alpha.__version__)'`)).out).toBe("1.0\n");
    expect((await s.run(`python${v} ${PRINT_PREFIX}`)).out).toBe(`${join(env.sb.pyctlHome, key, "venv")}\n`);
    expect(
      env
        .history(v)
        .map((h) => h.command)
        .reverse(),
    ).toEqual([`pip${v} install alpha==2.0`, `python${v} -m pip install delta==1.5`]);
    expect(env.history(PY.version).every((h) => !h.command.includes(v))).toBe(true);
  });

  test("Ctrl-C during an install leaves the shell usable and the operation recorded as interrupted", async () => {
    const historyDir = join(env.sb.pyctlHome, PY.key, "history");
    const entries = readdirSync(historyDir).length;
    const { index } = await fixtures();
    const stalls = index.stalls();
    const finished = s.start("pip install slowpkg");
    // pyctl has written the "before" entry, and pip is half-way through slowpkg's (stalled) download.
    await waitFor(
      () => readdirSync(historyDir).length > entries,
      30_000,
      () => s.screen(),
    );
    await untilStalled(index, stalls);
    s.keys("C-c");
    const result = await finished(25_000).catch(() => undefined);
    if (result) expect(result.code).toBe(130);
    expect((await s.run("echo still here")).out).toBe("still here\n");
    const latest = env.history(PY.version)[0]!;
    expect(latest).toMatchObject({ command: "pip install slowpkg", status: "interrupted", exit_code: 130 });
    expect((await s.run("pip list")).out).not.toContain("slowpkg");
  });
});

function probePrefix(exe: string): string {
  const result = Bun.spawnSync([exe, "-c", "import sys; print(sys.prefix)"]);
  return result.stdout.toString().trim();
}
