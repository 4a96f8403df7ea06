/** Tests that need root or a second Python run only when they can, and say why they did not. */
export const isRoot = process.geteuid?.() === 0;

/** `title`, plus which of `needs` (reason -> whether it holds) failed; for describe.if / test.if. */
export function titled(title: string, needs: Record<string, boolean>): [boolean, string] {
  const missing = Object.entries(needs)
    .filter(([, held]) => !held)
    .map(([reason]) => reason);
  return missing.length ? [false, `${title} (skipped: needs ${missing.join(", ")})`] : [true, title];
}
