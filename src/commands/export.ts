/**
 * `pyctl export [--format requirements|pylock] [NAME] [--output FILE] [--python X.Y]`: the
 * current package set, or snapshot NAME, as requirements.txt (pip freeze format) or PEP 751 pylock.toml.
 */
import { existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { errnoCode, PyctlError } from "../core/base/errors.ts";
import { redactUrls } from "../core/base/redact.ts";
import { writeFileAtomic } from "../core/base/atomic.ts";
import {
  currentSource,
  locate,
  pylockDocument,
  renderToml,
  requirementsText,
  snapshotSource,
} from "../core/export/export.ts";
import { resolveVersion, targetFor } from "../core/recording/target.ts";
import { escapeControls, notice, out, writeAll } from "../ui/output.ts";
import { existingTarget, type Context } from "./context.ts";
import { stringOption } from "./parse.ts";
import type { ParsedArgs } from "./spec.ts";

const PYLOCK_NAME = /^pylock\.([^.]+\.)?toml$/;

/** --output FILE: its folder must exist (pyctl makes no folders for you); errors are one line. */
function writeOutput(output: string, text: string): void {
  const dir = dirname(resolve(output));
  if (!existsSync(dir)) throw new PyctlError(`cannot write ${output}: the folder ${dir} does not exist`);
  try {
    writeFileAtomic(output, text, 0o644); // the user's own file, not pyctl's data
  } catch (err) {
    const code = errnoCode(err);
    if (code === "EACCES" || code === "EPERM" || code === "EROFS")
      throw new PyctlError(`cannot write ${output}: permission denied`);
    if (code === "EISDIR" || code === "ENOTDIR") throw new PyctlError(`cannot write ${output}: not a file path`);
    if (code === "ENOSPC") throw new PyctlError(`cannot write ${output}: no space left on the device`);
    throw err;
  }
}

export async function run(args: ParsedArgs, ctx: Context): Promise<number> {
  const output = stringOption(args, "--output");
  const format =
    stringOption(args, "--format") ?? (output && PYLOCK_NAME.test(basename(output)) ? "pylock" : "requirements");
  const name = args.positionals[0];
  const source =
    name === undefined
      ? currentSource(existingTarget(ctx, stringOption(args, "--python")))
      : snapshotSource(ctx.layout.snapshotsDir, name);

  let text: string;
  if (format === "pylock") {
    const minor = source.python.split(".").slice(0, 2).join(".");
    const target = targetFor(
      ctx.layout,
      resolveVersion(ctx.config, stringOption(args, "--python") ?? (minor || undefined)),
    );
    const located = target.env.exists() ? locate(target, source.packages) : new Map();
    const { doc, unsourced } = pylockDocument(source, located);
    if (unsourced.length) {
      // A lock entry without a source is one pip (and pyctl apply) rejects: no file rather than a broken one.
      throw new PyctlError(
        `cannot write a pylock: no download location known for ${unsourced.join(", ")} (is the package index reachable?)`,
        { hint: "`pyctl export` in the requirements format needs no index" },
      );
    }
    text = await renderToml(doc);
    if (output && !PYLOCK_NAME.test(basename(output)))
      notice(`PEP 751 wants lock files named pylock.toml or pylock.NAME.toml, not ${basename(output)}`);
  } else {
    text = requirementsText(source);
  }
  // A name or URL read from a broken METADATA may hold control characters: never raw, to a terminal or a file.
  text = escapeControls(redactUrls(text));
  if (!output) {
    writeAll(1, text);
    return 0;
  }
  writeOutput(output, text);
  out(`wrote ${output}: ${source.packages.length} package(s) from ${source.description}`);
  return 0;
}
