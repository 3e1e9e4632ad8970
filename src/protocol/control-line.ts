// Control-line bytes of the client protocol: the byte constants, op-word
// matching (which ops a line can still become, how long its arguments are)
// and the small scanners for arguments and decimal sizes. Pure functions of a
// buffer range: no parser state, no handler calls, nothing allocated but the
// strings of splitArgs.

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

/** Lower-case an ASCII letter byte. */
export function lc(b: number): number {
  return b | 0x20;
}

export function isSpace(b: number): boolean {
  return b === SPACE || b === TAB;
}

export function matchWord(buf: Buffer, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    const b = buf[at + k];
    if (b === undefined) return false;
    const w = word.charCodeAt(k);
    if (b !== w && (b | 0x20) !== w) return false;
  }
  return true;
}

/** SUB/UNSUB arguments are separated by blanks, CR or LF (Go's splitArg). */
function isArgSep(b: number): boolean {
  return b === SPACE || b === TAB || b === CR || b === LF;
}

export function splitArgs(buf: Buffer, s: number, e: number): string[] {
  const out: string[] = [];
  let i = s;
  while (i < e) {
    if (isArgSep(buf[i])) {
      i++;
      continue;
    }
    const st = i;
    while (i < e && !isArgSep(buf[i])) i++;
    out.push(buf.latin1Slice(st, i));
  }
  return out;
}

export function skipBlanks(buf: Buffer, i: number, e: number): number {
  while (i < e && isSpace(buf[i])) i++;
  return i;
}

/** Can buf[s,e) still be (the start of) a client protocol op? Mirrors Go's op states. */
export function isOpPrefix(buf: Buffer, s: number, e: number): boolean {
  const n = e - s;
  if (n <= 0) return true;
  const raw = buf[s];
  // `+` and `-` are compared raw: lower-casing would turn CR into `-`.
  const b0 = raw === 0x2b || raw === 0x2d ? raw : raw < 0x41 ? -1 : lc(raw);
  let word: string;
  let needBlank = true;
  if (b0 === 0x70 /* p */) {
    if (n === 1) return true;
    const b1 = lc(buf[s + 1]);
    if (b1 === 0x75) word = "pub";
    else if (b1 === 0x69) (word = "ping"), (needBlank = false);
    else if (b1 === 0x6f) (word = "pong"), (needBlank = false);
    else return false;
  } else if (b0 === 0x68) word = "hpub";
  else if (b0 === 0x73) word = "sub";
  else if (b0 === 0x75) word = "unsub";
  else if (b0 === 0x63) (word = "connect"), (needBlank = false);
  else if (b0 === 0x69) (word = "info"), (needBlank = false);
  else if (b0 === 0x2b) (word = "+ok"), (needBlank = false);
  else if (b0 === 0x2d) word = "-err";
  else return false;
  const w = word.length;
  for (let k = 1; k < w && k < n; k++) {
    if (lc(buf[s + k]) !== word.charCodeAt(k)) return false;
  }
  return !needBlank || n <= w || isSpace(buf[s + w]);
}

/** PING, PONG or +OK (at least 4 bytes of it seen): ops whose line Go reads up to the LF and ignores. */
export function isArglessOp(buf: Buffer, s: number): boolean {
  return buf.length - s >= 4 && (buf[s] === 0x2b || (lc(buf[s]) === 0x70 && lc(buf[s + 1]) !== 0x75));
}

/** Length of an op line's arguments: after the op word and its blanks (what Go limits). */
export function argLength(buf: Buffer, s: number, e: number): number {
  // PING/PONG/+OK have no arguments: Go skips anything up to the LF.
  if (e - s >= 4 && isArglessOp(buf, s)) return 0;
  const b0 = lc(buf[s]);
  let w = 0;
  if (b0 === 0x70) w = 3;
  else if (b0 === 0x68 || b0 === 0x69 || b0 === 0x2d) w = 4;
  else if (b0 === 0x73) w = 3;
  else if (b0 === 0x75) w = 5;
  else if (b0 === 0x63) w = 7;
  const a = skipBlanks(buf, Math.min(s + w, e), e);
  return e - a;
}

/** Go decodes a client's INFO into a struct: an object or null is fine, anything else fails. */
export function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return v === null || (typeof v === "object" && !Array.isArray(v));
  } catch {
    return false;
  }
}

/** Parse an unsigned decimal in buf[s,e); -1 if empty, not digits, or longer than Go's 9 digits. */
export function parseSize(buf: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 9) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

export function parseDecimal(s: string): number {
  if (s.length === 0 || s.length > 9) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
  }
}
