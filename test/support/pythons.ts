/** Discovery of the real Python interpreters on this machine (never pyenv shims or venvs). */
import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync } from "node:fs";
import { join } from "node:path";

export interface Pythons {
  /** The distro's externally-managed interpreter, e.g. /usr/bin/python3.11. */
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
  const roots = new Set([process.env.PYENV_ROOT, "/root/.pyenv"].filter((r): r is string => !!r));
  for (const root of roots) {
    const versions = list(join(root, "versions")).filter((v) => /^\d+\.\d+\.\d+$/.test(v));
    for (const v of versions.sort(patchOrder)) {
      const dir = join(root, "versions", v);
      if (existsSync(join(dir, "pyvenv.cfg"))) continue;
      found.push(join(dir, "bin", `python${v.split(".").slice(0, 2).join(".")}`));
    }
  }
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir || dir.includes("/shims") || dir.includes(".pyenv")) continue;
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

/** Two distinct minor versions, preferring 3.11 and 3.12; undefined when fewer exist. */
export function twoVersions(): [Python, Python] | undefined {
  const { byVersion } = pythons();
  const order = ["3.11", "3.12", ...[...byVersion.keys()].sort(patchOrder)];
  const picked = [...new Set(order)].filter((v) => byVersion.has(v)).slice(0, 2);
  if (picked.length < 2) return undefined;
  const [a, b] = picked.map((version) => ({ version, exe: byVersion.get(version)! }));
  return [a!, b!];
}
