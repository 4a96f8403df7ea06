/** pyctl started as a terminal's foreground job: in a process group of its own, which a test can signal whole. */
import { pyctlBin, type Sandbox } from "./env.ts";

export interface GroupPaused {
  pid: number;
  exited: Promise<number>;
}

/** Starts pyctl with PYCTL_TEST_PAUSE=phase in its own process group; resolves once it waits there. */
export async function pausedInGroup(
  sb: Sandbox,
  args: string[],
  phase: string,
  env: Record<string, string> = {},
): Promise<GroupPaused> {
  const child = Bun.spawn([pyctlBin(), ...args], {
    env: { ...sb.env, ...env, PYCTL_TEST_PAUSE: phase },
    cwd: sb.home,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    detached: true,
  });
  const reader = child.stderr.getReader();
  const decoder = new TextDecoder();
  let stderr = "";
  while (!stderr.includes(`test pause at ${phase}`)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`pyctl ended before pausing at ${phase}:\n${stderr}`);
    stderr += decoder.decode(value);
  }
  return { pid: child.pid, exited: child.exited };
}
