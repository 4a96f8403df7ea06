/** The shells pyctl hooks into (kept apart from the templates, which only a render needs). */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

export function isShell(name: string | undefined): name is Shell {
  return (SHELLS as readonly string[]).includes(name ?? "");
}
