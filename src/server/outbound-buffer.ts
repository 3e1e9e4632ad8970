// OutboundBuffer: bytes queued for one socket during a read cycle, written
// with a single socket.write when the cycle ends. It owns the encoding of
// MSG/HMSG frames into that buffer; it does not decide who receives what.

import type { ClientSocket } from "./client-transport.js";

const CR = 13;
const LF = 10;
const SPACE = 32;
const MIN_CAPACITY = 4096;
/** After a flush, a buffer this large that carried little is given back. */
const SHRINK_ABOVE = 1024 * 1024;

declare global {
  interface Buffer {
    latin1Write(s: string, offset: number): number;
  }
}

export class OutboundBuffer {
  private buf: Buffer = EMPTY;
  /** DataView over `buf`, for word-sized copies of small payloads. */
  private view: DataView = EMPTY_VIEW;
  len = 0;

  private setBuffer(b: Buffer): void {
    this.buf = b;
    this.view = b.length === 0 ? EMPTY_VIEW : new DataView(b.buffer, b.byteOffset, b.length);
  }

  /** Make room for `n` more bytes. */
  private reserve(n: number): Buffer {
    const need = this.len + n;
    if (need > this.buf.length) {
      let cap = this.buf.length === 0 ? MIN_CAPACITY : this.buf.length * 2;
      while (cap < need) cap *= 2;
      const nb = Buffer.allocUnsafe(cap);
      if (this.len > 0) this.buf.copy(nb, 0, 0, this.len);
      this.setBuffer(nb);
    }
    return this.buf;
  }

  appendBytes(src: Buffer, start = 0, end = src.length): void {
    const n = end - start;
    const b = this.reserve(n);
    src.copy(b, this.len, start, end);
    this.len += n;
  }

  appendString(s: string): void {
    const b = this.reserve(s.length * 3);
    this.len += b.write(s, this.len, "utf8");
  }

  /**
   * Append `MSG subject sid [reply] size\r\n<payload>\r\n`, or the HMSG form
   * when hdrLen >= 0. The payload is src[start, start+size).
   */
  appendMsg(subject: string, sid: Buffer, reply: string | undefined, hdrLen: number, src: Buffer, start: number, size: number): void {
    const sl = subject.length;
    const rl = reply === undefined ? 0 : reply.length;
    const b = this.reserve(sl + rl + sid.length + size + 48);
    let o = this.len;
    if (hdrLen >= 0) {
      b[o++] = 72; // H
    }
    b[o++] = 77; // M
    b[o++] = 83; // S
    b[o++] = 71; // G
    b[o++] = SPACE;
    if (sl < 24) {
      for (let i = 0; i < sl; i++) b[o++] = subject.charCodeAt(i);
    } else {
      o += b.latin1Write(subject, o);
    }
    b[o++] = SPACE;
    for (let i = 0; i < sid.length; i++) b[o++] = sid[i];
    b[o++] = SPACE;
    if (rl > 0) {
      if (rl < 24) {
        for (let i = 0; i < rl; i++) b[o++] = reply!.charCodeAt(i);
      } else {
        o += b.latin1Write(reply!, o);
      }
      b[o++] = SPACE;
    }
    if (hdrLen >= 0) {
      o = writeDecimal(b, o, hdrLen);
      b[o++] = SPACE;
    }
    o = writeDecimal(b, o, size);
    b[o++] = CR;
    b[o++] = LF;
    copyPayload(b, this.view, o, src, start, size);
    o += size;
    b[o++] = CR;
    b[o++] = LF;
    this.len = o;
  }

  /**
   * Hand the queued bytes to the socket. The buffer is reused when the
   * kernel took everything at once; otherwise the socket keeps it and a new
   * one is started (or, when the socket was already backed up, it gets a copy).
   */
  flushTo(socket: ClientSocket): void {
    if (this.len === 0) return;
    if (socket.writableLength !== 0) {
      // The socket is backed up and keeps what it is given until the peer
      // reads: hand it an exact-size copy rather than a mostly empty buffer,
      // so a slow consumer holds about max_pending bytes, not twice that.
      socket.write(Buffer.from(this.buf.subarray(0, this.len)));
      this.len = 0;
      return;
    }
    const data = this.buf.subarray(0, this.len);
    const cap = this.buf.length;
    const used = this.len;
    this.len = 0;
    socket.write(data);
    if (socket.writableLength !== 0) {
      // The socket holds on to `data`: continue in a fresh buffer of the size
      // this connection has needed, so it does not regrow from scratch.
      this.setBuffer(cap > SHRINK_ABOVE && used < cap / 8 ? EMPTY : Buffer.allocUnsafe(cap));
    } else if (cap > SHRINK_ABOVE && used < cap / 8) {
      this.setBuffer(EMPTY);
    }
  }

  /** Forget anything queued (connection closing without flush). */
  clear(): void {
    this.len = 0;
    this.setBuffer(EMPTY);
  }
}

const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

// Payload copies dominate delivery. Buffer#copy costs ~100 ns of fixed
// overhead (argument checks plus a fresh view); a typed-array set from a view
// costs half of that, and below 64 bytes 32-bit DataView moves beat both.
// The source view is cached: every delivery of one read chunk shares it.
let sourceBuf: Buffer = EMPTY;
let sourceView: DataView = EMPTY_VIEW;

function copyPayload(dst: Buffer, dstView: DataView, o: number, src: Buffer, start: number, size: number): void {
  if (size >= 64) {
    dst.set(new Uint8Array(src.buffer, src.byteOffset + start, size), o);
    return;
  }
  if (src !== sourceBuf) {
    sourceBuf = src;
    sourceView = new DataView(src.buffer, src.byteOffset, src.length);
  }
  const sv = sourceView;
  let k = 0;
  for (; k + 4 <= size; k += 4) dstView.setUint32(o + k, sv.getUint32(start + k));
  for (; k < size; k++) dst[o + k] = src[start + k];
}

function writeDecimal(b: Buffer, o: number, n: number): number {
  if (n < 10) {
    b[o] = 48 + n;
    return o + 1;
  }
  if (n < 100) {
    const t = (n / 10) | 0;
    b[o] = 48 + t;
    b[o + 1] = 48 + (n - t * 10);
    return o + 2;
  }
  let digits = 0;
  for (let t = n; t > 0; t = (t / 10) | 0) digits++;
  let p = o + digits - 1;
  for (let t = n; t > 0; t = (t / 10) | 0) b[p--] = 48 + (t % 10);
  return o + digits;
}
