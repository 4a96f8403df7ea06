/** Tests that need root or a second Python run only when they can, and say why they did not. */
export const isRoot = process.geteuid?.() === 0;

/** `title`, plus which of `needs` (reason -> whether it holds) failed; for describe.if / test.if. */
export function titled(title: string, needs: Record<string, boolean>): [boolean, string] {
  const missing = Object.entries(needs)
    .filter(([, held]) => !held)
    .map(([reason]) => reason);
  return missing.length ? [false, `${title} (skipped: needs ${missing.join(", ")})`] : [true, title];
}

const SBIN = "/usr/sbin:/sbin:/usr/bin:/bin";

/** The tools that make and drive a real non-root user: useradd, userdel and runuser, or null each. */
export const USER_TOOLS = {
  useradd: Bun.which("useradd", { PATH: SBIN }),
  userdel: Bun.which("userdel", { PATH: SBIN }),
  runuser: Bun.which("runuser", { PATH: SBIN }),
};

/** titled(), for a test that runs pyctl as a real non-root user with the Python under test. */
export function asRealUser(title: string, othersCanRunPython: boolean): [boolean, string] {
  const { useradd, userdel, runuser } = USER_TOOLS;
  return titled(title, {
    root: isRoot,
    "useradd, userdel and runuser": useradd !== null && userdel !== null && runuser !== null,
    "a Python under test other users can run": othersCanRunPython,
  });
}
