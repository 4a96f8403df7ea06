/**
 * The marked block `pyctl setup-shell` keeps in a shell rc file:
 *
 *   # >>> pyctl >>>
 *   ...lines that load the hook (and completions)...
 *   # <<< pyctl <<<
 *
 * Adding replaces an existing block in place (so running setup again is a no-op); removing
 * takes out the block and the blank line added before it, leaving the rest byte for byte.
 */
import bashBlock from "../../hooks/block.bash" with { type: "text" };
import zshBlock from "../../hooks/block.zsh" with { type: "text" };
import fishBlock from "../../hooks/block.fish" with { type: "text" };
import profileBlock from "../../hooks/block.profile" with { type: "text" };
import type { Shell } from "./hook.ts";
import { quoteFish, quotePosix } from "./hook.ts";

export const BEGIN = "# >>> pyctl >>>";
export const END = "# <<< pyctl <<<";
const NOTE = "# Added by `pyctl setup-shell`; `pyctl setup-shell --remove` takes it out.";

export interface BlockPaths {
  pyctl: string;
  completionFile: string;
}

const TEMPLATES: Record<Shell, string> = { bash: bashBlock, zsh: zshBlock, fish: fishBlock };

/** The block for a shell's rc file (hooks/block.SHELL, with pyctl's paths put in). */
export function blockFor(shell: Shell, paths: BlockPaths): string {
  const q = shell === "fish" ? quoteFish : quotePosix;
  // pyctl's folder (~/.local/bin) goes on PATH for typing `pyctl …`: a new folder is not on it until the next login.
  const body = TEMPLATES[shell]
    .replaceAll("@PYCTL@", () => q(paths.pyctl))
    .replaceAll("@BINDIR@", () => q(dirOf(paths.pyctl)))
    .replaceAll("@COMPLETION_DIR@", () => q(dirOf(paths.completionFile)))
    .replaceAll("@COMPLETION@", () => q(paths.completionFile));
  return `${BEGIN}\n${NOTE}\n${body}${END}\n`;
}

/** The block for a login file (~/.profile, ~/.bash_profile): hooks/block.profile. */
export function loginBlock(): string {
  return `${BEGIN}\n${NOTE}\n${profileBlock}${END}\n`;
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** [start, end) of the block's lines in `text`, or undefined. */
function blockRange(text: string): [number, number] | undefined {
  let start = 0;
  if (!text.startsWith(`${BEGIN}\n`)) {
    const found = text.indexOf(`\n${BEGIN}\n`);
    if (found < 0) return undefined;
    start = found + 1;
  }
  const close = text.indexOf(`\n${END}`, start);
  if (close < 0) return undefined;
  const after = close + 1 + END.length;
  return [start, text[after] === "\n" ? after + 1 : after];
}

export function hasBlock(text: string): boolean {
  return blockRange(text) !== undefined;
}

export function withBlock(text: string, block: string): string {
  const range = blockRange(text);
  if (range) return text.slice(0, range[0]) + block + text.slice(range[1]);
  if (text === "") return block;
  return `${text}${text.endsWith("\n") ? "" : "\n"}\n${block}`;
}

/**
 * Where a stock bashrc stops for non-interactive shells: Debian's and Ubuntu's
 * `case $- in *i*) ;; *) return;; esac` (with the comment above it), /etc/bash.bashrc's
 * `[ -z "$PS1" ] && return`, and `[[ $- != *i* ]] && return`. The offset of its first line, or -1.
 */
export function interactiveGuard(text: string): number {
  const guard =
    /^(?:# If not running interactively[^\n]*\n)?(?:case \$- in\n[^\n]*\n\s*\*\)\s*return\s*;;|\[ -z "\$PS1" \] && return|\[\[ \$- != \*i\* \]\] && return)/m;
  return guard.exec(text)?.index ?? -1;
}

/**
 * A bashrc with the block: in place when it has one, else before the interactive guard (so
 * `bash -lc`, cron and ssh commands, which read the file non-interactively, get the venv too),
 * else at the end. A block an older pyctl put after the guard moves before it.
 */
export function withBashBlock(text: string, block: string): string {
  const rest = withoutBlock(text);
  const at = interactiveGuard(rest);
  if (at < 0) return withBlock(text, block);
  const placed = `${rest.slice(0, at)}${block}\n${rest.slice(at)}`;
  return placed === text ? text : placed;
}

export function withoutBlock(text: string): string {
  const range = blockRange(text);
  if (!range) return text;
  let [start] = range;
  if (start >= 2 && text.slice(start - 2, start) === "\n\n") start -= 1;
  return text.slice(0, start) + text.slice(range[1]);
}
