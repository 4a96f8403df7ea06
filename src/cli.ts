#!/usr/bin/env bun
/**
 * argv -> command table -> what the command needs, opened -> one catch that prints
 * `pyctl: <message>` and exits 0, 1 or 2. Everything below is imported dynamically so that
 * `pyctl --version` runs before any of pyctl is loaded (bench/core.ts --startup measures it).
 */
import { writeSync } from "node:fs";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  writeSync(1, `${(await import("./core/base/version.ts")).versionLine()}\n`);
  process.exit(0);
}

const [
  { COMMANDS, findCommand },
  { parseArgs, usage },
  { firstLine, writeCrashReport },
  errors,
  permission,
  ui,
  version,
] = await Promise.all([
  import("./commands/index.ts"),
  import("./commands/parse.ts"),
  import("./core/base/crash-report.ts"),
  import("./core/base/errors.ts"),
  import("./core/base/permission.ts"),
  import("./ui/output.ts"),
  import("./core/base/version.ts"),
]);
const { VERSION } = version;
const { PyctlError, systemErrorMessage, UsageError } = errors;
const { err, out } = ui;

function mainHelp(): string {
  const visible = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...visible.map((c) => c.name.length));
  const lines = visible.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `pyctl ${VERSION}: pip install that just works, recorded and undoable.\n\nusage: pyctl COMMAND [OPTIONS]\n\ncommands:\n${lines.join("\n")}\n\n\`pyctl COMMAND --help\` describes a command.`;
}

function commandHelp(name: string): string {
  const spec = findCommand(name)!;
  const opts = spec.options.map((o) => `  ${(o.value ? `${o.flag} ${o.value}` : o.flag).padEnd(22)}  ${o.summary}`);
  return [`usage: ${usage(spec)}`, "", spec.summary, ...(opts.length ? ["", "options:", ...opts] : [])].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    if (topic && !findCommand(topic)) throw new UsageError(`unknown command "${topic}"`);
    out(topic ? commandHelp(topic) : mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    out(version.versionLine());
    return 0;
  }
  const spec = findCommand(name);
  if (!spec) throw new UsageError(`unknown command "${name}"`, "`pyctl --help` lists the commands");
  if (!spec.passthrough && (rest.includes("--help") || rest.includes("-h"))) {
    out(commandHelp(name));
    return 0;
  }
  const args = parseArgs(spec, rest);
  // Until the hook is set up, the first command on a terminal says how (the packages edit no rc
  // file): before anything the command needs can fail.
  const hint =
    spec.hidden || !process.stderr.isTTY ? undefined : (await import("./shell/setup-hint.ts")).firstRunHint(name);
  if (hint) err(`pyctl: ${hint}`);
  // Loaded only here: --version, help and the hook need none of config, paths or venvs.
  const context =
    spec.needs === "nothing" ? undefined : await (await import("./commands/context.ts")).openContext(spec.needs, args);
  const command = await spec.load();
  return command.run(args, context as never);
}

/** One line for the user, whatever went wrong; the stack goes to a report file, never the terminal. */
function reportFailure(caught: unknown, argv: string[]): number {
  const error = permission.permissionError(caught) ?? caught;
  if (error instanceof PyctlError) {
    err(`pyctl: ${error.message}`);
    if (error.hint) err(`pyctl: hint: ${error.hint}`);
    return error.exitCode;
  }
  const system = systemErrorMessage(error);
  if (system) {
    err(`pyctl: ${system}`);
    return 1;
  }
  const report = writeCrashReport(error, argv, VERSION);
  err(
    `pyctl: internal error: ${firstLine(error)} (${report ? `full report: ${report}` : "no report could be written"})`,
  );
  return 1;
}

for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (error: unknown) => process.exit(reportFailure(error, argv)));
}
try {
  process.exitCode = await main(argv);
} catch (error) {
  process.exitCode = reportFailure(error, argv);
}
const noCache = (await import("./core/base/cache-dir.ts")).cacheSkipped();
if (noCache && argv[0] !== "hook") err(`pyctl: ${noCache} is not writable (not yours?): ran without pyctl's cache`);
// Everything is written synchronously by now; exiting at once spares Bun ~1 ms of teardown.
process.exit(process.exitCode ?? 0);
