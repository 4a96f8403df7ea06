// A full disk names the folder being written (issue 21, item 7): link(2) and copy errors name
// their source first, and the message used to say "writing in" the source's folder.
import { expect, test } from "bun:test";
import { linkSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemErrorMessage } from "../../src/core/base/errors.ts";

test("ENOSPC from a two-path call names the destination's folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "pyctl-errors-"));
  let error: unknown;
  try {
    linkSync(join(dir, "store", "file.py"), join(dir, "venv.staging", "file.py"));
  } catch (err) {
    error = Object.assign(err as object, { code: "ENOSPC" }); // the same error object, as a full disk gives it
  }
  expect(systemErrorMessage(error)).toBe(
    `no space left on the device (writing in ${join(dir, "venv.staging")}); free some space and try again`,
  );
});
