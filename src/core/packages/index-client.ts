/**
 * Reading a package index the way pip's finder does, without pip: the PEP 691 JSON or PEP 503
 * HTML project page of every configured index (and --find-links pages or folders), the files it
 * lists, and the newest version that pip could install here: not yanked, Requires-Python met,
 * a wheel whose tags the interpreter supports (or an sdist), pre-releases only when allowed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { pathToFileURL, fileURLToPath } from "node:url";
import { PyctlError } from "../base/errors.ts";
import { canonicalName, compareVersions, normalizeVersion } from "./pep440.ts";
import { indexUrls, type IndexSettings } from "./pip-config.ts";

type Pep440 = typeof import("@renovatebot/pep440");
let library: Pep440 | undefined;
function pep440(): Pep440 {
  library ??= require("@renovatebot/pep440") as Pep440;
  return library;
}

export interface IndexFile {
  filename: string;
  url: string;
  requiresPython?: string;
  yanked: boolean;
}

export interface Candidate {
  version: string;
  /** Wheel tags ("py3-none-any"), absent for an sdist. */
  tags?: string[];
  file: IndexFile;
}

const ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === "#")
      return String.fromCodePoint(
        code[1]?.toLowerCase() === "x" ? Number.parseInt(code.slice(2), 16) : Number(code.slice(1)),
      );
    return ENTITIES[code.toLowerCase()] ?? whole;
  });
}

function fileNameOf(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
}

function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i").exec(tag);
  if (m) return unescapeHtml(m[1] ?? m[2] ?? m[3] ?? "");
  return new RegExp(`\\s${name}(?=[\\s>/])`, "i").test(tag) ? "" : undefined;
}

/** A PEP 503 page: every `<a href>`, with data-requires-python and data-yanked. */
export function parseSimpleHtml(html: string, pageUrl: string): IndexFile[] {
  const base = attribute(/<base\s[^>]*>/i.exec(html)?.[0] ?? "", "href");
  const baseUrl = base ? new URL(base, pageUrl).href : pageUrl;
  const files: IndexFile[] = [];
  for (const m of html.matchAll(/<a\s[^>]*>/gi)) {
    const href = attribute(m[0], "href");
    if (!href) continue;
    const url = URL.parse(href, baseUrl)?.href;
    if (!url) continue; // pip skips a link it cannot parse too
    const requiresPython = attribute(m[0], "data-requires-python");
    files.push({
      filename: fileNameOf(url),
      url,
      requiresPython: requiresPython || undefined,
      yanked: attribute(m[0], "data-yanked") !== undefined,
    });
  }
  return files;
}

interface JsonPage {
  files?: { filename: string; url: string; "requires-python"?: string | null; yanked?: boolean | string }[];
}

/** A PEP 691 JSON page. */
export function parseSimpleJson(text: string, pageUrl: string): IndexFile[] {
  const page = JSON.parse(text) as JsonPage;
  return (page.files ?? []).map((f) => ({
    filename: f.filename,
    url: new URL(f.url, pageUrl).href,
    requiresPython: f["requires-python"] || undefined,
    yanked: f.yanked !== undefined && f.yanked !== false,
  }));
}

const SDIST = /\.(tar\.gz|zip|tar\.bz2|tar\.xz|tgz|tar)$/;

/** The version and tags a file offers for project `key`; undefined when it is not one of its files. */
export function candidateOf(file: IndexFile, key: string): Candidate | undefined {
  const name = file.filename;
  const wheel = /^([^-]+)-([^-]+)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(name);
  if (wheel) {
    const [, project, version, py, abi, plat] = wheel as unknown as string[];
    if (canonicalName(project!) !== key) return undefined;
    const tags = py!
      .split(".")
      .flatMap((p) => abi!.split(".").flatMap((a) => plat!.split(".").map((pl) => `${p}-${a}-${pl}`)));
    return { version: normalizeVersion(version!) ?? version!, tags, file };
  }
  const ext = SDIST.exec(name);
  if (!ext) return undefined;
  const stem = name.slice(0, -ext[0].length);
  for (let at = stem.indexOf("-"); at > 0; at = stem.indexOf("-", at + 1)) {
    if (canonicalName(stem.slice(0, at)) !== key) continue;
    const version = normalizeVersion(stem.slice(at + 1));
    return version ? { version, file } : undefined;
  }
  return undefined;
}

export interface Eligibility {
  /** Tags the interpreter supports (wheel-tags.ts). */
  tags: Set<string>;
  /** The interpreter's version, e.g. "3.11.2", for Requires-Python. */
  pythonVersion: string;
  allowPre: boolean;
}

export function isPrerelease(version: string): boolean {
  return pep440().explain(version)?.is_prerelease ?? false;
}

function requiresPythonHolds(spec: string | undefined, python: string): boolean {
  if (!spec) return true;
  const lib = pep440();
  const clean = spec.replace(/\s+/g, "");
  if (!lib.validRange(clean)) return true; // pip ignores a specifier it cannot parse
  return lib.satisfies(python, clean, { prereleases: true });
}

/** Whether pip could install this candidate here. */
export function eligible(c: Candidate, e: Eligibility): boolean {
  if (c.file.yanked) return false;
  if (!pep440().valid(c.version)) return false;
  if (!e.allowPre && isPrerelease(c.version)) return false;
  if (c.tags && !c.tags.some((t) => e.tags.has(t))) return false;
  return requiresPythonHolds(c.file.requiresPython, e.pythonVersion);
}

/** The newest version among the files that pip could install here. */
export function newestVersion(files: IndexFile[], key: string, e: Eligibility): string | undefined {
  let best: string | undefined;
  for (const file of files) {
    const c = candidateOf(file, key);
    if (c && eligible(c, e) && (best === undefined || compareVersions(c.version, best) > 0)) best = c.version;
  }
  return best;
}

/** The index could not be reached: the one-line error the commands print. */
export class IndexUnreachable extends PyctlError {}

/** A URL fit to print: credentials left out. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.href;
  } catch {
    return url;
  }
}

const bundles = new Map<string, string>();

function caBundle(path: string): string {
  let text = bundles.get(path);
  if (text === undefined) {
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new PyctlError(`cannot read pip's cert file ${path}`, { exitCode: 1 });
    }
    bundles.set(path, text);
  }
  return text;
}

/** fetch() options that carry pip's timeout, proxy, CA bundle and trusted hosts. */
function requestOptions(url: string, settings: IndexSettings): RequestInit {
  const { host, hostname } = new URL(url);
  const trusted = settings.trustedHosts.includes(host) || settings.trustedHosts.includes(hostname);
  const tls = {
    ...(settings.cert ? { ca: caBundle(settings.cert) } : {}),
    ...(trusted ? { rejectUnauthorized: false } : {}),
  };
  return {
    headers: { accept: ACCEPT },
    signal: AbortSignal.timeout(settings.timeoutSeconds * 1000),
    redirect: "follow",
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
    ...(Object.keys(tls).length ? { tls } : {}),
  };
}

async function fetchPage(url: string, settings: IndexSettings): Promise<IndexFile[]> {
  if (url.startsWith("file:")) return localPage(fileURLToPath(url));
  const timeoutMs = settings.timeoutSeconds * 1000;
  let response: Response;
  try {
    response = await fetch(url, requestOptions(url, settings));
  } catch (err) {
    const e = err as { code?: string; name?: string; message?: string };
    const why = e.name === "TimeoutError" ? `no answer in ${timeoutMs / 1000} s` : (e.code ?? e.message ?? String(err));
    throw new IndexUnreachable(`cannot reach the package index ${displayUrl(url)} (${why})`);
  }
  if (response.status === 404 || response.status === 410) return [];
  if (!response.ok) throw new IndexUnreachable(`the package index answered ${response.status} for ${displayUrl(url)}`);
  const text = await response.text();
  const type = response.headers.get("content-type") ?? "";
  try {
    return type.includes("json")
      ? parseSimpleJson(text, response.url || url)
      : parseSimpleHtml(text, response.url || url);
  } catch {
    throw new IndexUnreachable(`the package index sent an unreadable page for ${displayUrl(url)}`);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A page of a file:// index, as pip reads it: a folder stands for its index.html; a project the
 * tree lacks has no page (like a 404).
 */
function localPage(path: string): IndexFile[] {
  const page = isDirectory(path) ? `${path.replace(/\/*$/, "")}/index.html` : path;
  let text: string;
  try {
    text = readFileSync(page, "utf8");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return [];
    throw new IndexUnreachable(`cannot read the package index page ${page}`);
  }
  return parseSimpleHtml(text, pathToFileURL(page).href);
}

/** A find-links folder lists its files (pip's flat directory source); a file is a page of links. */
function localLinks(path: string): IndexFile[] {
  if (!isDirectory(path)) return /\.html?$/i.test(path) ? localPage(path) : [];
  return readdirSync(path).map((f) => ({ filename: f, url: pathToFileURL(`${path}/${f}`).href, yanked: false }));
}

/** Files of every find-links location (fetched once, shared by all projects). */
async function findLinksFiles(settings: IndexSettings): Promise<IndexFile[]> {
  const pages = await Promise.all(
    settings.findLinks.map((loc) => {
      if (/^https?:/.test(loc)) return fetchPage(loc, settings);
      return Promise.resolve(localLinks(loc.startsWith("file:") ? fileURLToPath(loc) : loc));
    }),
  );
  return pages.flat();
}

/** Every file the configured indexes list for each project key, fetched concurrently. */
export async function projectFiles(
  settings: IndexSettings,
  keys: string[],
  concurrency = 16,
): Promise<Map<string, IndexFile[]>> {
  // pip takes a plain path for a local index too
  const asUrl = (u: string) => (u.startsWith("/") ? pathToFileURL(u).href : u);
  const roots = indexUrls(settings).map((u) => asUrl(u).replace(/\/*$/, "/"));
  const shared = await findLinksFiles(settings);
  const result = new Map<string, IndexFile[]>(keys.map((k) => [k, [...shared]]));
  const jobs = keys.flatMap((key) => roots.map((root) => ({ key, url: `${root}${key}/` })));
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      result.get(job.key)!.push(...(await fetchPage(job.url, settings)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return result;
}
