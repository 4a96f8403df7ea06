/**
 * A PEP 751 archive entry needs the archive's hash. pip records none for a URL install without a
 * `#sha256=` fragment (pip 23), so export downloads such an archive once with the venv's pip and
 * hashes it; if that fails the package stays without a source and the export says so.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DirectUrl } from "../packages/inventory.ts";
import type { Target } from "../recording/target.ts";

function lacksHash(d: DirectUrl | undefined): d is DirectUrl {
  if (!d || d.vcs_info || d.dir_info || !/^https?:/.test(d.url)) return false;
  return !(d.archive_info?.hash || Object.keys(d.archive_info?.hashes ?? {}).length);
}

function downloadedSha256(target: Target, name: string, url: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), "pyctl-export-archive-"));
  try {
    const args = ["download", "--no-deps", "--quiet", "--disable-pip-version-check", "-d", dir];
    const result = target.env.runPip([...args, `${name} @ ${url}`]);
    const [file] = readdirSync(dir);
    if (result.status !== 0 || !file) return undefined;
    return new Bun.CryptoHasher("sha256").update(readFileSync(join(dir, file))).digest("hex");
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fills in the sha256 of each direct archive (http, https) that pip recorded without one. */
export function hashRemoteArchives(target: Target, packages: { name: string; directUrl?: DirectUrl }[]): void {
  for (const p of packages) {
    if (!lacksHash(p.directUrl)) continue;
    const sha256 = downloadedSha256(target, p.name, p.directUrl.url);
    if (sha256) p.directUrl = { ...p.directUrl, archive_info: { ...p.directUrl.archive_info, hashes: { sha256 } } };
  }
}
