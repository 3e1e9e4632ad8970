// Config scanner base: token types, character classes, the low-level
// reading primitives, and the scanning of single values (quoted and bare
// strings with escapes, `( … )` text blocks, integers with size suffixes,
// floats, IP-like strings, ISO8601 dates), reproducing the Go nats-server
// 2.9.x lexer's acceptance rules and error texts. The structural grammar
// (keys, maps, arrays, include) is in lexer.ts. No trees, no file access.

export type TokenKind =
  | "key"
  | "string"
  | "bool"
  | "integer"
  | "float"
  | "datetime"
  | "variable"
  | "include"
  | "arrayStart"
  | "arrayEnd"
  | "mapStart"
  | "mapEnd"
  | "error";

export interface Token {
  kind: TokenKind;
  /** Raw text (strings: unescaped; variables: name without `$`; errors: the message). */
  text: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
}

/** End of input. A literal NUL in the text behaves the same way, as in Go. */
export const EOF = 0;

const ch = (s: string): number => s.charCodeAt(0);
export const C = {
  nl: ch("\n"),
  cr: ch("\r"),
  space: ch(" "),
  tab: ch("\t"),
  hash: ch("#"),
  slash: ch("/"),
  backslash: ch("\\"),
  lbrace: ch("{"),
  rbrace: ch("}"),
  lbrack: ch("["),
  rbrack: ch("]"),
  lparen: ch("("),
  rparen: ch(")"),
  comma: ch(","),
  semi: ch(";"),
  colon: ch(":"),
  equal: ch("="),
  dquote: ch('"'),
  squote: ch("'"),
  minus: ch("-"),
  dot: ch("."),
  dollar: ch("$"),
};

/** Go's unicode.IsSpace. */
export function isSpace(r: number): boolean {
  if (r <= 0xff) {
    return r === 0x20 || (r >= 0x09 && r <= 0x0d) || r === 0x85 || r === 0xa0;
  }
  return (
    r === 0x1680 ||
    (r >= 0x2000 && r <= 0x200a) ||
    r === 0x2028 ||
    r === 0x2029 ||
    r === 0x202f ||
    r === 0x205f ||
    r === 0x3000
  );
}

const DIGIT_RE = /\p{Nd}/u;
/** Go's unicode.IsDigit (any decimal digit, not only ASCII). */
export function isDigit(r: number): boolean {
  if (r >= 0x30 && r <= 0x39) return true;
  return r > 0x7f && DIGIT_RE.test(String.fromCodePoint(r));
}

/** Blank inside a line: only space and tab. */
export const isBlank = (r: number): boolean => r === C.space || r === C.tab;
export const isNL = (r: number): boolean => r === C.nl || r === C.cr;
export const isKeySep = (r: number): boolean => r === C.equal || r === C.colon;
/** Size suffix letters: k, m, g, t, p, e in either case. */
const isSuffix = (r: number): boolean => "kKmMgGtTpPeE".includes(String.fromCodePoint(r || 1));
/** Characters that end a bare number (note: `]` is deliberately absent, as in Go). */
const endsNumber = (r: number): boolean =>
  isNL(r) || r === EOF || r === C.rbrace || r === C.semi || r === C.comma || isBlank(r);
/** Characters that end an unquoted string. */
const endsBareString = (r: number): boolean =>
  isNL(r) || r === EOF || r === C.semi || r === C.comma || r === C.rbrack || r === C.rbrace || isBlank(r);

const BOOLS = new Set(["true", "false", "yes", "no", "on", "off"]);

/** How a rune is shown inside an error message (Go escapes only the newline). */
export function showRune(r: number): string {
  return r === C.nl ? "\\n" : String.fromCodePoint(r);
}

function computeLineStarts(src: string): number[] {
  const starts = [0];
  for (let i = src.indexOf("\n"); i !== -1; i = src.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Thrown to unwind the scanner when an error token has been recorded. */
export class Halt {}

/**
 * Character-level scanner. Subclasses supply the structural grammar through
 * lexArray/lexMap; each `lex*` method consumes one construct and emits tokens.
 */
export abstract class Scanner {
  protected pos = 0;
  protected line = 1;
  /** Width (UTF-16 units) of the last rune read by next(); 0 at end of input. */
  protected width = 0;
  /** Start of the text of the token being scanned. */
  protected start = 0;
  /** Unescaped pieces of the current string (text, or raw bytes from \xNN). */
  protected parts: Array<string | number> = [];
  readonly tokens: Token[] = [];
  private lineStarts: number[] | undefined;

  constructor(protected readonly src: string) {}

  /** After '[' has been emitted: the array's items and its ']'. */
  protected abstract lexArray(): void;
  /** After '{' has been emitted: the map's entries and its '}'. */
  protected abstract lexMap(): void;

  // ---- primitives -------------------------------------------------------

  protected next(): number {
    if (this.pos >= this.src.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.src.codePointAt(this.pos)!;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    if (r === C.nl) this.line++;
    return r;
  }

  /** Step back over the rune last returned by next() (once per next()). */
  protected back(): void {
    this.pos -= this.width;
    if (this.width > 0 && this.src.charCodeAt(this.pos) === C.nl) this.line--;
  }

  protected peek(): number {
    const r = this.next();
    this.back();
    return r;
  }

  protected ignore(): void {
    this.start = this.pos;
  }

  /** 1-based column of the character at `index`. */
  protected colAt(index: number): number {
    const nl = this.src.lastIndexOf("\n", index - 1);
    return index - nl;
  }

  protected emit(kind: TokenKind, text: string, at = this.start): void {
    const line = this.lineAt(at);
    this.tokens.push({ kind, text, line, col: this.colAt(at) });
    this.start = this.pos;
  }

  /** 1-based line of the character at `index`. */
  protected lineAt(index: number): number {
    const starts = (this.lineStarts ??= computeLineStarts(this.src));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Record a lexer error (line as Go counts it, column of the offending rune) and stop. */
  protected fail(message: string): never {
    const col = Math.max(1, this.pos - this.src.lastIndexOf("\n", this.pos - 1) - 1);
    this.tokens.push({ kind: "error", text: message, line: this.line, col });
    throw new Halt();
  }

  /** End lexing successfully in the middle of the input (Go emits EOF here). */
  protected stop(): never {
    throw new Halt();
  }

  /** Input ended inside a construct: an error if it has begun, else the end of lexing (as in Go). */
  protected endInside(): never {
    if (this.pos > this.start) this.fail("Unexpected EOF.");
    this.stop();
  }

  /** At `r` (just read): consume a `#` or `//` comment and return true; otherwise nothing is consumed. */
  protected skippedComment(r: number): boolean {
    if (r === C.hash) {
      this.skipComment();
      return true;
    }
    return r === C.slash && this.trySlashComment();
  }

  /** Consume a comment body up to (not including) the end of line. */
  protected skipComment(): void {
    for (;;) {
      const r = this.peek();
      if (isNL(r) || r === EOF) break;
      this.next();
    }
    this.ignore();
  }

  /** After a '/', consume a second '/' and the comment; false (and un-read) if absent. */
  protected trySlashComment(): boolean {
    if (this.next() === C.slash) {
      this.skipComment();
      return true;
    }
    this.back();
    return false;
  }

  // ---- values ---------------------------------------------------------------

  /** A value where one is expected: blanks may precede it, a newline may not. */
  protected lexValue(): void {
    let r = this.next();
    while (isBlank(r)) {
      this.ignore();
      r = this.next();
    }
    if (r === C.lbrack) {
      this.ignore();
      this.emit("arrayStart", "", this.pos - 1);
      this.lexArray();
    } else if (r === C.lbrace) {
      this.ignore();
      this.emit("mapStart", "", this.pos - 1);
      this.lexMap();
    } else if (r === C.squote || r === C.dquote) {
      this.ignore();
      this.lexQuoted(r);
    } else if (r === C.minus) {
      this.lexNegativeNumber();
    } else if (r === C.lparen) {
      this.ignore();
      this.lexBlock();
    } else if (isDigit(r)) {
      this.back();
      this.lexNumberLike();
    } else if (r === C.dot) {
      this.fail("Floats must start with a digit");
    } else if (isNL(r)) {
      this.fail("Expected value but found new line");
    } else {
      this.back();
      this.lexBareString();
    }
  }

  // ---- strings ----------------------------------------------------------

  /** The accumulated string: escaped parts (raw bytes decoded as UTF-8) plus the pending text. */
  protected takeString(end = this.pos): string {
    const tail = this.src.slice(this.start, end);
    if (this.parts.length === 0) return tail;
    const chunks: Buffer[] = [];
    let bytes: number[] = [];
    for (const p of this.parts) {
      if (typeof p === "number") {
        bytes.push(p);
      } else {
        if (bytes.length) chunks.push(Buffer.from(bytes));
        bytes = [];
        chunks.push(Buffer.from(p, "utf8"));
      }
    }
    if (bytes.length) chunks.push(Buffer.from(bytes));
    chunks.push(Buffer.from(tail, "utf8"));
    this.parts = [];
    return Buffer.concat(chunks).toString("utf8");
  }

  /** A quoted string after its opening quote; only double-quoted strings take escapes. */
  protected lexQuoted(quote: number): void {
    const at = this.start;
    for (;;) {
      const r = this.next();
      if (r === C.backslash && quote === C.dquote) {
        this.lexEscape();
        continue;
      }
      if (r === quote) {
        this.emit("string", this.takeString(this.pos - 1), at);
        this.ignore();
        return;
      }
      if (r === EOF) this.endInside();
    }
  }

  /** Unquoted string, also the continuation of something that began like a number. */
  protected lexBareString(): void {
    const at = this.start;
    for (;;) {
      const r = this.next();
      if (r === C.backslash) {
        this.lexEscape();
        continue;
      }
      if (endsBareString(r)) {
        this.back();
        const raw = this.src.slice(this.start, this.pos);
        if (this.parts.length > 0) {
          this.emit("string", this.takeString(), at);
        } else if (BOOLS.has(raw.toLowerCase())) {
          this.emit("bool", raw);
        } else if (raw.charCodeAt(0) === C.dollar) {
          this.emit("variable", raw.slice(1));
        } else {
          this.emit("string", raw);
        }
        return;
      }
      if (r === C.squote) {
        // A quote ends a bare string and is swallowed.
        this.emit("string", this.takeString(this.pos - 1), at);
        this.ignore();
        return;
      }
    }
  }

  /** After a backslash inside a double-quoted or bare string. */
  protected lexEscape(): void {
    this.parts.push(this.src.slice(this.start, this.pos - 1));
    const r = this.next();
    const simple: Record<number, string> = { 116: "\t", 110: "\n", 114: "\r", 34: '"', 92: "\\" };
    if (r === ch("x")) {
      for (let i = 0; i < 2; i++) {
        if (isNL(this.next())) this.fail("Expected two hexadecimal digits after '\\x', but hit end of line");
      }
      const hex = this.src.slice(this.pos - 2, this.pos);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.fail(`Expected two hexadecimal digits after '\\x', but got '${hex}'`);
      this.parts.push(parseInt(hex, 16));
    } else if (simple[r] !== undefined) {
      this.parts.push(simple[r]);
    } else {
      this.fail(
        `Invalid escape character '${showRune(r)}'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\", \\\\.`,
      );
    }
    this.start = this.pos;
  }

  /**
   * A `( … )` text block: everything up to a ')' that sits alone at the start
   * of a line (followed by a newline or the end of input).
   */
  protected lexBlock(): void {
    for (;;) {
      const r = this.next();
      if (r === EOF) this.fail("Unexpected EOF processing block.");
      if (r !== C.rparen || this.src.charCodeAt(this.pos - 2) !== C.nl) continue;
      const close = this.pos - 1;
      const after = this.next();
      if (after === C.nl || after === EOF) {
        // At the real end of input Go keeps the ')' in the text.
        const end = after === EOF && this.width === 0 ? close + 1 : close;
        this.pos = close;
        if (after === C.nl) this.line--;
        this.emit("string", this.src.slice(this.start, end));
        this.next();
        this.ignore();
        return;
      }
      this.back();
    }
  }

  // ---- numbers ----------------------------------------------------------

  /** Integer, float, size (`1k`), ISO8601 date, IP address, or a string starting with a digit. */
  protected lexNumberLike(): void {
    this.next();
    for (;;) {
      const r = this.next();
      if (r === C.minus) {
        if (this.pos - this.start !== 5) this.fail("All ISO8601 dates must be in full Zulu form.");
        this.lexDateRest();
        return;
      }
      if (isDigit(r)) continue;
      if (r === C.dot) {
        this.lexFraction();
        return;
      }
      if (isSuffix(r)) {
        this.lexSizeSuffix();
        return;
      }
      if (!endsNumber(r)) {
        // Not a number after all; the rune just read stays part of the string.
        this.lexBareString();
        return;
      }
      this.back();
      this.emit("integer", this.src.slice(this.start, this.pos));
      return;
    }
  }

  protected lexNegativeNumber(): void {
    const r = this.next();
    if (!isDigit(r)) {
      if (r === C.dot) this.fail("Floats must start with a digit, not '.'.");
      this.fail(`Expected a digit but got '${showRune(r)}'.`);
    }
    for (;;) {
      const q = this.next();
      if (isDigit(q)) continue;
      if (q === C.dot) {
        this.lexFraction();
        return;
      }
      if (isSuffix(q)) {
        this.lexSizeSuffix();
        return;
      }
      this.back();
      this.emit("integer", this.src.slice(this.start, this.pos));
      return;
    }
  }

  /** After the size letter: any run of b/B/i/I, then the number must end. */
  protected lexSizeSuffix(): void {
    let r = this.next();
    while (r === ch("b") || r === ch("B") || r === ch("i") || r === ch("I")) r = this.next();
    this.back();
    if (endsNumber(r) || isDigit(r)) {
      this.emit("integer", this.src.slice(this.start, this.pos));
    } else {
      this.lexBareString();
    }
  }

  /** After `digits.`: a float, or (on a second '.') an IP-like string. */
  protected lexFraction(): void {
    const r = this.next();
    if (!isDigit(r)) this.fail(`Floats must have a digit after the '.', but got '${showRune(r)}' instead.`);
    for (;;) {
      const q = this.next();
      if (isDigit(q)) continue;
      if (q === C.dot) {
        let s = this.next();
        while (isDigit(s) || s === C.dot || s === C.colon || s === C.minus) s = this.next();
        this.back();
        this.emit("string", this.src.slice(this.start, this.pos));
        return;
      }
      this.back();
      this.emit("float", this.src.slice(this.start, this.pos));
      return;
    }
  }

  /** After `YYYY-`: exactly `MM-DDTHH:MM:SSZ`. */
  protected lexDateRest(): void {
    for (const f of "00-00T00:00:00Z") {
      const r = this.next();
      if (f === "0") {
        if (!isDigit(r)) this.fail(`Expected digit in ISO8601 datetime, but found '${showRune(r)}' instead.`);
      } else if (r !== ch(f)) {
        this.fail(`Expected '${f}' in ISO8601 datetime, but found '${showRune(r)}' instead.`);
      }
    }
    this.emit("datetime", this.src.slice(this.start, this.pos));
  }
}
