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
import type { Shell } from "./hook.ts";
import { quoteFish, quotePosix } from "./hook.ts";

export const BEGIN = "# >>> pyctl >>>";
export const END = "# <<< pyctl <<<";
const NOTE = "# Added by `pyctl setup-shell`; `pyctl setup-shell --remove` takes it out.";

export interface BlockPaths {
  pyctl: string;
  completionFile: string;
}

export function blockFor(shell: Shell, paths: BlockPaths): string {
  const q = shell === "fish" ? quoteFish : quotePosix;
  const pyctl = q(paths.pyctl);
  const bin = q(dirOf(paths.pyctl));
  // pyctl's folder (~/.local/bin) on PATH, for typing `pyctl …`: a new folder is not on it until the next login.
  const onPath =
    shell === "fish" ? `contains -- ${bin} $PATH; or set -gx PATH ${bin} $PATH` : `case ":$PATH:" in *:${bin}:*) ;; *) export PATH=${bin}:"$PATH" ;; esac`;
  const lines = {
    bash: [
      // profile.d is read by every sh, not only bash.
      `if [ -n "\${BASH_VERSION-}" ] && [ -x ${pyctl} ]; then`,
      `    eval "$(${pyctl} hook bash)"`,
      `    if [ -r ${q(paths.completionFile)} ]; then . ${q(paths.completionFile)}; fi`,
      "fi",
    ],
    zsh: [
      `fpath=(${q(dirOf(paths.completionFile))} \${fpath:#${q(dirOf(paths.completionFile))}})`,
      `if [[ -x ${pyctl} ]]; then eval "$(${pyctl} hook zsh)"; fi`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh syntax, not a template
      "if (( ${+functions[compdef]} )); then autoload -Uz _pyctl && compdef _pyctl pyctl; fi",
    ],
    fish: [`if status is-interactive; and test -x ${pyctl}`, `    ${pyctl} hook fish | source`, "end"],
  }[shell];
  return `${[BEGIN, NOTE, onPath, ...lines, END].join("\n")}\n`;
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

export function withoutBlock(text: string): string {
  const range = blockRange(text);
  if (!range) return text;
  let [start] = range;
  if (start >= 2 && text.slice(start - 2, start) === "\n\n") start -= 1;
  return text.slice(0, start) + text.slice(range[1]);
}
