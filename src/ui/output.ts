/**
 * Everything pyctl prints goes through here. Colour is decided once (NO_COLOR, ui.color, a TTY)
 * and picocolors is loaded only when colour is actually wanted. Output is written with
 * write(2) on fds 1 and 2: touching process.stdout costs Bun ~9 ms of start-up, which every
 * shell start (the hook) and every pip install would pay.
 */
import { fstatSync, writeSync } from "node:fs";
import { errnoCode } from "../core/base/errors.ts";
type Paint = (text: string) => string;
export interface Palette {
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
  dim: Paint;
  bold: Paint;
}

const plain: Palette = { red: String, green: String, yellow: String, cyan: String, dim: String, bold: String };
let palette: Palette | undefined;
let colorSetting = true;

export function setColorSetting(enabled: boolean): void {
  colorSetting = enabled;
  palette = undefined;
}

function isTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}

function wantColor(fd: number): boolean {
  if ("NO_COLOR" in process.env && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR) return true;
  return colorSetting && process.env.TERM !== "dumb" && isTerminal(fd);
}

/** Colours for text going to `fd` (1: stdout, 2: stderr). */
export function colors(fd = 1): Palette {
  if (!wantColor(fd)) return plain;
  palette ??= (require("picocolors") as { createColors(enabled: boolean): Palette }).createColors(true);
  return palette;
}

/** Write all of `text` to fd, however the pipe splits it. */
export function writeAll(fd: number, text: string): void {
  let data = Buffer.from(text);
  while (data.length > 0) {
    try {
      data = data.subarray(writeSync(fd, data));
    } catch (error) {
      if (errnoCode(error) === "EAGAIN") continue; // a non-blocking pipe that is full: try again
      if (errnoCode(error) === "EPIPE") return; // the reader went away (pyctl history | head)
      throw error;
    }
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to neutralise
const CONTROL = /\x1b\[[0-9;]*m|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the same, as a quick test
const ANY_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** Whether text holds a control character (tab and newline aside). */
export function hasControls(text: string): boolean {
  return ANY_CONTROL.test(text);
}

/**
 * Control characters from data (a package name, a line of a user's file) are shown as \xNN,
 * never sent to the terminal raw; only colour (SGR) sequences pass, and only when colour is on.
 */
export function escapeControls(text: string, fd: 1 | 2 = 1): string {
  if (!ANY_CONTROL.test(text)) return text;
  const colour = colors(fd) !== plain || colors(3 - fd) !== plain; // lines painted for stdout may go to stderr
  const hex = (ch: string) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
  return text.replace(CONTROL, (c) => (c.length === 1 ? hex(c) : colour ? c : hex(c[0]!) + c.slice(1)));
}

export function out(line = ""): void {
  writeAll(1, `${escapeControls(line, 1)}\n`);
}

export function err(line: string): void {
  writeAll(2, `${escapeControls(line, 2)}\n`);
}

/** A one-line outcome on stdout (what a script reads), marked as pyctl's like a notice. */
export function announce(message: string): void {
  out(`pyctl: ${message}`);
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
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleLength(cell))))
      .join("  ")
      .trimEnd(),
  );
}

export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes to strip
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
