/**
 * Who may read what pyctl writes. In the user tier, history, snapshots, the store and every
 * file pyctl writes by default are the user's alone (0600 files, 0700 folders), whatever the
 * umask: a history entry names every command typed and the packages of a private project.
 * The system tier keeps 0644/0755 (root writes, everyone reads). Commands choose the policy
 * (`setPrivateWrites`) once they know the tier; explicit modes (scripts in a venv) are kept.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { errnoCode, PyctlError } from "./errors.ts";

let privateWrites = false;

export function setPrivateWrites(on: boolean): void {
  privateWrites = on;
}

/** The mode of a file pyctl writes when the caller names none. */
export function defaultFileMode(): number {
  return privateWrites ? 0o600 : 0o644;
}

/** mkdir -p, and the folder private in the user tier (chmod: the umask does not decide). */
export function makeDataDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true, mode: privateWrites ? 0o700 : 0o755 });
  } catch (err) {
    const code = errnoCode(err);
    if (code !== "EEXIST" && code !== "ENOTDIR") throw err;
    throw new PyctlError(`${path} is not a folder (a file is in its way); pyctl keeps its data there`, {
      hint: `move the file aside, then try again`,
    });
  }
  if (privateWrites) chmodSync(path, 0o700);
}
