// Config lexer: turns nats-server configuration text into a flat list of
// tokens (keys, values, array/map delimiters, variable references, include
// directives). This file holds the structural grammar — top-level keys and
// their terminators, maps, arrays, `include` — on top of the value scanning
// in scanner.ts, matching the Go nats-server 2.9.x lexer's acceptance rules
// and error texts, quirks included. It must not build trees, resolve
// variables, convert numbers or touch the file system (parser.ts does that).

import { C, EOF, Halt, Scanner, isBlank, isDigit, isKeySep, isNL, isSpace, showRune, type Token } from "./scanner.js";

export type { Token, TokenKind } from "./scanner.js";

class ConfigLexer extends Scanner {
  run(): Token[] {
    try {
      this.lexTop();
    } catch (e) {
      if (!(e instanceof Halt)) throw e;
    }
    return this.tokens;
  }

  // ---- top level ----------------------------------------------------------

  private lexTop(): void {
    for (;;) {
      const r = this.next();
      if (isSpace(r) || r === C.lbrace) {
        this.ignore();
        continue;
      }
      if (this.skippedComment(r)) continue;
      if (r === C.slash || r === EOF) this.endInside();
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
        if (q === EOF) this.endInside();
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
      if (this.skippedComment(r)) return;
      if (r === C.slash) continue; // a lone '/' is skipped like a blank
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

  protected lexArray(): void {
    for (;;) {
      // Before a value: whitespace, newlines and comments are skipped.
      const r = this.next();
      if (isSpace(r)) {
        this.ignore();
        continue;
      }
      if (this.skippedComment(r)) continue;
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
        if (this.skippedComment(e)) continue;
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

  protected lexMap(): void {
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
      if (this.skippedComment(r)) continue;
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
}

/**
 * Tokenize configuration text. Never throws: a lexical error becomes a final
 * token of kind "error" (the parser reports it when it gets there, so earlier
 * semantic errors win, as in Go).
 */
export function tokenize(src: string): Token[] {
  return new ConfigLexer(src).run();
}
