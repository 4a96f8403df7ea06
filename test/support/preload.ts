// Runs before every test file, so it stays cheap: env.ts does nothing at import time.
import { afterAll, setDefaultTimeout } from "bun:test";
import { teardown } from "./env.ts";

// bunfig's [test] timeout is not a Bun setting; this is the suite-wide default instead.
setDefaultTimeout(120_000);
process.env.NO_COLOR = "1";
afterAll(teardown);
