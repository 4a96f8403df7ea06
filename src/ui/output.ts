/**
 * Everything pyctl prints goes through here. Colour is decided once (NO_COLOR, ui.color, a TTY)
 * and picocolors is loaded only when colour is actually wanted.
 */
type Paint = (text: string) => string;
export interface Palette { red: Paint; green: Paint; yellow: Paint; cyan: Paint; dim: Paint; bold: Paint }

const plain: Palette = { red: String, green: String, yellow: String, cyan: String, dim: String, bold: String };
let palette: Palette | undefined;
let colorSetting = true;

export function setColorSetting(enabled: boolean): void {
  colorSetting = enabled;
  palette = undefined;
}

function wantColor(stream: NodeJS.WriteStream): boolean {
  if ("NO_COLOR" in process.env && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR) return true;
  return colorSetting && stream.isTTY === true && process.env.TERM !== "dumb";
}

export function colors(stream: NodeJS.WriteStream = process.stdout): Palette {
  if (!wantColor(stream)) return plain;
  palette ??= (require("picocolors") as { createColors(enabled: boolean): Palette }).createColors(true);
  return palette;
}

export function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A one-line notice on stderr, so stdout stays clean for pipes. */
export function notice(message: string): void {
  err(`pyctl: ${message}`);
}

export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: string[][], visibleLength: (s: string) => number = (s) => s.length): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleLength(cell)))).join("  ").trimEnd());
}

export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
