/**
 * A PEP 503 simple index over a directory of wheels, on 127.0.0.1, for hermetic pip runs.
 * Tests drive pip through spawnSync, which blocks this process's event loop, so the index they
 * use must live in a child process (spawnIndex/startIndex); serveIndex is the in-process core.
 */
import { createHash } from "node:crypto";
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export interface Index {
  url: string;
  stop(): void;
  /** How many stalled downloads it has begun: a test waits for one more instead of sleeping. */
  stalls(): number;
}

export interface IndexOptions {
  /** Projects whose files stall half-way through the download for `delayMs`. */
  slow?: string[];
  delayMs?: number;
  /** A file that gets a line when a stalled download has sent its first half. */
  stallLog?: string;
}

export function normalise(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/** The project a distribution file belongs to, from its filename (wheel or sdist). */
export function projectOf(filename: string): string | undefined {
  const wheel = /^([^-]+)-[^-]+(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/.exec(filename);
  if (wheel) return normalise(wheel[1]!);
  const sdist = /^(.+)-[^-]+\.(tar\.gz|zip)$/.exec(filename);
  return sdist ? normalise(sdist[1]!) : undefined;
}

const hashes = new Map<string, string>();

function sha256(path: string): string {
  const st = statSync(path);
  const key = `${path}:${st.size}:${st.mtimeMs}`;
  let hash = hashes.get(key);
  if (!hash) {
    hash = createHash("sha256").update(readFileSync(path)).digest("hex");
    hashes.set(key, hash);
  }
  return hash;
}

/** Re-read on every request so tests may drop extra wheels (e.g. cext) into the directory. */
function projects(dir: string): Map<string, string[]> {
  const byProject = new Map<string, string[]>();
  for (const file of readdirSync(dir).sort()) {
    const project = projectOf(file);
    if (project) byProject.set(project, [...(byProject.get(project) ?? []), file]);
  }
  return byProject;
}

/** PEP 503 data attributes from the files wheels.py writes beside a wheel (`.yanked`, `.requires-python`). */
function sidecarAttributes(dir: string, file: string): string {
  const read = (kind: string) =>
    existsSync(join(dir, `${file}.${kind}`)) ? readFileSync(join(dir, `${file}.${kind}`), "utf8") : undefined;
  const attr = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const yanked = read("yanked");
  const requiresPython = read("requires-python");
  return `${requiresPython ? ` data-requires-python="${attr(requiresPython)}"` : ""}${yanked !== undefined ? ` data-yanked="${attr(yanked)}"` : ""}`;
}

function htmlBody(title: string, links: string[]): string {
  return (
    `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0">` +
    `<title>${title}</title></head><body>\n${links.join("<br>\n")}\n</body></html>\n`
  );
}

function html(title: string, links: string[]): Response {
  return new Response(htmlBody(title, links), { headers: { "content-type": "text/html; charset=utf-8" } });
}

function stalled(data: Uint8Array, delayMs: number): Response {
  const half = Math.floor(data.length / 2);
  let timer: Timer | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(data.subarray(0, half));
      timer = setTimeout(() => {
        controller.enqueue(data.subarray(half));
        controller.close();
      }, delayMs);
    },
    cancel() {
      clearTimeout(timer);
    },
  });
  return new Response(body, { headers: { "content-length": String(data.length) } });
}

/** Keeps the projects `keep` accepts (all when absent). */
function selected(wheelDir: string, keep?: (project: string) => boolean): Map<string, string[]> {
  return new Map([...projects(wheelDir)].filter(([name]) => !keep || keep(name)));
}

/**
 * A PEP 503 tree on disk, as a local mirror lays it out: `dest/simple/index.html` and
 * `dest/simple/<project>/index.html` linking the wheels by file:// URL. Returns its file:// URL.
 */
export function writeSimpleTree(wheelDir: string, dest: string, keep?: (project: string) => boolean): string {
  const chosen = selected(wheelDir, keep);
  const write = (dir: string, title: string, links: string[]) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "index.html"), htmlBody(title, links));
  };
  const root = join(dest, "simple");
  write(
    root,
    "Simple index",
    [...chosen.keys()].map((n) => `<a href="${n}/">${n}</a>`),
  );
  for (const [name, files] of chosen) {
    const links = files.map(
      (f) => `<a href="${pathToFileURL(join(wheelDir, f)).href}"${sidecarAttributes(wheelDir, f)}>${f}</a>`,
    );
    write(join(root, name), `Links for ${name}`, links);
  }
  return pathToFileURL(root).href;
}

/** A --find-links folder: the files `keep` accepts copied flat into `dest` (sidecar files left out). */
export function writeFindLinks(wheelDir: string, dest: string, keep: (file: string) => boolean): string {
  mkdirSync(dest, { recursive: true });
  for (const files of projects(wheelDir).values())
    for (const f of files.filter(keep)) copyFileSync(join(wheelDir, f), join(dest, f));
  return dest;
}

/** In-process index: only usable while this process's event loop runs (async fetch/spawn). */
export function serveIndex(wheelDir: string, options: IndexOptions = {}): Index {
  const slow = new Set((options.slow ?? []).map(normalise));
  const delayMs = options.delayMs ?? 30_000;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/simple" || path === "/simple/") {
        const names = [...projects(wheelDir).keys()];
        return html(
          "Simple index",
          names.map((n) => `<a href="/simple/${n}/">${n}</a>`),
        );
      }
      const project = /^\/simple\/([^/]+)\/?$/.exec(path);
      if (project) {
        const name = normalise(project[1]!);
        if (`/simple/${name}/` !== path) return Response.redirect(`/simple/${name}/`, 301);
        const files = projects(wheelDir).get(name);
        if (!files) return new Response("not found\n", { status: 404 });
        const links = files.map(
          (f) => `<a href="/files/${f}#sha256=${sha256(join(wheelDir, f))}"${sidecarAttributes(wheelDir, f)}>${f}</a>`,
        );
        return html(`Links for ${name}`, links);
      }
      const file = /^\/files\/([^/]+)$/.exec(path);
      const filename = file ? decodeURIComponent(file[1]!) : undefined;
      const owner = filename ? projectOf(filename) : undefined;
      if (!filename || !owner || !projects(wheelDir).get(owner)?.includes(filename)) {
        return new Response("not found\n", { status: 404 });
      }
      const data = readFileSync(join(wheelDir, filename));
      if (slow.has(owner)) {
        if (options.stallLog) appendFileSync(options.stallLog, `${filename}\n`);
        return stalled(data, delayMs);
      }
      return new Response(data, { headers: { "content-type": "application/octet-stream" } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    stop: () => void server.stop(true),
    stalls: () => countLines(options.stallLog),
  };
}

function countLines(file?: string): number {
  return file && existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 1 : 0;
}

/** The index in a child bun process, waited for synchronously; it exits when we do. */
export function spawnIndex(wheelDir: string, options: IndexOptions = {}): Index {
  const urlFile = join(tmpdir(), `pyctl-index-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const stallLog = options.stallLog ?? `${urlFile}.stalls`;
  const child = Bun.spawn(
    [
      process.execPath,
      import.meta.path,
      wheelDir,
      urlFile,
      String(process.pid),
      JSON.stringify({ ...options, stallLog }),
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  child.unref();
  const stop = () => {
    process.off("exit", stop);
    child.kill("SIGKILL");
    rmSync(stallLog, { force: true });
  };
  process.on("exit", stop);
  for (const deadline = Date.now() + 15_000; !existsSync(urlFile); Bun.sleepSync(10)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("index child did not start");
  }
  const url = readFileSync(urlFile, "utf8");
  rmSync(urlFile);
  return { url, stop, stalls: () => countLines(stallLog) };
}

/** Resolves once `index` has begun a stalled download after `before` others (pip is then mid-download). */
export async function untilStalled(index: Index, before: number, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; index.stalls() <= before; await Bun.sleep(25)) {
    if (Date.now() > deadline) throw new Error("no stalled download began");
  }
}

export async function startIndex(wheelDir: string, options?: IndexOptions): Promise<Index> {
  return spawnIndex(wheelDir, options);
}

if (import.meta.main) {
  const [wheelDir = ".", urlFile = "index-url", parent, options] = process.argv.slice(2);
  const index = serveIndex(wheelDir, JSON.parse(options ?? "{}") as IndexOptions);
  writeFileSync(`${urlFile}.tmp`, index.url);
  renameSync(`${urlFile}.tmp`, urlFile);
  // Orphaned (parent killed hard)? Then nobody will stop us: exit on our own.
  setInterval(() => {
    try {
      process.kill(Number(parent), 0);
    } catch {
      process.exit(0);
    }
  }, 1000);
}
