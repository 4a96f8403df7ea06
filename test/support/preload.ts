// Runs before every test file, so it stays cheap: env.ts does nothing at import time.
import { afterAll, setDefaultTimeout } from "bun:test";
import { teardown } from "./env.ts";

// The suite's timeout is `bun test --timeout 120000` (package.json's scripts): Bun 1.4.5 reads no
// timeout from bunfig, and this call reaches only the first file of a run (enough for one file).
setDefaultTimeout(120_000);
process.env.NO_COLOR = "1";
afterAll(teardown);
