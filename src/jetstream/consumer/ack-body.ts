// What an ack's body says: the ack words (+ACK, +OK, -NAK, +WPI, +NXT, +TERM)
// read from bytes in place, and the delay a -NAK may carry. The meaning of
// each kind is Consumer's.

import { parseGoDurationNs } from "../../go-format/duration.js";

export function startsWith(b: Buffer, word: string): boolean {
  if (b.length < word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[i] !== word.charCodeAt(i)) return false;
  return true;
}

export function isWord(b: Buffer, word: string): boolean {
  return isWordAt(b, 0, b.length, word);
}

/** b[from, to) is exactly `word`. */
export function isWordAt(b: Buffer, from: number, to: number, word: string): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[from + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** "-NAK 5s" or "-NAK {"delay": ns}": the delay in ns, or null (a plain NAK, as Go treats a bad value). */
export function parseNakDelay(arg: string): number | null {
  try {
    if (arg[0] === "{") {
      const j = JSON.parse(arg) as { delay?: unknown };
      return typeof j.delay === "number" ? j.delay : 0;
    }
    return Number(parseGoDurationNs(arg));
  } catch {
    return null;
  }
}
