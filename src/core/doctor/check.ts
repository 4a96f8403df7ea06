/**
 * One doctor finding, as data: { id, ok, message, fix?, repair? }. `fix` says in words what the
 * user can do; `repair` is what `doctor --fix` can do safely by itself (operations/doctor-repair.ts carries it out).
 */
export type Repair =
  | { kind: "rebuild"; version: string }
  | { kind: "relink"; version: string }
  | { kind: "ensurepip"; version: string }
  | { kind: "remove"; paths: string[] }
  | { kind: "recover-staging"; version: string }
  | { kind: "finish-entries"; version: string; ids: number[] }
  | { kind: "permissions"; paths: string[] }
  | { kind: "prune-unowned"; version: string; paths: string[] }
  | { kind: "restore-dists"; version: string; pins: string[] };

export interface Check<R = Repair> {
  /** Stable id, e.g. "config", "interpreter:3.11". */
  id: string;
  ok: boolean;
  message: string;
  fix?: string;
  repair?: R;
}

export function pass<R = Repair>(id: string, message: string): Check<R> {
  return { id, ok: true, message };
}

export function problem<R = Repair>(id: string, message: string, fix?: string, repair?: R): Check<R> {
  return { id, ok: false, message, ...(fix ? { fix } : {}), ...(repair ? { repair } : {}) };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}
