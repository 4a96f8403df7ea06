/**
 * pyctl's version (package.json's, the one source: the .deb, the release archives and the man page
 * take it from there too) and how this copy was installed. The packages say so in a file next to
 * the binary: PREFIX/share/pyctl/installed-by holds "deb" (/usr, managed by apt) or "archive"
 * (the per-user release installer, ~/.local); without it the copy was built from source.
 */
import { readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import pkg from "../../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;

export type InstallMethod = "deb" | "archive" | "source";

const DESCRIBED: Record<InstallMethod, string> = {
  deb: "installed from the Debian package: update it with apt",
  archive: "installed from a release archive: rerun install.sh to update it",
  source: "built from source",
};

/** `prefix` is the folder above the binary's bin/ (tests pass one). */
export function installMethod(prefix = dirname(dirname(realpathSync(process.execPath)))): InstallMethod {
  try {
    const said = readFileSync(join(prefix, "share", "pyctl", "installed-by"), "utf8").trim();
    return said === "deb" || said === "archive" ? said : "source";
  } catch {
    return "source";
  }
}

/** What `pyctl --version` prints. */
export function versionLine(): string {
  return `pyctl ${VERSION} (${DESCRIBED[installMethod()]})`;
}
