/**
 * Rendering hooks/pyctl.{bash,zsh,fish}: read the template, substitute pyctl's path and the
 * machine's Python facts, each quoted for that shell. The templates are bundled as text.
 */
import bash from "../../hooks/pyctl.bash" with { type: "text" };
import zsh from "../../hooks/pyctl.zsh" with { type: "text" };
import fish from "../../hooks/pyctl.fish" with { type: "text" };

import type { Shell } from "./shells.ts";

export { isShell, SHELLS, type Shell } from "./shells.ts";

export interface PythonFact {
  /** "3.12" */
  version: string;
  /** Its base interpreter, or "" when only a pyctl venv of that version is left. */
  path: string;
}

export interface HookFacts {
  /** How the functions run pyctl: an absolute path. */
  pyctl: string;
  /** The version plain pip and python use, "" when none is known. */
  defaultVersion: string;
  pythons: PythonFact[];
}

const TEMPLATES: Record<Shell, string> = { bash, zsh, fish };

/** One word in single quotes, as bash and zsh read it. */
export function quotePosix(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** One word in single quotes, as fish reads it (it unescapes \\ and \' there). */
export function quoteFish(text: string): string {
  return `'${text.replace(/[\\']/g, "\\$&")}'`;
}

export function renderHook(shell: Shell, facts: HookFacts): string {
  const pairs = facts.pythons.map((p) => `${p.version}=${p.path}`);
  const quote = shell === "fish" ? quoteFish : quotePosix;
  const pythons = shell === "fish" ? pairs.map(quoteFish).join(" ") : quotePosix(pairs.join(":"));
  return TEMPLATES[shell]
    .replace("@PYCTL@", () => quote(facts.pyctl))
    .replace("@DEFAULT@", () => quote(facts.defaultVersion))
    .replace("@PYTHONS@", () => pythons);
}
