#!/usr/bin/env bun
/** argv -> command table -> one catch that prints `pyctl: <message>` and exits 0, 1 or 2. */
import { COMMANDS, findCommand } from "./commands/index.ts";
import { parseArgs, usage } from "./commands/parse.ts";
import { firstLine, writeCrashReport } from "./core/base/crash-report.ts";
import { PyctlError, systemErrorMessage, UsageError } from "./core/base/errors.ts";
import { permissionError } from "./core/base/permission.ts";
import { cacheSkipped } from "./core/base/cache-dir.ts";
import { err, out } from "./ui/output.ts";

const VERSION = "0.1.0";

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
    out(`pyctl ${VERSION}`);
    return 0;
  }
  const spec = findCommand(name);
  if (!spec) throw new UsageError(`unknown command "${name}"`, "`pyctl --help` lists the commands");
  if (!spec.passthrough && (rest.includes("--help") || rest.includes("-h"))) {
    out(commandHelp(name));
    return 0;
  }
  const args = parseArgs(spec, rest);
  const command = await spec.load();
  return command.run(args);
}

/** One line for the user, whatever went wrong; the stack goes to a report file, never the terminal. */
function reportFailure(caught: unknown, argv: string[]): number {
  const error = permissionError(caught) ?? caught;
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

const argv = process.argv.slice(2);
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (error: unknown) => process.exit(reportFailure(error, argv)));
}
try {
  process.exitCode = await main(argv);
} catch (error) {
  process.exitCode = reportFailure(error, argv);
}
const noCache = cacheSkipped();
if (noCache && argv[0] !== "hook") err(`pyctl: ${noCache} is not writable (not yours?): ran without pyctl's cache`);
// Everything is written synchronously by now; exiting at once spares Bun ~1 ms of teardown.
process.exit(process.exitCode ?? 0);
