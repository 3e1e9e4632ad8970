// bench/proto.js - NATS client-protocol bytes for the load generator.
// Owns: pre-built PUB frames and batches, the payload layout (sequence number
// + publisher index embedded in each payload), and Reader, a byte-level parser
// of what a server sends (INFO, PING, PONG, +OK, -ERR, MSG, HMSG) that works in
// place on one reusable buffer (fed by net.connect's `onread`), counts
// messages and checks payload sizes and sequence numbers without creating a
// string per message.

export const CONNECT_LINE =
  'CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\n';
export const PING = Buffer.from('PING\r\n', 'latin1');
export const PONG = Buffer.from('PONG\r\n', 'latin1');

// Payload layout (when size >= SEQ_BYTES): bytes 0-3 sequence number (uint32
// LE, 0-based per publisher), bytes 4-5 publisher index (uint16 LE), then
// filler 'a'..'z'. Smaller payloads carry no sequence number.
export const SEQ_BYTES = 6;
export const MAX_LINE = 4096;

const CR = 13;
const LF = 10;

/** Fill buf[off, off+size) with the filler pattern. */
export function fillPayload(buf, off, size) {
  for (let i = 0; i < size; i++) buf[off + i] = 97 + (i % 26);
}

/**
 * A batch of `frames` identical "PUB subject size\r\n<payload>\r\n" frames.
 * @returns {{buf: Buffer, flen: number, payOff: number, frames: number}}
 *   flen = bytes per frame, payOff = payload offset inside a frame.
 */
export function buildPubBatch(subject, size, frames, pubIdx = 0) {
  const hdr = Buffer.from(`PUB ${subject} ${size}\r\n`, 'latin1');
  const flen = hdr.length + size + 2;
  const buf = Buffer.allocUnsafe(flen * frames);
  for (let i = 0; i < frames; i++) {
    const f = i * flen;
    hdr.copy(buf, f);
    fillPayload(buf, f + hdr.length, size);
    buf[f + hdr.length + size] = CR;
    buf[f + hdr.length + size + 1] = LF;
    if (size >= SEQ_BYTES) {
      buf[f + hdr.length + 4] = pubIdx & 0xff;
      buf[f + hdr.length + 5] = (pubIdx >>> 8) & 0xff;
    }
  }
  return { buf, flen, payOff: hdr.length, frames };
}

/** Write sequence numbers seq0, seq0+1, ... into the first `count` frames. */
export function stampSeqs(buf, count, flen, payOff, seq0) {
  let o = payOff;
  let s = seq0;
  for (let i = 0; i < count; i++) {
    buf[o] = s & 0xff;
    buf[o + 1] = (s >>> 8) & 0xff;
    buf[o + 2] = (s >>> 16) & 0xff;
    buf[o + 3] = (s >>> 24) & 0xff;
    o += flen;
    s++;
  }
}

/**
 * Run MSG frames with header `line` and `size`-byte payloads through a
 * throw-away Reader so the JIT has optimized the parser before the timed part.
 */
export function warmUpReader(line, size, seqMode) {
  const hdr = Buffer.from(line, 'latin1');
  const flen = hdr.length + size + 2;
  const frames = Math.max(1, Math.min(2000, Math.floor((1 << 20) / flen)));
  const data = Buffer.allocUnsafe(flen * frames);
  for (let i = 0; i < frames; i++) {
    hdr.copy(data, i * flen);
    fillPayload(data, i * flen + hdr.length, size);
    data[i * flen + flen - 2] = CR;
    data[i * flen + flen - 1] = LF;
  }
  const rounds = Math.max(2, Math.ceil(50000 / frames));
  const r = new Reader(data.length + MAX_LINE * 2);
  r.expectSize = size;
  r.expectHeader(line);
  if (seqMode && size >= SEQ_BYTES) r.checkSeq(seqMode, 1, frames * rounds, null);
  for (let k = 0; k < rounds; k++) {
    if (size >= SEQ_BYTES) stampSeqs(data, frames, flen, hdr.length, k * frames);
    data.copy(r.buf, r.len);
    r.onRead(data.length);
  }
  return r.msgs === frames * rounds && r.error === null;
}

function parseUint(b, s, e) {
  if (e <= s || e - s > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function noop() {}
function matchNone() {
  return false;
}

/**
 * A function (dv, p) => bool comparing the bytes at p with header `h`, unrolled
 * into 32-bit loads (the last one overlapping): ~5x faster than a byte loop.
 */
const matchers = new Map(); // one function per header: the fast path call site stays monomorphic
function makeMatcher(h) {
  const key = h.toString('latin1');
  let f = matchers.get(key);
  if (f === undefined) {
    f = compileMatcher(h);
    matchers.set(key, f);
  }
  return f;
}
function compileMatcher(h) {
  const hv = new DataView(h.buffer, h.byteOffset, h.length);
  const parts = [];
  for (let o = 0; o + 4 <= h.length; o += 4) parts.push(`dv.getUint32(p + ${o}, true) === ${hv.getUint32(o, true)}`);
  if (h.length % 4) parts.push(`dv.getUint32(p + ${h.length - 4}, true) === ${hv.getUint32(h.length - 4, true)}`);
  return new Function('dv', 'p', `return ${parts.join(' && ')};`);
}

/**
 * Parser for one connection. Wire it to a socket with
 *   net.connect({..., onread: { buffer: () => r.nextBuffer(), callback: (n) => r.onRead(n) }})
 * Unparsed bytes (an incomplete frame) stay at the start of `buf`; the next
 * read appends after them.
 */
export class Reader {
  constructor(capacity = 1 << 20) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, MAX_LINE * 2));
    this.len = 0;
    this.msgs = 0; // complete MSG/HMSG frames
    this.bytesIn = 0;
    this.reads = 0;
    this.pongs = 0;
    this.expectSize = -1; // payload size every MSG must have (-1: any)
    this.sizeErrors = 0;
    this.fastLen = 0; // length of the exact MSG header line expected (fast path), 0 = none
    this.match = matchNone; // (dv, p) => true if that header line is at p
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.needFull = false; // deliver whole frames to onMsg (reqrep roles)
    this.payRem = 0; // bytes of a large payload still to skip
    this.crlfRem = 0; // bytes of its CRLF still to check
    this.error = null;
    this.info = null;
    // sequence checking: every (publisher, seq) is marked in a bitmap (shared
    // by the members of a queue group) to count unique messages and duplicates;
    // per publisher, a seq lower than the highest seen so far is out of order
    this.seqMode = 0; // 0 off, 1 subscriber, 2 queue member
    this.exp = []; // per publisher: highest seq seen + 1
    this.unique = 0; // distinct messages (lost = expected - unique)
    this.outOfOrder = 0; // first arrivals with a seq below an already seen one
    this.dups = 0; // seq already delivered (to this sub, or to any queue member)
    this.badSeq = 0; // seq / publisher index out of range
    this.bitmap = null; // Int32Array, 1 bit per (pub, seq)
    this.shared = false; // bitmap on a SharedArrayBuffer (Atomics)
    this.nPer = 0;
    this.tok = new Int32Array(12);
    this.need = 0; // room needed for an incomplete frame
    this.onInfo = noop; // (jsonText)
    this.onPing = noop;
    this.onPong = noop;
    this.onErr = noop; // (text)
    this.onFail = noop; // (message) protocol error: parsing stopped
    this.onMsg = noop; // (buf, subjS, subjE, replyS, replyE, payS, size) when needFull
  }

  /**
   * Enable sequence checking for `pubs` publishers of `nPer` msgs each;
   * `shared`: an Int32Array on a SharedArrayBuffer of pubs*nPer bits, shared
   * by all members of a queue group (else a private bitmap is allocated).
   */
  checkSeq(mode, pubs, nPer, shared = null) {
    this.seqMode = mode;
    this.exp = new Array(pubs).fill(0);
    this.nPer = nPer;
    this.shared = shared !== null;
    this.bitmap = shared !== null ? shared : new Int32Array(Math.ceil((pubs * nPer) / 32) + 1);
  }

  /** Expect every MSG to start with exactly this header line (enables the fast path). */
  expectHeader(line) {
    const h = Buffer.from(line, 'latin1');
    this.fastLen = h.length;
    this.match = h.length >= 4 ? makeMatcher(h) : matchNone;
    if (h.length < 4) this.fastLen = 0;
  }

  nextBuffer() {
    return this.buf.subarray(this.len);
  }

  onRead(nread) {
    if (this.error !== null) return false;
    this.len += nread;
    this.bytesIn += nread;
    this.reads++;
    this.parse();
    return this.error === null;
  }

  fail(what, p, n) {
    if (this.error !== null) return;
    const e = Math.min(this.len, p + Math.min(n, 200));
    this.error = `${what}: '${this.buf.toString('latin1', p, e)}'`;
    this.onFail(this.error);
  }

  seq(dv, q) {
    const s = dv.getUint32(q, true);
    const pi = dv.getUint16(q + 4, true);
    if (pi >= this.exp.length || s >= this.nPer) {
      this.badSeq++;
      return;
    }
    const bit = pi * this.nPer + s;
    const w = bit >>> 5;
    const m = 1 << (bit & 31);
    if (this.shared) {
      if ((Atomics.or(this.bitmap, w, m) & m) !== 0) {
        this.dups++;
        return;
      }
    } else {
      const v = this.bitmap[w];
      if ((v & m) !== 0) {
        this.dups++;
        return;
      }
      this.bitmap[w] = v | m;
    }
    this.unique++;
    if (s >= this.exp[pi]) this.exp[pi] = s + 1;
    else this.outOfOrder++;
  }

  /** Parse buf[0, len); keep an incomplete frame at the start of buf. */
  parse() {
    const b = this.buf;
    const e = this.len;
    const dv = this.dv;
    const match = this.match;
    const fl = this.fastLen;
    const size = this.expectSize;
    const seqOn = this.seqMode !== 0 && size >= SEQ_BYTES;
    let p = 0;
    if (this.payRem > 0 || this.crlfRem > 0) {
      // rest of a large payload whose start came in an earlier read
      const take = Math.min(e, this.payRem);
      p = take;
      this.payRem -= take;
      while (this.payRem === 0 && this.crlfRem > 0 && p < e) {
        if (b[p] !== (this.crlfRem === 2 ? CR : LF)) return this.fail('payload not followed by CRLF', p, 2);
        p++;
        if (--this.crlfRem === 0) this.msgs++;
      }
    }
    let fm = 0; // messages taken by the fast path (added to this.msgs below)
    while (p < e) {
      if (fl !== 0 && e - p >= fl && match(dv, p)) {
        // fast path: exactly the MSG header line this subscriber expects
        const q = p + fl;
        const fe = q + size + 2;
        if (fe <= e) {
          if (b[fe - 2] !== CR || b[fe - 1] !== LF) return this.fail('payload not followed by CRLF', fe - 2, 2);
          if (seqOn) this.seq(dv, q);
          fm++;
          p = fe;
          continue;
        }
        if (!this.needFull && e - q <= size && (!seqOn || e - q >= SEQ_BYTES)) {
          if (seqOn) this.seq(dv, q);
          this.payRem = size - (e - q);
          this.crlfRem = 2;
          p = e;
          continue;
        }
        break; // wait for more bytes of this frame
      }
      // general path: one control line
      this.msgs += fm;
      fm = 0;
      let nl = b.indexOf(LF, p);
      if (nl < 0 || nl >= e) {
        if (e - p > MAX_LINE) return this.fail('control line too long', p, 64);
        break;
      }
      if (nl === p || b[nl - 1] !== CR) return this.fail('line not terminated by CRLF', p, nl - p);
      const le = nl - 1; // line end (at CR)
      const c0 = b[p] | 0x20;
      if (c0 === 0x6d /* m */ || c0 === 0x68 /* h */) {
        const r = this.msgLine(b, p, le, e, c0 === 0x68, seqOn);
        if (r < 0) {
          if (r === -2) break; // incomplete frame
          return; // error
        }
        p = r;
        continue;
      }
      if (c0 === 0x70 /* p */ && le - p >= 4) {
        if ((b[p + 1] | 0x20) === 0x69) this.onPing();
        else {
          this.pongs++;
          this.onPong();
        }
      } else if (c0 === 0x2b /* + */) {
        // +OK
      } else if (c0 === 0x2d /* - */) {
        const t = b.toString('latin1', p, le);
        this.error = `server error: ${t}`;
        this.onErr(t);
        this.onFail(this.error);
        return;
      } else if (c0 === 0x69 /* i */) {
        const t = b.toString('latin1', p + 5, le);
        if (this.info === null) {
          try {
            this.info = JSON.parse(t);
          } catch {
            this.info = {};
          }
        }
        this.onInfo(t);
      } else return this.fail('unexpected protocol line', p, le - p);
      p = nl + 1;
    }
    this.msgs += fm;
    this.keep(p);
    if (this.need > 0) {
      this.ensure(this.need);
      this.need = 0;
    }
  }

  // keep buf[p, len) at the start of buf (grow if a frame needs more room)
  keep(p) {
    const rem = this.len - p;
    if (rem > 0 && p > 0) this.buf.copy(this.buf, 0, p, this.len);
    this.len = rem;
  }

  ensure(n) {
    if (n + MAX_LINE <= this.buf.length) return;
    const nb = Buffer.allocUnsafe(n + MAX_LINE * 2);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
    this.dv = new DataView(nb.buffer, nb.byteOffset, nb.length);
  }

  /**
   * MSG/HMSG line at [p, le) (le at CR); returns the offset after the frame,
   * -2 if the frame is incomplete, -1 on error.
   */
  msgLine(b, p, le, e, hmsg, seqOn) {
    const t = this.tok;
    let nt = 0;
    let q = p + (hmsg ? 4 : 3);
    while (q < le) {
      while (q < le && (b[q] === 32 || b[q] === 9)) q++;
      if (q >= le) break;
      if (nt === 6) {
        nt++;
        break;
      }
      t[nt * 2] = q;
      while (q < le && b[q] !== 32 && b[q] !== 9) q++;
      t[nt * 2 + 1] = q;
      nt++;
    }
    const base = hmsg ? 4 : 3; // subject sid [reply] [hdr_size] size
    if (nt !== base && nt !== base + 1) {
      this.fail('bad MSG header', p, le - p);
      return -1;
    }
    const total = parseUint(b, t[nt * 2 - 2], t[nt * 2 - 1]);
    if (total < 0) {
      this.fail('bad MSG size', p, le - p);
      return -1;
    }
    let hs = 0;
    if (hmsg) {
      hs = parseUint(b, t[nt * 2 - 4], t[nt * 2 - 3]);
      if (hs < 0 || hs > total) {
        this.fail('bad HMSG header size', p, le - p);
        return -1;
      }
    }
    const psize = total - hs;
    const hasReply = nt === base + 1;
    const pay = le + 2; // frame body (headers + payload) start
    const fe = pay + total + 2;
    if (fe > e) {
      // incomplete: skip the payload in place if we can, else keep the frame
      const avail = e - pay;
      if (!this.needFull && avail <= total && (!seqOn || avail >= hs + SEQ_BYTES)) {
        if (this.expectSize >= 0 && psize !== this.expectSize) this.sizeErrors++;
        if (seqOn) this.seq(this.dv, pay + hs);
        this.payRem = total - avail;
        this.crlfRem = 2;
        return e;
      }
      this.need = fe - p;
      return -2;
    }
    if (b[fe - 2] !== CR || b[fe - 1] !== LF) {
      this.fail('payload not followed by CRLF', fe - 2, 2);
      return -1;
    }
    if (this.expectSize >= 0 && psize !== this.expectSize) this.sizeErrors++;
    else if (seqOn) this.seq(this.dv, pay + hs);
    this.msgs++;
    if (this.needFull) {
      this.onMsg(b, t[0], t[1], hasReply ? t[4] : 0, hasReply ? t[5] : 0, pay + hs, psize);
    }
    return fe;
  }
}
