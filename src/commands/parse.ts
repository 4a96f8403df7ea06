/** Turning argv into options and positionals, as the command's table entry describes. */
import { UsageError } from "../core/base/errors.ts";
import type { CommandSpec, ParsedArgs } from "./spec.ts";

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d+$/.test(arg)) {
      if (spec.passthrough) {
        positionals.push(...argv.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const option = spec.options.find((o) => o.flag === flag);
    if (!option) throw new UsageError(`${spec.name}: unknown option ${flag}`, `see \`pyctl ${spec.name} --help\``);
    if (!option.value) {
      if (inline !== undefined) throw new UsageError(`${spec.name}: ${flag} takes no value`);
      options.set(flag, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${spec.name}: ${flag} needs a value (${option.value})`);
    if (option.choices && !option.choices.includes(value)) {
      throw new UsageError(`${spec.name}: ${flag} takes one of ${option.choices.join(", ")}, not "${value}"`);
    }
    options.set(flag, value);
  }
  const max = spec.positionals.some((p) => p.rest) ? Infinity : spec.positionals.length;
  const min = spec.positionals.filter((p) => !p.optional).length;
  if (positionals.length > max)
    throw new UsageError(`${spec.name}: unexpected argument "${positionals[max]}"`, `usage: ${usage(spec)}`);
  if (positionals.length < min)
    throw new UsageError(
      `${spec.name}: missing ${spec.positionals[positionals.length]!.name}`,
      `usage: ${usage(spec)}`,
    );
  return { options, positionals };
}

export function usage(spec: CommandSpec): string {
  const opts = spec.options.map((o) => (o.value ? `[${o.flag} ${o.value}]` : `[${o.flag}]`));
  const args = spec.positionals.map((p) => {
    const word = p.rest ? `${p.name}...` : p.name;
    return p.optional ? `[${word}]` : word;
  });
  return ["pyctl", spec.name, ...opts, ...args].join(" ");
}

export function stringOption(args: ParsedArgs, flag: string): string | undefined {
  const value = args.options.get(flag);
  return typeof value === "string" ? value : undefined;
}

export function positiveInteger(raw: string, what: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`${what} must be a whole number ≥ 1, not "${raw}"`);
  return Number(raw);
}
