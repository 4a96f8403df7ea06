/**
 * Subsystem export: a package set written out for another machine. Nothing imports it but
 * the export command.
 *
 * Exporting a package set (the venv's current state, or a named snapshot) so it can be carried to
 * another machine: as requirements.txt in `pip freeze` format, or as a PEP 751 pylock.toml.
 *
 * pylock.toml: lock-version "1.0", created-by "pyctl", requires-python "==X.Y.*", then one
 * [[packages]] entry per distribution (normalised name, version) with its source where known:
 * wheels/sdist (URL + sha256, asked of pip's resolver with `install --dry-run --report`, so the
 * index must be reachable), archive/vcs/directory for direct-URL installs, and `index` when the
 * files came from PIP_INDEX_URL or PyPI. [tool.pyctl] records the Python and the source.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { graphOf } from "../recording/graph.ts";
import { freezeLinesOf, hiddenFromFreeze, readHeaders, type DirectUrl, type Dist } from "../packages/inventory.ts";
import { canonicalName } from "../packages/pep440.ts";
import { parseFreezeLine } from "../packages/freeze-line.ts";
import { readSnapshot } from "../recording/snapshots.ts";
import { inventoryOf, pythonVersionOf, type Target } from "../recording/target.ts";
import { hashRemoteArchives } from "./archive-hashes.ts";

/** One distribution of the exported set. */
export interface Exported {
  name: string;
  version?: string;
  pep440: boolean;
  /** Its requirements.txt line(s). */
  lines: string[];
  directUrl?: DirectUrl;
  requiresPython?: string;
  dependencies?: string[];
  /** Asked for (not only a dependency); undefined when the source does not say. */
  explicit?: boolean;
}

export interface ExportSource {
  /** The Python the set was installed for, e.g. "3.11.7". */
  python: string;
  /** "the current state of /…/venv" or "snapshot NAME (date)". */
  description: string;
  packages: Exported[];
}

export function currentSource(target: Target): ExportSource {
  const dists = inventoryOf(target);
  const graph = graphOf(target, dists);
  const hidden = hiddenFromFreeze(target.version);
  const packages = dists
    .filter((d) => !hidden.has(d.key))
    .map(
      (d): Exported => ({
        name: d.name,
        version: d.version,
        pep440: d.pep440,
        lines: freezeLinesOf(d),
        explicit: graph.get(d.key)?.explicit === true,
        directUrl: d.directUrl,
        requiresPython: requiresPythonOf(d),
        dependencies:
          graph
            .get(d.key)
            ?.requires.filter((e) => e.installed)
            .map((e) => e.requirement.key) ?? [],
      }),
    );
  // The venv's path stays out: an export goes to other machines and other users.
  const python = pythonVersionOf(target);
  return { python, description: `the current state of the Python ${target.version} venv`, packages };
}

function requiresPythonOf(dist: Dist): string | undefined {
  try {
    return readHeaders(join(dist.metadataPath, "METADATA")).get("requires-python")?.[0];
  } catch {
    return undefined;
  }
}

/** A freeze line back into a distribution: `name==v`, `name===v`, `name @ url`, `-e …#egg=name`. */
export function exportedOf(line: string): Exported | undefined {
  const parsed = parseFreezeLine(line);
  if (!parsed?.name) return undefined;
  if (parsed.version !== undefined)
    return { name: parsed.name, version: parsed.version, pep440: parsed.pinOperator === "==", lines: [line] };
  if (parsed.url === undefined) return undefined;
  return { name: parsed.name, pep440: true, lines: [line], directUrl: directUrlOf(parsed.url, parsed.editable) };
}

/** The PEP 610 form of a requirement URL (`git+https://…@commit`, `file:///dir`, `https://…whl#sha256=…`). */
function directUrlOf(raw: string, editable: boolean): DirectUrl {
  const [base, fragment = ""] = raw.split("#", 2) as [string, string?];
  const params = new URLSearchParams(fragment);
  const subdirectory = params.get("subdirectory") ?? undefined;
  const vcs = /^(git|hg|svn|bzr)\+(.+?)(?:@([^@/]+))?$/.exec(base);
  if (vcs) return { url: vcs[2]!, subdirectory, vcs_info: { vcs: vcs[1]!, commit_id: vcs[3] ?? "" } };
  if (base.startsWith("file:") && (editable || !/\.(whl|zip|tar\.gz|tar\.bz2|tgz)$/.test(base))) {
    return { url: base, subdirectory, dir_info: { editable } };
  }
  const hash = [...params].find(([k]) => /^(sha256|sha384|sha512|md5)$/.test(k));
  return { url: base, subdirectory, archive_info: hash ? { hash: `${hash[0]}=${hash[1]}` } : {} };
}

export function snapshotSource(snapshotsDir: string, name: string): ExportSource {
  const snap = readSnapshot(snapshotsDir, name);
  const hidden = hiddenFromFreeze(snap.python || "3.12");
  const packages = snap.lines
    .map((line, i) => {
      const parsed = exportedOf(line);
      return parsed && snap.explicit ? { ...parsed, explicit: snap.explicit[i] === true } : parsed;
    })
    .filter((p): p is Exported => p !== undefined && !hidden.has(canonicalName(p.name)));
  return { python: snap.python, description: `snapshot ${name}${snap.date ? ` (${snap.date})` : ""}`, packages };
}

/** As a snapshot says it: the lines of packages that were asked for end with "# explicit". */
const EXPLICIT_HEADER = '# explicit: packages you asked for end with "# explicit"\n';

export function requirementsText(source: ExportSource, date = new Date()): string {
  const marked = source.packages.some((p) => p.explicit !== undefined);
  const header =
    `# pyctl export of ${source.description}\n# python: ${source.python}\n# date: ${date.toISOString()}\n` +
    (marked ? EXPLICIT_HEADER : "");
  const linesOf = (p: Exported) =>
    p.lines.map((l, i) => (p.explicit && i === p.lines.length - 1 ? `${l}  # explicit` : l));
  return (
    header +
    source.packages
      .flatMap(linesOf)
      .map((l) => `${l}\n`)
      .join("")
  );
}

interface Located {
  url: string;
  sha256?: string;
}

/**
 * Where pip's resolver would download each pinned version from (url and sha256), if it can say;
 * direct archives pip recorded no hash for get theirs here too (archive-hashes.ts).
 */
export function locate(target: Target, packages: Exported[]): Map<string, Located> {
  hashRemoteArchives(target, packages);
  const pins = packages
    .filter((p) => !p.directUrl && p.version)
    .map((p) => `${p.name}${p.pep440 ? "==" : "==="}${p.version}`);
  const found = new Map<string, Located>();
  if (pins.length === 0) return found;
  try {
    const result = target.env.dryRun(["--ignore-installed", "--no-deps", "--quiet", ...pins]);
    if (result.status !== 0 || !result.report) return found;
    const parsed = JSON.parse(result.report) as {
      install: {
        download_info: { url: string; archive_info?: { hashes?: Record<string, string>; hash?: string } };
        metadata: { name: string };
      }[];
    };
    for (const item of parsed.install) {
      const info = item.download_info;
      const sha256 = info.archive_info?.hashes?.sha256 ?? /^sha256=(\w+)$/.exec(info.archive_info?.hash ?? "")?.[1];
      found.set(canonicalName(item.metadata.name), { url: info.url, sha256 });
    }
  } catch {
    // no report: the lock gets names and versions only (the caller says which)
  }
  return found;
}

/** The index a file came from, when that is certain: PIP_INDEX_URL on the same host, or PyPI. */
function indexOf(url: string): string | undefined {
  const origin = URL.canParse(url) ? new URL(url).origin : "";
  if (origin === "https://files.pythonhosted.org") return "https://pypi.org/simple";
  const configured = process.env.PIP_INDEX_URL?.split(/\s+/)[0];
  if (configured && URL.canParse(configured) && new URL(configured).origin === origin) return configured;
  return undefined;
}

type Table = Record<string, unknown>;

/** The archive's recorded hashes; for a local file pip recorded none for (older pips), its sha256 now. */
function hashesOf(d: DirectUrl): Record<string, string> | undefined {
  if (d.archive_info?.hashes && Object.keys(d.archive_info.hashes).length) return d.archive_info.hashes;
  const m = /^(\w+)=(\w+)$/.exec(d.archive_info?.hash ?? "");
  if (m) return { [m[1]!]: m[2]! };
  if (!d.url.startsWith("file:")) return undefined;
  try {
    return {
      sha256: new Bun.CryptoHasher("sha256")
        .update(readFileSync(decodeURIComponent(new URL(d.url).pathname)))
        .digest("hex"),
    };
  } catch {
    return undefined;
  }
}

/** The source table of a direct-URL install; undefined when PEP 751 cannot express it (an archive without a hash). */
function directSource(d: DirectUrl): Table | undefined {
  const sub = d.subdirectory ? { subdirectory: d.subdirectory } : {};
  if (d.vcs_info) {
    const rev = d.vcs_info.requested_revision ? { "requested-revision": d.vcs_info.requested_revision } : {};
    return { vcs: { type: d.vcs_info.vcs, url: d.url, ...rev, "commit-id": d.vcs_info.commit_id, ...sub } };
  }
  if (d.dir_info) {
    const path = d.url.startsWith("file:") ? decodeURIComponent(new URL(d.url).pathname) : d.url;
    return { directory: { path, editable: d.dir_info.editable === true, ...sub } };
  }
  const hashes = hashesOf(d);
  return hashes ? { archive: { url: d.url, hashes, ...sub } } : undefined;
}

function packageTable(p: Exported, where: Located | undefined): { table: Table; sourced: boolean } {
  const table: Table = { name: canonicalName(p.name) };
  const tree = p.directUrl?.vcs_info !== undefined || p.directUrl?.dir_info !== undefined;
  if (p.version && !tree) table.version = p.version; // PEP 751: no version for source trees
  if (p.requiresPython) table["requires-python"] = p.requiresPython;
  if (p.dependencies?.length) table.dependencies = p.dependencies.map((name) => ({ name }));
  if (p.directUrl) {
    const source = directSource(p.directUrl);
    return { table: { ...table, ...source }, sourced: source !== undefined };
  }
  if (!where?.sha256) return { table, sourced: false };
  const index = indexOf(where.url);
  if (index) table.index = index;
  const file = {
    name: decodeURIComponent(where.url.split("/").at(-1)!.split("#")[0]!),
    url: where.url,
    hashes: { sha256: where.sha256 },
  };
  if (file.name.endsWith(".whl")) table.wheels = [file];
  else table.sdist = file;
  return { table, sourced: true };
}

/**
 * The pylock document, and the packages it could give no download location for: a lock with
 * such entries is one pip and `pyctl apply` reject, so the caller writes none (export.ts).
 */
export function pylockDocument(
  source: ExportSource,
  located: Map<string, Located>,
  date = new Date(),
): { doc: Table; unsourced: string[] } {
  const minor = source.python.split(".").slice(0, 2).join(".");
  const unsourced: string[] = [];
  const packages = source.packages.map((p) => {
    const { table, sourced } = packageTable(p, located.get(canonicalName(p.name)));
    if (!sourced) unsourced.push(p.name);
    return table;
  });
  const explicit = source.packages.filter((p) => p.explicit).map((p) => canonicalName(p.name));
  packages.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  const doc: Table = {
    "lock-version": "1.0",
    ...(minor ? { "requires-python": `==${minor}.*` } : {}),
    "created-by": "pyctl",
    packages,
    tool: {
      pyctl: {
        python: source.python,
        source: source.description,
        "exported-at": date,
        ...(source.packages.some((p) => p.explicit !== undefined) ? { explicit: explicit.sort() } : {}),
      },
    },
  };
  return { doc, unsourced };
}

export async function renderToml(doc: Table): Promise<string> {
  const toml = (await import("@iarna/toml")).default;
  return toml.stringify(doc as Parameters<typeof toml.stringify>[0]);
}
