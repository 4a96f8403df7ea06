/**
 * A filesystem permission error as the one line a user should see: which path, which tier, and
 * what to do, instead of `internal error: EACCES`. Used by the CLI's last catch, so every command
 * (snapshot, config, delete-snapshot, doctor --fix …) run against a tier the user may not change
 * gets it, including ones added later.
 */
import { errnoCode, PyctlError } from "./errors.ts";
import { isRoot, Layout } from "./paths.ts";

const DENIED = new Set(["EACCES", "EPERM", "EROFS"]);

export function permissionError(err: unknown): PyctlError | undefined {
  if (!DENIED.has(errnoCode(err) ?? "")) return undefined;
  const path = (err as { path?: string; dest?: string }).dest ?? (err as { path?: string }).path ?? "a file";
  let layout: Layout | undefined;
  try {
    layout = new Layout();
  } catch {
    /* PYCTL_TIER is invalid: name the path only */
  }
  const reason = errnoCode(err) === "EROFS" ? "read-only file system" : "permission denied";
  if (!layout) return new PyctlError(`${reason}: ${path}`);
  if (layout.tier === "system" && !isRoot()) {
    return new PyctlError(`${reason}: ${path} (the system tier at ${layout.home} belongs to root)`, {
      hint: "run as root, or unset PYCTL_TIER to work on your own (user tier) packages",
    });
  }
  return new PyctlError(`${reason}: ${path} (the ${layout.tier} tier at ${layout.home})`);
}
