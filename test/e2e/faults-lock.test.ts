// "The lock dies with pyctl, not with pip" (issue 9): pyctl's pip inherits the venv's lock, so
// kill -9 of pyctl alone leaves the venv locked until its orphaned pip exits; a second write waits.
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { pyctlBin } from "../support/env.ts";
import { initSandbox, inventory, ok, pip } from "../support/venv-fixtures.ts";

/** Children of `pid` (pgrep -P). */
function childrenOf(pid: number): number[] {
  return (
    Bun.spawnSync(["pgrep", "-P", String(pid)])
      .stdout.toString()
      .match(/\d+/g) ?? []
  ).map(Number);
}

const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !/^\S+ \S+ Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/\(.*\)/, "x"));

async function readUntil(stream: ReadableStream<Uint8Array>, marker: string): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`ended before "${marker}":\n${text}`);
    text += decoder.decode(value);
  }
  reader.releaseLock();
  return text;
}

test("kill -9 of pyctl alone while its pip runs: a second write waits until that pip has exited", async () => {
  const sb = initSandbox();
  // slowpkg's download stalls half-way (test/support/package-index.ts), so its pip runs until killed.
  const first = Bun.spawn([pyctlBin(), "pip", "--", "install", "--progress-bar", "off", "slowpkg"], {
    env: sb.env,
    cwd: sb.home,
    stdout: "pipe",
    stderr: "pipe",
  });
  await readUntil(first.stdout, "Collecting slowpkg");
  const [orphan] = childrenOf(first.pid);
  expect(orphan).toBeDefined();
  first.kill("SIGKILL");
  await first.exited;
  expect(alive(orphan!)).toBe(true);

  const second = Bun.spawn([pyctlBin(), "pip", "--", "install", "-q", "alpha==1.0"], {
    env: sb.env,
    cwd: sb.home,
    stdout: "pipe",
    stderr: "pipe",
  });
  const waiting = await readUntil(second.stderr, "waiting for");
  expect(waiting).toContain(`pid ${first.pid} (pip install --progress-bar off slowpkg)`);
  expect(second.exitCode).toBeNull(); // still waiting: the orphaned pip holds the lock
  expect(alive(orphan!)).toBe(true);

  process.kill(orphan!, "SIGKILL");
  expect(await second.exited).toBe(0);
  expect(inventory(sb)).toContain("alpha-1.0.dist-info");
  ok(pip(sb, "uninstall", "-y", "-q", "alpha"));
});
