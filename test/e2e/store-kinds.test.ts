// The package store holds every install kind (issue 9, Deliver 3): editables, local-file wheels,
// VCS installs and sdists built locally come back offline, with the index unreachable.
import { beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fixtures, run, sh, type Sandbox } from "../support/env.ts";
import { writeProject } from "../support/project.ts";
import {
  initSandbox,
  inventory,
  lastEntry,
  ok,
  pip,
  pipFreeze,
  python,
  script,
  sitePackages,
  versionDir,
} from "../support/venv-fixtures.ts";

/** The index at a closed port: pip fails at once if anything reaches for it. */
const OFFLINE = { PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_RETRIES: "0", PIP_TIMEOUT: "1" };
const offline = (sb: Sandbox, args: string[]) => run(sb, args, { env: OFFLINE });

function expectNoDownload(r: { stdout: string; stderr: string }): void {
  expect(r.stderr).not.toContain("pip downloads");
  expect(r.stdout).not.toContain("to download with pip");
}

function git(sb: Sandbox, cwd: string, ...args: string[]): void {
  ok(
    sh(
      ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main", ...args],
      sb,
      { cwd },
    ),
  );
}

describe("the store holds every install kind", () => {
  let sb: Sandbox;
  beforeAll(() => {
    sb = initSandbox();
  });

  test("undo of `pip uninstall` of an editable works offline, though building it needs the index", () => {
    // Its build backend needs epsilon from the index (build isolation): pip cannot build it offline.
    const project = writeProject(join(sb.dir, "edit"), "editx", "0.1", "editx", {
      buildRequires: ["epsilon"],
      finder: true,
    });
    ok(pip(sb, "install", "-q", "-e", project));
    const frozen = pipFreeze(sb);
    expect(frozen).toContain(`-e ${project}`);
    ok(pip(sb, "uninstall", "-y", "editx"));
    // Proof that pip alone cannot bring it back offline:
    const direct = sh(
      [join(versionDir(sb), "venv", "bin", "python"), "-m", "pip", "install", "-q", "-e", project],
      sb,
      { env: OFFLINE },
    );
    expect(direct.code).not.toBe(0);
    const undo = ok(offline(sb, ["undo"]));
    expectNoDownload(undo);
    expect(pipFreeze(sb)).toBe(frozen);
    expect(python(sb, "import editx; print(editx.VALUE)")).toBe("editx 0.1");
    expect(existsSync(join(sitePackages(sb), "__editable___editx_finder.py"))).toBe(true);
    expect(script(sb, "editx-cli")).toBe("editx 0.1");
    expect(readdirSync(join(versionDir(sb), "store", "editx")).some((e) => e.startsWith("0.1@"))).toBe(true);
  });

  test("a wheel installed from a file that was later deleted comes back, beside the index's same version", async () => {
    const { wheelDir } = await fixtures();
    ok(pip(sb, "install", "-q", "alpha==1.1"));
    ok(pip(sb, "uninstall", "-y", "alpha"));
    const local = join(sb.dir, "local-wheels");
    mkdirSync(local, { recursive: true });
    const wheel = join(local, "alpha-1.1-py3-none-any.whl");
    copyFileSync(join(wheelDir, "alpha-1.1-py3-none-any.whl"), wheel);
    ok(pip(sb, "install", "-q", wheel));
    const frozen = pipFreeze(sb);
    expect(frozen).toContain(`alpha @ file://${wheel}`);
    rmSync(local, { recursive: true });
    ok(pip(sb, "uninstall", "-y", "alpha"));
    const undo = ok(offline(sb, ["undo"]));
    expectNoDownload(undo);
    expect(pipFreeze(sb)).toBe(frozen);
    expect(script(sb, "alpha")).toBe("alpha 1.1");
    // Both origins of alpha 1.1 are stored, each in its own entry.
    const entries = readdirSync(join(versionDir(sb), "store", "alpha")).filter((e) => e.startsWith("1.1"));
    expect(entries.length).toBe(2);
    ok(pip(sb, "uninstall", "-y", "alpha"));
  });

  test("a wheel installed from an http URL comes back with the index unreachable", async () => {
    const { index } = await fixtures();
    const url = `${index.url}/files/delta-1.5-py3-none-any.whl`;
    ok(pip(sb, "install", "-q", url));
    const frozen = pipFreeze(sb);
    expect(frozen).toContain(`delta @ ${url}`);
    ok(pip(sb, "uninstall", "-y", "delta"));
    expectNoDownload(ok(offline(sb, ["undo"])));
    expect(pipFreeze(sb)).toBe(frozen);
    ok(pip(sb, "uninstall", "-y", "delta"));
  });

  test("a VCS install (git+file://) comes back offline after its repository is deleted", () => {
    const repo = writeProject(join(sb.dir, "repo"), "vcsx", "0.3", "vcsx");
    git(sb, repo, "init", "-q");
    git(sb, repo, "add", ".");
    git(sb, repo, "commit", "-q", "-m", "init");
    ok(pip(sb, "install", "-q", `git+file://${repo}`));
    const frozen = pipFreeze(sb);
    expect(frozen).toMatch(/vcsx @ git\+file:\/\/.*@[0-9a-f]{40}/);
    rmSync(repo, { recursive: true });
    ok(pip(sb, "uninstall", "-y", "vcsx"));
    const undo = ok(offline(sb, ["undo"]));
    expectNoDownload(undo);
    expect(pipFreeze(sb)).toBe(frozen);
    expect(python(sb, "import vcsx; print(vcsx.VALUE)")).toBe("vcsx 0.3");
  });

  test("an sdist built locally comes back offline after the archive is deleted", () => {
    const src = join(sb.dir, "sdist-src");
    writeProject(join(src, "sdistx-0.2"), "sdistx", "0.2", "sdistx");
    const archive = join(sb.dir, "sdistx-0.2.tar.gz");
    ok(sh(["tar", "-C", src, "-czf", archive, "sdistx-0.2"], sb));
    rmSync(src, { recursive: true });
    ok(pip(sb, "install", "-q", archive));
    const frozen = pipFreeze(sb);
    expect(frozen).toContain("sdistx @ file://");
    rmSync(archive);
    ok(pip(sb, "uninstall", "-y", "sdistx"));
    expectNoDownload(ok(offline(sb, ["undo"])));
    expect(pipFreeze(sb)).toBe(frozen);
    expect(python(sb, "import sdistx; print(sdistx.VALUE)")).toBe("sdistx 0.2");
  });

  test("`pyctl clean` then `pyctl undo`, offline, with an editable in the venv restores everything", () => {
    ok(pip(sb, "install", "-q", "beta==2.0"));
    const before = pipFreeze(sb);
    const dists = inventory(sb);
    expect(before).toContain("-e ");
    ok(offline(sb, ["clean", "--yes"]));
    expect(pipFreeze(sb)).not.toContain("beta");
    const undo = ok(offline(sb, ["undo"]));
    expectNoDownload(undo);
    expect(pipFreeze(sb)).toBe(before);
    expect(inventory(sb)).toEqual(dists);
    expect(python(sb, "import editx, vcsx, sdistx, beta; print(editx.VALUE)")).toBe("editx 0.1");
    expect(script(sb, "beta")).toBe("beta 2.0");
    expect(script(sb, "editx-cli")).toBe("editx 0.1");
  });

  test("snapshot + clean + restore, offline, brings every kind back", () => {
    const before = pipFreeze(sb);
    ok(run(sb, ["snapshot", "kinds"]));
    ok(offline(sb, ["clean", "--yes"]));
    const restore = ok(offline(sb, ["restore", "kinds"]));
    expectNoDownload(restore);
    expect(pipFreeze(sb)).toBe(before);
    ok(offline(sb, ["undo", "2"])); // back to before the clean
    expect(pipFreeze(sb)).toBe(before);
  });

  test("when an editable's source folder is gone, undo says so and restores the rest", () => {
    ok(offline(sb, ["clean", "--yes"]));
    rmSync(join(sb.dir, "edit"), { recursive: true });
    const undo = ok(offline(sb, ["undo"]));
    expectNoDownload(undo);
    expect(undo.stderr).toContain(
      `left out -e ${join(sb.dir, "edit")}: its source folder ${join(sb.dir, "edit")} is gone`,
    );
    const frozen = pipFreeze(sb);
    expect(frozen).not.toContain("editx");
    for (const name of ["beta==2.0", "vcsx @ git+file://", "sdistx @ file://"]) expect(frozen).toContain(name);
    expect(lastEntry(sb)).toMatchObject({ kind: "undo", exit_code: 0 });
    expect(existsSync(join(versionDir(sb), "venv.staging"))).toBe(false);
  });
});
