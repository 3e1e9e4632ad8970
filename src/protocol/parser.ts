// ClientProtocolParser: the byte-level state machine for the NATS client
// protocol (client → server direction). It turns raw socket chunks into calls
// on a ProtocolHandler. It owns framing only: it never validates subjects,
// never applies permissions, never writes to sockets.
//
// Hot path: a chunk is never turned into one big string. Control lines are
// scanned byte by byte; only subject, reply, queue and sid become (latin1)
// strings. A payload that is wholly inside the chunk is handed over as a view
// of the chunk; only a payload that straddles chunks is copied.

import { SUBJECT_HASH_SEED, SubjectStringCache, subjectHashStep } from "./subject-cache.js";
import {
  argLength,
  isArglessOp,
  isJsonObject,
  isOpPrefix,
  isSpace,
  lc,
  matchWord,
  parseDecimal,
  parseSize,
  skipBlanks,
  splitArgs,
} from "./control-line.js";

export interface ProtocolHandler {
  /** PUB (hdrLen = -1) or HPUB. The payload is buf[start, start+size). */
  onPub(subject: string, reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number): void;
  onSub(subject: string, queue: string | undefined, sid: string): void;
  onUnsub(sid: string, max: number): void;
  onPing(): void;
  onPong(): void;
  onConnect(json: string): void;
  /** Framing failed; `err` is the -ERR text to send, or "" to close silently. */
  onParseError(err: string, reason: ParseFailure): void;
  /** Payload size larger than the parser's maxPayload: the op is dropped and parsing stops. */
  onMaxPayload(size: number): void;
  /**
   * With `connectGate` set, an op began with a byte other than C/c (nothing
   * but CONNECT may come first when auth is required). The handler either
   * clears the gate (the op then proceeds) or closes the connection.
   */
  onOpBeforeConnect(): void;
}

export const enum ParseFailure {
  UnknownOp,
  BadArgs,
  MaxControlLine,
  MaxPayload,
  HeadersNotSupported,
  /** The client sent `-ERR ...`: Go closes it silently as a parse error. */
  ClientError,
}

// The parser's own copies, not imports from control-line.ts: V8 folds a
// module's own constants into the scanning loops, but loads imported ones from
// their module cell at every comparison (measured: ~10% slower per PUB).
const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

export class ClientProtocolParser {
  /** Bytes of a control line that arrived without its LF yet. */
  private partialLine: Buffer | null = null;
  /** Payload being collected across chunks. */
  private pendingPayload: Buffer | null = null;
  private pendingFilled = 0;
  private pendingSubject = "";
  private pendingReply: string | undefined = undefined;
  private pendingHdrLen = -1;
  /** Set once a fatal error was reported; further input is ignored. */
  private failed = false;
  maxControlLine: number;
  /** Payloads above this go through the general path, which reports them. */
  maxPayload = Infinity;
  headersAllowed = false;
  /** Only CONNECT may start the next op (auth required, no CONNECT accepted yet). */
  connectGate = false;
  /** Input is held, in order, until resume() (a CONNECT awaiting its verdict). */
  private suspended = false;
  private held: Buffer | null = null;
  /** Recently seen subjects: equal bytes give the identical string (hashed once by V8). */
  private readonly subjects = new SubjectStringCache();

  constructor(private readonly handler: ProtocolHandler, maxControlLine: number) {
    this.maxControlLine = maxControlLine;
  }

  /** Feed one chunk. Returns when the whole chunk is consumed or parsing failed. */
  parse(buf: Buffer): void {
    if (this.failed) return;
    if (this.suspended) {
      this.held = this.held === null ? Buffer.from(buf) : Buffer.concat([this.held, buf]);
      return;
    }
    let i = 0;
    const len = buf.length;
    if (this.pendingPayload !== null) {
      i = this.fillPayload(buf, 0);
      if (i < 0 || this.failed) return;
    }
    if (this.partialLine !== null) {
      i = this.finishPartialLine(buf, i);
      if (i < 0 || this.failed) return;
    }
    // Ops one by one under the gate; the loop below never looks at it.
    while (this.connectGate && i < len) {
      const b = buf[i];
      if (b !== 0x43 && b !== 0x63) {
        this.handler.onOpBeforeConnect();
        if (this.failed) return;
        continue;
      }
      i = this.parseOp(buf, i, len);
      if (i < 0 || this.failed) return;
    }
    while (i < len) {
      // Fast path: a complete, well-formed `PUB subject [reply] size\r\n` + payload.
      const b0 = buf[i];
      if ((b0 === 0x50 || b0 === 0x70) && i + 4 < len && (buf[i + 1] | 0x20) === 0x75 && (buf[i + 2] | 0x20) === 0x62 && buf[i + 3] === SPACE) {
        const next = this.fastPub(buf, i + 4, len);
        if (next > 0) {
          i = next;
          continue;
        }
        if (this.failed) return;
      }
      const next = this.parseOp(buf, i, len);
      if (next < 0 || this.failed) return;
      i = next;
    }
  }

  /**
   * One pass over a PUB control line: argument boundaries, the subject's hash
   * and the size. Returns the index after the payload's CRLF, or 0 when
   * anything is unusual (incomplete, malformed, oversized) so that the
   * general path handles it with full error reporting.
   */
  private fastPub(buf: Buffer, s: number, len: number): number {
    // Every scan is followed by an end-of-input check before `c` is looked at
    // again: comparisons that ordinary traffic never executes would lack type
    // feedback, and V8 would deoptimise this function each time a chunk
    // boundary falls inside a control line. Unusual input (tabs, bad digits)
    // simply returns 0 and takes the general path.
    const limit = Math.min(len, s + this.maxControlLine);
    let j = s;
    let c = 0;
    while (j < limit && (c = buf[j]) === SPACE) j++;
    const subjStart = j;
    let h = SUBJECT_HASH_SEED;
    while (j < limit && (c = buf[j]) > SPACE) {
      h = subjectHashStep(h, c);
      j++;
    }
    if (j >= limit) return 0;
    const subjEnd = j;
    if (subjEnd === subjStart || c !== SPACE) return 0;
    while (j < limit && (c = buf[j]) === SPACE) j++;
    // Second argument: the size, or the reply when a third follows.
    const a2 = j;
    let size = 0;
    let nonDigit = false;
    while (j < limit && (c = buf[j]) > SPACE) {
      const d = c - 48;
      if (d >>> 0 > 9) nonDigit = true;
      size = size * 10 + d;
      j++;
    }
    if (j >= limit) return 0;
    const a2e = j;
    let replyStart = -1;
    if (c === SPACE) {
      while (j < limit && (c = buf[j]) === SPACE) j++;
      if (j >= limit) return 0;
      if (c !== CR) {
        replyStart = a2;
        size = 0;
        const a3 = j;
        while (j < limit && (c = buf[j]) > SPACE) {
          const d = c - 48;
          if (d >>> 0 > 9) return 0;
          size = size * 10 + d;
          j++;
        }
        if (j >= limit || j - a3 > 12) return 0;
        while (j < limit && (c = buf[j]) === SPACE) j++;
        if (j >= limit) return 0;
      } else if (nonDigit) {
        return 0;
      }
    } else if (nonDigit) {
      return 0;
    }
    if ((replyStart < 0 && a2e - a2 > 12) || c !== CR) return 0;
    j++;
    if (j >= len || buf[j] !== LF) return 0;
    const p = j + 1;
    const end = p + size;
    if (end + 2 > len || size > this.maxPayload) return 0;
    if (buf[end] !== CR || buf[end + 1] !== LF) return 0;
    const subject = this.subjects.get(buf, subjStart, subjEnd, h);
    const reply = replyStart < 0 ? undefined : buf.latin1Slice(replyStart, a2e);
    this.handler.onPub(subject, reply, -1, buf, p, size);
    return end + 2;
  }

  /** Hold all further input until resume() (its order is kept). */
  suspend(): void {
    this.suspended = true;
  }

  /** Parse what was held since suspend(), then continue normally. */
  resume(): void {
    this.suspended = false;
    const h = this.held;
    this.held = null;
    if (h !== null) this.parse(h);
  }

  /** Stop parsing: the connection is closing. */
  stop(): void {
    this.failed = true;
    this.held = null;
    this.partialLine = null;
    this.pendingPayload = null;
    // Closed connections stay listed in monitoring: keep them light.
    this.subjects.clear();
  }

  private fail(err: string, reason: ParseFailure): void {
    this.failed = true;
    this.partialLine = null;
    this.pendingPayload = null;
    this.handler.onParseError(err, reason);
  }

  /** Collect the rest of a straddling payload (+CRLF). Returns next index, or -1 if more is needed. */
  private fillPayload(buf: Buffer, i: number): number {
    const p = this.pendingPayload!;
    const want = p.length - this.pendingFilled;
    const have = buf.length - i;
    const n = have < want ? have : want;
    buf.copy(p, this.pendingFilled, i, i + n);
    this.pendingFilled += n;
    if (this.pendingFilled < p.length) return -1;
    this.pendingPayload = null;
    const size = p.length - 2;
    if (p[size] !== CR || p[size + 1] !== LF) {
      this.fail("Unknown Protocol Operation", ParseFailure.UnknownOp);
      return -1;
    }
    this.handler.onPub(this.pendingSubject, this.pendingReply, this.pendingHdrLen, p, 0, size);
    return i + n;
  }

  /** Complete a control line split over chunks, dispatch it, return the index after it. */
  private finishPartialLine(buf: Buffer, i: number): number {
    const nl = buf.indexOf(LF, i);
    if (nl < 0) {
      const partial = Buffer.concat([this.partialLine!, buf.subarray(i)]);
      this.partialLine = partial;
      this.checkPartial(partial);
      return -1;
    }
    const line = Buffer.concat([this.partialLine!, buf.subarray(i, nl + 1)]);
    this.partialLine = null;
    // The joined line is parsed on its own; a payload that follows must come from `buf`.
    return this.parseOp(line, 0, line.length, buf, nl + 1);
  }

  private controlLineTooLong(): void {
    // Go's text (ErrMaxControlLine), lower case on the wire.
    this.fail("maximum control line exceeded", ParseFailure.MaxControlLine);
  }

  /**
   * A control line still waiting for its LF: fail now if its op can no longer
   * become a valid one (Go rejects a bad op byte as soon as it arrives) or if
   * its arguments already exceed the control line limit.
   */
  private checkPartial(partial: Buffer): void {
    if (!isOpPrefix(partial, 0, partial.length)) {
      this.fail("Unknown Protocol Operation", ParseFailure.UnknownOp);
    } else if (partial.length > this.maxControlLine) {
      if (argLength(partial, 0, partial.length) > this.maxControlLine) this.controlLineTooLong();
      // PING/PONG/+OK: Go ignores what follows the op word; keep just the word.
      else if (isArglessOp(partial, 0)) this.partialLine = Buffer.from(partial.subarray(0, 4));
    }
  }

  /**
   * Parse one operation starting at `start`. `rest`/`restStart`, when given,
   * are where payload bytes continue (used for a re-joined partial line).
   * Returns the index after the op (in `rest` if given), or -1 if the input ran out.
   */
  private parseOp(buf: Buffer, start: number, len: number, rest?: Buffer, restStart = 0): number {
    // Find the end of the control line. A stray CR/LF where an op should
    // start is an unknown op, as in Go.
    const i = start;
    if (i >= len) return rest ? restStart : len;
    const opStart = i;
    let nl = -1;
    const limit = len;
    for (let j = i; j < limit; j++) {
      if (buf[j] === LF) {
        nl = j;
        break;
      }
    }
    if (nl < 0) {
      // Incomplete control line: keep it (copied, the chunk is not ours to keep).
      const partial = Buffer.from(buf.subarray(opStart, len));
      this.partialLine = partial;
      this.checkPartial(partial);
      return -1;
    }
    let lineEnd = nl;
    if (lineEnd > opStart && buf[lineEnd - 1] === CR) lineEnd--;
    // Go limits the arguments (after the op and its blanks), not the whole line.
    if (lineEnd - opStart > this.maxControlLine && isOpPrefix(buf, opStart, lineEnd) && argLength(buf, opStart, lineEnd) > this.maxControlLine) {
      this.controlLineTooLong();
      return -1;
    }
    const after = nl + 1;
    const b0 = lc(buf[opStart]);
    const opLen = lineEnd - opStart;
    if (b0 === 0x70 /* p */) {
      const b1 = opLen > 1 ? lc(buf[opStart + 1]) : 0;
      if (b1 === 0x75 /* u */ && opLen > 3 && lc(buf[opStart + 2]) === 0x62 && isSpace(buf[opStart + 3])) {
        return this.parsePub(buf, opStart + 4, lineEnd, after, false, rest, restStart);
      }
      if (b1 === 0x69 /* i */ && opLen >= 4 && lc(buf[opStart + 2]) === 0x6e && lc(buf[opStart + 3]) === 0x67) {
        this.handler.onPing();
        return rest ? restStart : after;
      }
      if (b1 === 0x6f /* o */ && opLen >= 4 && lc(buf[opStart + 2]) === 0x6e && lc(buf[opStart + 3]) === 0x67) {
        this.handler.onPong();
        return rest ? restStart : after;
      }
    } else if (b0 === 0x68 /* h */) {
      if (opLen > 4 && lc(buf[opStart + 1]) === 0x70 && lc(buf[opStart + 2]) === 0x75 && lc(buf[opStart + 3]) === 0x62 && isSpace(buf[opStart + 4])) {
        if (!this.headersAllowed) {
          this.fail("", ParseFailure.HeadersNotSupported);
          return -1;
        }
        return this.parsePub(buf, opStart + 5, lineEnd, after, true, rest, restStart);
      }
    } else if (b0 === 0x73 /* s */) {
      if (opLen > 3 && lc(buf[opStart + 1]) === 0x75 && lc(buf[opStart + 2]) === 0x62 && isSpace(buf[opStart + 3])) {
        if (!this.parseSub(buf, opStart + 4, lineEnd)) return -1;
        return rest ? restStart : after;
      }
    } else if (b0 === 0x75 /* u */) {
      if (opLen > 5 && matchWord(buf, opStart, "unsub") && isSpace(buf[opStart + 5])) {
        if (!this.parseUnsub(buf, opStart + 6, lineEnd)) return -1;
        return rest ? restStart : after;
      }
    } else if (b0 === 0x63 /* c */) {
      // As in Go, blanks between CONNECT and its JSON are optional.
      if (opLen >= 7 && matchWord(buf, opStart, "connect")) {
        let s = opStart + 7;
        while (s < lineEnd && isSpace(buf[s])) s++;
        this.handler.onConnect(buf.toString("utf8", s, lineEnd));
        if (this.suspended) {
          // The verdict is pending: keep the rest of the input, stop here (-1 ends every caller's loop).
          const from = rest ? rest : buf;
          const at = rest ? restStart : after;
          const end = rest ? rest.length : len;
          if (at < end) this.held = Buffer.from(from.subarray(at, end));
          return -1;
        }
        return rest ? restStart : after;
      }
    } else if (b0 === 0x69 /* i */) {
      // A client's INFO is ignored (Go decodes it, and closes on bad JSON).
      if (opLen >= 4 && matchWord(buf, opStart, "info")) {
        if (!isJsonObject(buf.toString("utf8", skipBlanks(buf, opStart + 4, lineEnd), lineEnd))) {
          this.fail("", ParseFailure.BadArgs);
          return -1;
        }
        return rest ? restStart : after;
      }
    } else if (buf[opStart] === 0x2b /* + */) {
      if (opLen >= 3 && matchWord(buf, opStart, "+ok")) return rest ? restStart : after;
    } else if (buf[opStart] === 0x2d /* - */) {
      // A client's -ERR makes Go close the connection (silently).
      if (opLen > 4 && matchWord(buf, opStart, "-err") && isSpace(buf[opStart + 4])) {
        this.fail("", ParseFailure.ClientError);
        return -1;
      }
    }
    this.fail("Unknown Protocol Operation", ParseFailure.UnknownOp);
    return -1;
  }

  private parsePub(buf: Buffer, s: number, e: number, after: number, withHeaders: boolean, rest: Buffer | undefined, restStart: number): number {
    // Arguments: subject [reply] [hdrSize] size
    let a0s = -1, a0e = -1, a1s = -1, a1e = -1, a2s = -1, a2e = -1, a3s = -1, a3e = -1;
    let n = 0;
    let i = s;
    while (i < e) {
      const c = buf[i];
      if (c === SPACE || c === TAB) {
        i++;
        continue;
      }
      const st = i;
      while (i < e && buf[i] !== SPACE && buf[i] !== TAB) i++;
      if (n === 0) { a0s = st; a0e = i; }
      else if (n === 1) { a1s = st; a1e = i; }
      else if (n === 2) { a2s = st; a2e = i; }
      else if (n === 3) { a3s = st; a3e = i; }
      n++;
    }
    let subject: string;
    let reply: string | undefined;
    let size: number;
    let hdrLen = -1;
    if (!withHeaders) {
      if (n === 2) {
        size = parseSize(buf, a1s, a1e);
      } else if (n === 3) {
        reply = buf.latin1Slice(a1s, a1e);
        size = parseSize(buf, a2s, a2e);
      } else {
        this.fail("", ParseFailure.BadArgs);
        return -1;
      }
    } else {
      if (n === 3) {
        hdrLen = parseSize(buf, a1s, a1e);
        size = parseSize(buf, a2s, a2e);
      } else if (n === 4) {
        reply = buf.latin1Slice(a1s, a1e);
        hdrLen = parseSize(buf, a2s, a2e);
        size = parseSize(buf, a3s, a3e);
      } else {
        this.fail("", ParseFailure.BadArgs);
        return -1;
      }
      if (hdrLen < 0 || hdrLen > size) {
        this.fail("", ParseFailure.BadArgs);
        return -1;
      }
    }
    if (size < 0) {
      this.fail("", ParseFailure.BadArgs);
      return -1;
    }
    subject = buf.latin1Slice(a0s, a0e);
    if (size > this.maxPayload) {
      this.stop();
      this.handler.onMaxPayload(size);
      return -1;
    }
    // Payload source: the chunk itself, or the chunk after a re-joined line.
    const src = rest ?? buf;
    const p = rest ? restStart : after;
    const end = p + size;
    if (end + 2 <= src.length) {
      if (src[end] !== CR || src[end + 1] !== LF) {
        this.fail("Unknown Protocol Operation", ParseFailure.UnknownOp);
        return -1;
      }
      this.handler.onPub(subject, reply, hdrLen, src, p, size);
      return end + 2;
    }
    // Straddles the chunk: start collecting.
    const pending = Buffer.allocUnsafe(size + 2);
    const have = src.length - p;
    src.copy(pending, 0, p, src.length);
    this.pendingPayload = pending;
    this.pendingFilled = have;
    this.pendingSubject = subject;
    this.pendingReply = reply;
    this.pendingHdrLen = hdrLen;
    return -1;
  }

  private parseSub(buf: Buffer, s: number, e: number): boolean {
    const args = splitArgs(buf, s, e);
    if (args.length === 2) {
      this.handler.onSub(args[0], undefined, args[1]);
      return true;
    }
    if (args.length === 3) {
      this.handler.onSub(args[0], args[1], args[2]);
      return true;
    }
    this.fail("", ParseFailure.BadArgs);
    return false;
  }

  private parseUnsub(buf: Buffer, s: number, e: number): boolean {
    const args = splitArgs(buf, s, e);
    if (args.length === 1) {
      this.handler.onUnsub(args[0], 0);
      return true;
    }
    if (args.length === 2) {
      const max = parseDecimal(args[1]);
      this.handler.onUnsub(args[0], max < 0 ? 0 : max);
      return true;
    }
    this.fail("", ParseFailure.BadArgs);
    return false;
  }
}
