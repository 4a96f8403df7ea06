/**
 * The files of a release, laid out under a prefix: the .deb's /usr and the archive's top folder
 * (which the per-user installer copies into ~/.local) hold the same tree, apart from the
 * Debian-only docs. Modes are 755 for the binary and folders, 644 for the rest.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { REPO } from "./build.ts";

export interface LayoutInputs {
  binary: string;
  manPage: string;
  /** "deb" or "archive": written to share/pyctl/installed-by, which `pyctl --version` reads. */
  installedBy: "deb" | "archive";
  /** Put into the hook snippets for @PYCTL@ and @SHARE@; the archive keeps them for install.sh. */
  pyctl?: string;
  share?: string;
  /** zsh's folder under share/: Debian's zsh reads vendor-completions, not site-functions. */
  zshDir: string;
}

export function put(path: string, content: string | Buffer, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, content);
  chmodSync(path, mode);
}

/** gzip -9n: no name, no time stamp, so the same input gives the same bytes. */
export function gzip(text: string | Buffer): Buffer {
  return gzipSync(text, { level: 9 });
}

export function layOut(prefix: string, inputs: LayoutInputs): void {
  put(join(prefix, "bin", "pyctl"), readFileSync(inputs.binary), 0o755);
  const share = join(prefix, "share");
  const read = (path: string) => readFileSync(join(REPO, path), "utf8");
  put(join(share, "bash-completion", "completions", "pyctl"), read("completions/pyctl.bash"));
  put(join(share, "zsh", inputs.zshDir, "_pyctl"), read("completions/_pyctl"));
  put(join(share, "fish", "vendor_completions.d", "pyctl.fish"), read("completions/pyctl.fish"));
  put(join(share, "man", "man1", "pyctl.1.gz"), gzip(inputs.manPage));
  for (const shell of ["bash", "zsh", "fish"]) {
    let text = read(`packaging/hook.${shell}`);
    if (inputs.pyctl) text = text.replaceAll("@PYCTL@", inputs.pyctl);
    if (inputs.share) text = text.replaceAll("@SHARE@", inputs.share);
    put(join(share, "pyctl", `hook.${shell}`), text);
  }
  put(join(share, "pyctl", "installed-by"), `${inputs.installedBy}\n`);
}
