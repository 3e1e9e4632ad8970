// Config lexer: turns nats-server configuration text into a flat list of
// tokens (keys, scalar values, array/map delimiters, variable references and
// include directives). It owns the character-level grammar of the format and
// reproduces the acceptance rules and error texts of the Go nats-server 2.9.x
// lexer, including its quirks. It must not build trees, resolve variables,
// convert numbers or touch the file system: that is the parser's job.

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
const EOF = 0;

const ch = (s: string): number => s.charCodeAt(0);
const C = {
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
function isDigit(r: number): boolean {
  if (r >= 0x30 && r <= 0x39) return true;
  return r > 0x7f && DIGIT_RE.test(String.fromCodePoint(r));
}

/** Blank inside a line: only space and tab. */
const isBlank = (r: number): boolean => r === C.space || r === C.tab;
const isNL = (r: number): boolean => r === C.nl || r === C.cr;
const isKeySep = (r: number): boolean => r === C.equal || r === C.colon;
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
function showRune(r: number): string {
  return r === C.nl ? "\\n" : String.fromCodePoint(r);
}

function computeLineStarts(src: string): number[] {
  const starts = [0];
  for (let i = src.indexOf("\n"); i !== -1; i = src.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Thrown to unwind the scanner when an error token has been recorded. */
class Halt {}

/**
 * One-pass scanner. Each `lex*` method consumes one syntactic construct; the
 * nesting of method calls mirrors the nesting of maps and arrays.
 */
class Scanner {
  private pos = 0;
  private line = 1;
  /** Width (UTF-16 units) of the last rune read by next(); 0 at end of input. */
  private width = 0;
  /** Start of the text of the token being scanned. */
  private start = 0;
  /** Unescaped pieces of the current string (text, or raw bytes from \xNN). */
  private parts: Array<string | number> = [];
  readonly tokens: Token[] = [];
  private lineStarts: number[] | undefined;

  constructor(private readonly src: string) {}

  run(): Token[] {
    try {
      this.lexTop();
    } catch (e) {
      if (!(e instanceof Halt)) throw e;
    }
    return this.tokens;
  }

  // ---- primitives -------------------------------------------------------

  private next(): number {
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
  private back(): void {
    this.pos -= this.width;
    if (this.width > 0 && this.src.charCodeAt(this.pos) === C.nl) this.line--;
  }

  private peek(): number {
    const r = this.next();
    this.back();
    return r;
  }

  private ignore(): void {
    this.start = this.pos;
  }

  /** 1-based column of the character at `index`. */
  private colAt(index: number): number {
    const nl = this.src.lastIndexOf("\n", index - 1);
    return index - nl;
  }

  private emit(kind: TokenKind, text: string, at = this.start): void {
    const line = this.lineAt(at);
    this.tokens.push({ kind, text, line, col: this.colAt(at) });
    this.start = this.pos;
  }

  /** 1-based line of the character at `index`. */
  private lineAt(index: number): number {
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
  private fail(message: string): never {
    const col = Math.max(1, this.pos - this.src.lastIndexOf("\n", this.pos - 1) - 1);
    this.tokens.push({ kind: "error", text: message, line: this.line, col });
    throw new Halt();
  }

  /** End lexing successfully in the middle of the input (Go emits EOF here). */
  private stop(): never {
    throw new Halt();
  }

  /** Consume a comment body up to (not including) the end of line. */
  private skipComment(): void {
    for (;;) {
      const r = this.peek();
      if (isNL(r) || r === EOF) break;
      this.next();
    }
    this.ignore();
  }

  /** After a '/', consume a second '/' and the comment; false (and un-read) if absent. */
  private trySlashComment(): boolean {
    if (this.next() === C.slash) {
      this.skipComment();
      return true;
    }
    this.back();
    return false;
  }

  // ---- top level ----------------------------------------------------------

  private lexTop(): void {
    for (;;) {
      const r = this.next();
      if (isSpace(r) || r === C.lbrace) {
        this.ignore();
        continue;
      }
      if (r === C.hash) {
        this.skipComment();
        continue;
      }
      if (r === C.slash && this.trySlashComment()) continue;
      if (r === C.slash || r === EOF) {
        if (this.pos > this.start) this.fail("Unexpected EOF.");
        return;
      }
      this.back();
      this.lexTopKey();
      this.lexTopValueEnd();
    }
  }

  private lexTopKey(): void {
    const r = this.peek();
    if (isKeySep(r)) this.fail(`Unexpected key separator '${showRune(r)}'`);
    if (r === C.dquote || r === C.squote) {
      this.next();
      this.ignore();
      for (;;) {
        const q = this.peek();
        if (q === r) break;
        if (q === EOF) {
          if (this.pos > this.start) this.fail("Unexpected EOF.");
          this.stop();
        }
        this.next();
      }
      this.emit("key", this.src.slice(this.start, this.pos));
      this.next();
      this.ignore();
    } else {
      this.ignore();
      this.next();
      for (;;) {
        const q = this.peek();
        if (isSpace(q)) {
          if (this.isIncludeKeyword()) {
            this.lexInclude();
            return;
          }
          break;
        }
        if (isKeySep(q) || q === EOF) break;
        this.next();
      }
      this.emit("key", this.src.slice(this.start, this.pos));
    }
    // Between the key and its value: any whitespace (newlines too), one separator.
    for (;;) {
      const q = this.next();
      if (isSpace(q)) continue;
      if (isKeySep(q)) break;
      if (q === EOF) this.stop();
      this.back();
      break;
    }
    this.ignore();
    this.lexValue();
  }

  private lexTopValueEnd(): void {
    for (;;) {
      const r = this.next();
      if (r === C.hash) {
        this.skipComment();
        return;
      }
      if (r === C.slash) {
        if (this.trySlashComment()) return;
        continue; // a lone '/' is skipped like a blank
      }
      if (isBlank(r)) continue;
      if (isNL(r) || r === EOF || r === C.semi || r === C.comma || r === C.rbrace) {
        this.ignore();
        return;
      }
      this.fail(`Expected a top-level value to end with a new line, comment or EOF, but got '${showRune(r)}' instead.`);
    }
  }

  // ---- include --------------------------------------------------------------

  /** The bare key just scanned is `include` (any case) followed by whitespace. */
  private isIncludeKeyword(): boolean {
    if (this.src.slice(this.start, this.pos).toLowerCase() !== "include") return false;
    this.ignore();
    return true;
  }

  private lexInclude(): void {
    let r = this.next();
    while (isBlank(r)) r = this.next();
    this.back();
    this.ignore();
    r = this.next();
    if (r === C.squote || r === C.dquote) {
      this.ignore();
      for (;;) {
        const q = this.next();
        if (q === r) break;
        if (q === EOF) {
          this.fail(r === C.squote ? "Unexpected EOF in quoted include" : "Unexpected EOF in double quoted include");
        }
      }
      this.emit("include", this.src.slice(this.start, this.pos - 1));
      this.ignore();
      return;
    }
    if (r === C.lbrack) this.fail("Expected include value but found start of an array");
    if (r === C.lbrace) this.fail("Expected include value but found start of a map");
    if (r === C.lparen) this.fail("Expected include value but found start of a block");
    if (isDigit(r) || r === C.minus) this.fail("Expected include value but found start of a number");
    if (r === C.backslash) this.fail("Expected include value but found escape sequence");
    if (isNL(r)) this.fail("Expected include value but found new line");
    this.back();
    for (;;) {
      const q = this.next();
      if (isNL(q) || q === EOF || q === C.semi || q === C.rbrace || isBlank(q)) {
        this.back();
        this.emit("include", this.src.slice(this.start, this.pos));
        return;
      }
      if (q === C.squote) {
        this.emit("include", this.src.slice(this.start, this.pos - 1));
        return;
      }
    }
  }

  // ---- values ---------------------------------------------------------------

  /** A value where one is expected: blanks may precede it, a newline may not. */
  private lexValue(): void {
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
    } else if (r === C.squote) {
      this.ignore();
      this.lexSingleQuoted();
    } else if (r === C.dquote) {
      this.ignore();
      this.lexDoubleQuoted();
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

  private lexArray(): void {
    for (;;) {
      // Before a value: whitespace, newlines and comments are skipped.
      const r = this.next();
      if (isSpace(r)) {
        this.ignore();
        continue;
      }
      if (r === C.hash) {
        this.skipComment();
        continue;
      }
      if (r === C.slash && this.trySlashComment()) continue;
      if (r === C.slash || r === C.comma) this.fail(`Unexpected array value terminator ','.`);
      if (r === C.rbrack) {
        this.ignore();
        this.emit("arrayEnd", "", this.pos - 1);
        return;
      }
      this.back();
      this.ignore();
      this.lexValue();
      // After a value: a comma or newline separates, ']' closes.
      for (;;) {
        const e = this.next();
        if (isBlank(e)) continue;
        if (e === C.hash) {
          this.skipComment();
          continue;
        }
        if (e === C.slash && this.trySlashComment()) continue;
        if (e === C.slash || e === C.comma || isNL(e)) break;
        if (e === C.rbrack) {
          this.ignore();
          this.emit("arrayEnd", "", this.pos - 1);
          return;
        }
        this.fail(`Expected an array value terminator "," or an array terminator "]", but got '${showRune(e)}' instead.`);
      }
      this.ignore();
    }
  }

  private lexMap(): void {
    for (;;) {
      // Key position.
      const r = this.peek();
      if (isKeySep(r)) this.fail(`Unexpected key separator '${showRune(r)}'.`);
      if (r === C.rbrack) this.fail(`Unexpected array end '${showRune(r)}' processing map.`);
      if (isSpace(r)) {
        this.next();
        this.ignore();
        continue;
      }
      if (r === C.rbrace) {
        this.next();
        this.ignore();
        this.emit("mapEnd", "", this.pos - 1);
        return;
      }
      if (r === C.hash) {
        this.next();
        this.skipComment();
        continue;
      }
      if (r === EOF) this.fail("Unexpected EOF processing map.");
      if (r === C.squote || r === C.dquote) {
        this.next();
        this.ignore();
        for (;;) {
          const q = this.peek();
          if (q === EOF) {
            this.fail(r === C.squote ? "Unexpected EOF processing quoted map key." : "Unexpected EOF processing double quoted map key.");
          }
          if (q === r) break;
          this.next();
        }
        this.emit("key", this.src.slice(this.start, this.pos));
        this.next();
        this.ignore();
      } else {
        if (r === C.slash) {
          this.next();
          if (this.trySlashComment()) continue;
          // A single '/' is dropped and the key starts after it.
        }
        this.ignore();
        this.next();
        let include = false;
        for (;;) {
          const q = this.peek();
          if (q === EOF) this.fail("Unexpected EOF processing map key.");
          if (isSpace(q)) {
            include = this.isIncludeKeyword();
            break;
          }
          if (isKeySep(q)) break;
          this.next();
        }
        if (include) {
          this.lexInclude();
          if (this.lexMapValueEnd()) return;
          continue;
        }
        this.emit("key", this.src.slice(this.start, this.pos));
      }
      // Between key and value: whitespace (newlines too) and one separator.
      for (;;) {
        const q = this.next();
        if (isSpace(q)) continue;
        if (!isKeySep(q)) this.back();
        break;
      }
      this.ignore();
      // Value position: still skipping whitespace and newlines.
      let v = this.next();
      while (isSpace(v)) {
        this.ignore();
        v = this.next();
      }
      if (v === C.comma) this.fail(`Unexpected map value terminator ",".`);
      if (v === C.rbrace) {
        // The key gets no value; the map simply ends.
        this.ignore();
        this.emit("mapEnd", "", this.pos - 1);
        return;
      }
      this.back();
      this.ignore();
      this.lexValue();
      if (this.lexMapValueEnd()) return;
    }
  }

  /** After a map value: returns true when the map was closed. */
  private lexMapValueEnd(): boolean {
    for (;;) {
      const r = this.next();
      if (isBlank(r)) continue;
      if (r === C.hash) {
        this.skipComment();
        continue;
      }
      if (r === C.slash && this.trySlashComment()) continue;
      if (r === C.slash || r === C.semi || r === C.comma || isNL(r)) {
        this.ignore();
        return false;
      }
      if (r === C.rbrace) {
        this.ignore();
        this.emit("mapEnd", "", this.pos - 1);
        return true;
      }
      this.fail(`Expected a map value terminator "," or a map terminator "}", but got '${showRune(r)}' instead.`);
    }
  }

  // ---- strings ----------------------------------------------------------

  /** The accumulated string: escaped parts (raw bytes decoded as UTF-8) plus the pending text. */
  private takeString(end = this.pos): string {
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

  private lexSingleQuoted(): void {
    for (;;) {
      const r = this.next();
      if (r === C.squote) {
        this.emit("string", this.src.slice(this.start, this.pos - 1));
        this.ignore();
        return;
      }
      if (r === EOF) {
        if (this.pos > this.start) this.fail("Unexpected EOF.");
        this.stop();
      }
    }
  }

  private lexDoubleQuoted(): void {
    const at = this.start;
    for (;;) {
      const r = this.next();
      if (r === C.backslash) {
        this.lexEscape();
        continue;
      }
      if (r === C.dquote) {
        this.emit("string", this.takeString(this.pos - 1), at);
        this.ignore();
        return;
      }
      if (r === EOF) {
        if (this.pos > this.start) this.fail("Unexpected EOF.");
        this.stop();
      }
    }
  }

  /** Unquoted string, also the continuation of something that began like a number. */
  private lexBareString(): void {
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
  private lexEscape(): void {
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
  private lexBlock(): void {
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
  private lexNumberLike(): void {
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

  private lexNegativeNumber(): void {
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
  private lexSizeSuffix(): void {
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
  private lexFraction(): void {
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
  private lexDateRest(): void {
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

/**
 * Tokenize configuration text. Never throws: a lexical error becomes a final
 * token of kind "error" (the parser reports it when it gets there, so earlier
 * semantic errors win, as in Go).
 */
export function tokenize(src: string): Token[] {
  return new Scanner(src).run();
}
