/**
 * File names that are not UTF-8, carried in strings without loss: each byte that is not part of
 * valid UTF-8 becomes U+F780..U+F7FF (private use: like Python's "surrogateescape", but Bun's
 * path.join keeps it where it turns a lone surrogate into U+FFFD), and fsPath turns it back into
 * that byte. A name that holds such a character itself has its bytes escaped too, so every name
 * round-trips. A string with no such character is its own file-system path: the common case
 * costs nothing.
 */
import { lstatSync, readdirSync } from "node:fs";

const ESCAPED = /[\uF780-\uF7FF]/;
const BASE = 0xf700;

/** The path to hand to node:fs: the string itself, or its bytes when it carries escaped ones. */
export function fsPath(path: string): string | Buffer {
  if (!ESCAPED.test(path)) return path;
  const parts: Buffer[] = [];
  let plain = "";
  for (const ch of path) {
    const code = ch.charCodeAt(0);
    if (code >= 0xf780 && code <= 0xf7ff) {
      parts.push(Buffer.from(plain), Buffer.from([code - BASE]));
      plain = "";
    } else plain += ch;
  }
  parts.push(Buffer.from(plain));
  return Buffer.concat(parts);
}

const strict = new TextDecoder("utf-8", { fatal: true });

/** The length of the valid UTF-8 sequence starting at `i`, or 0. */
function sequenceAt(bytes: Buffer, i: number): number {
  const lead = bytes[i]!;
  const length =
    lead < 0x80
      ? 1
      : lead >= 0xc2 && lead < 0xe0
        ? 2
        : lead >= 0xe0 && lead < 0xf0
          ? 3
          : lead >= 0xf0 && lead < 0xf5
            ? 4
            : 0;
  if (length <= 1 || i + length > bytes.length) return length === 1 ? 1 : 0;
  try {
    strict.decode(bytes.subarray(i, i + length));
    return length;
  } catch {
    return 0;
  }
}

/** A file name read as bytes, as a string: UTF-8 decoded, any other byte escaped. */
export function rawName(bytes: Buffer): string {
  try {
    const text = strict.decode(bytes);
    if (!ESCAPED.test(text)) return text;
  } catch {
    /* escaped below */
  }
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceAt(bytes, i);
    const text = n > 0 ? bytes.subarray(i, i + n).toString("utf8") : "";
    if (n > 0 && !ESCAPED.test(text)) out += text;
    else for (const b of bytes.subarray(i, i + (n || 1))) out += String.fromCharCode(BASE + b);
    i += n || 1;
  }
  return out;
}

/**
 * A folder's entries with their kind, names as rawName gives them. Read as strings (with the kind,
 * no stat) unless a name is not UTF-8 (it reads as U+FFFD): that folder is read again as bytes.
 */
export function listEntries(dir: string): { name: string; isDir: boolean; isLink: boolean }[] {
  const path = fsPath(dir);
  const typed = readdirSync(path, { withFileTypes: true });
  if (!typed.some((e) => e.name.includes("\uFFFD") || ESCAPED.test(e.name)))
    return typed.map((e) => ({ name: e.name, isDir: e.isDirectory(), isLink: e.isSymbolicLink() }));
  const prefix = Buffer.concat([Buffer.from(path as string), Buffer.from("/")]);
  return (readdirSync(path, { encoding: "buffer" }) as Buffer[]).map((bytes) => {
    const st = lstatSync(Buffer.concat([prefix, bytes]));
    return { name: rawName(bytes), isDir: st.isDirectory(), isLink: st.isSymbolicLink() };
  });
}
