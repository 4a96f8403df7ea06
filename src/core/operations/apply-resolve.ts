/**
 * What pip must bring for `pyctl apply`: `pip install --dry-run --report` of the file in the live
 * venv (nothing changes), each item with where pip would fetch it from and that file's sha256.
 * apply then installs exactly these items (`--no-deps`), so `--check` and apply share one plan.
 */
import { canonicalName, normalizeVersion } from "../packages/pep440.ts";
import { lastPipError } from "../packages/pip-report.ts";
import type { Target } from "../recording/target.ts";
import { ApplyError, pipErrorCode } from "./apply-errors.ts";

export interface Fetched {
  key: string;
  name: string;
  version: string;
  requires: string[];
  /** The requirement pip is given to install exactly this: `name==v`, `name @ url`, `-e path`. */
  requirement: string;
  /** "sha256:…" of the file pip would download, when it is one. */
  sha256?: string;
}

interface RawItem {
  is_direct?: boolean;
  download_info?: {
    url: string;
    dir_info?: { editable?: boolean };
    archive_info?: { hashes?: Record<string, string>; hash?: string };
    vcs_info?: { vcs: string; commit_id: string };
  };
  metadata?: { name?: string; version?: string; requires_dist?: string[] };
}

function requirementOf(item: RawItem, name: string, version: string): string {
  const info = item.download_info;
  if (!item.is_direct || !info) return `${name}==${version}`;
  if (info.dir_info?.editable) return `-e ${info.url}`;
  if (info.vcs_info) return `${name} @ ${info.vcs_info.vcs}+${info.url}@${info.vcs_info.commit_id}`;
  return `${name} @ ${info.url}`;
}

function sha256Of(item: RawItem): string | undefined {
  const archive = item.download_info?.archive_info;
  const digest = archive?.hashes?.sha256 ?? /^sha256=(\w+)$/.exec(archive?.hash ?? "")?.[1];
  return digest ? `sha256:${digest}` : undefined;
}

function parseReport(json: string): Fetched[] {
  const items = (JSON.parse(json) as { install?: RawItem[] }).install ?? [];
  return items
    .filter((i) => i.metadata?.name && i.metadata.version)
    .map((i) => {
      const name = i.metadata!.name!;
      const version = normalizeVersion(i.metadata!.version!) ?? i.metadata!.version!;
      return {
        key: canonicalName(name),
        name,
        version,
        requires: i.metadata!.requires_dist ?? [],
        requirement: requirementOf(i, name, version),
        sha256: sha256Of(i),
      };
    });
}

/** Throws an ApplyError with pip's reason when it cannot resolve `args`. */
export async function dryRun(target: Target, args: string[]): Promise<Fetched[]> {
  const run = target.env.dryRun(args);
  if (run.status === 0 && run.report) return parseReport(run.report);
  const text = `${run.stdout}\n${run.stderr}`;
  const reason = lastPipError(run.stderr) ?? (run.stderr.trim().split("\n").at(-1) || "pip failed");
  throw new ApplyError(pipErrorCode(text), `pip cannot resolve it: ${reason}`);
}
