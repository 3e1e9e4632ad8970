// OutboundBuffer: bytes queued for one socket during a read cycle, written
// with a single socket.write when the cycle ends, and the buffers a backed-up
// socket still holds (reused once it has written them). It owns the encoding of
// MSG/HMSG frames into that buffer; it does not decide who receives what.

import type { ClientSocket } from "./client-transport.js";

const CR = 13;
const LF = 10;
const SPACE = 32;
const MIN_CAPACITY = 4096;
/** After a flush, a buffer this large that carried little is given back. */
const SHRINK_ABOVE = 1024 * 1024;
/** Finished buffers kept for reuse per connection. */
const MAX_SPARES = 2;

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
  /** Bytes handed to the socket so far. */
  private written = 0;
  /** Buffers the socket may still be writing from, oldest first, and `written` at the end of each. */
  private held: Buffer[] = [];
  private heldEnds: number[] = [];
  /** Buffers the socket finished with, ready for reuse. */
  private spares: Buffer[] = [];

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
    const rl = reply === undefined ? 0 : reply.length;
    const b = this.reserve(subject.length + rl + sid.length + size + 48);
    let o = writeMsgHead(b, this.len, hdrLen, subject, sid);
    if (rl > 0) {
      if (rl < 24) {
        for (let i = 0; i < rl; i++) b[o++] = reply!.charCodeAt(i);
      } else {
        o += b.latin1Write(reply!, o);
      }
      b[o++] = SPACE;
    }
    this.len = writeMsgTail(b, this.view, o, hdrLen, src, start, size);
  }

  /** appendMsg with the reply subject given as bytes: reply[0, replyLen). */
  appendMsgReplyBytes(subject: string, sid: Buffer, reply: Buffer, replyLen: number, hdrLen: number, src: Buffer, start: number, size: number): void {
    const b = this.reserve(subject.length + replyLen + sid.length + size + 48);
    let o = writeMsgHead(b, this.len, hdrLen, subject, sid);
    for (let i = 0; i < replyLen; i++) b[o++] = reply[i];
    b[o++] = SPACE;
    this.len = writeMsgTail(b, this.view, o, hdrLen, src, start, size);
  }

  /**
   * Hand the queued bytes to the socket. The buffer is reused when the
   * kernel took everything at once. Otherwise the socket holds on to it
   * until written: it is remembered, and queuing continues in a buffer the
   * socket has finished with, so a connection that stays backed up cycles
   * through a few buffers instead of leaving one dead buffer per write for
   * the garbage collector (V8 collects them only after tens of MiB).
   */
  flushTo(socket: ClientSocket): void {
    if (this.len === 0) return;
    this.reclaim(socket.writableLength);
    const used = this.len;
    const cap = this.buf.length;
    this.len = 0;
    this.written += used;
    if (socket.writableLength !== 0 && used < cap / 4) {
      // Backed up, and the buffer mostly empty: the socket would keep the
      // whole of it for a few bytes; give it an exact copy instead, so a slow
      // consumer holds about max_pending bytes.
      socket.write(Buffer.from(this.buf.subarray(0, used)));
      return;
    }
    socket.write(this.buf.subarray(0, used));
    if (socket.writableLength === 0) {
      if (cap > SHRINK_ABOVE && used < cap / 8) this.setBuffer(EMPTY);
      return;
    }
    this.held.push(this.buf);
    this.heldEnds.push(this.written);
    const spare = this.spares.pop();
    this.setBuffer(cap > SHRINK_ABOVE && used < cap / 8 ? EMPTY : spare !== undefined && spare.length >= cap ? spare : Buffer.allocUnsafe(cap));
  }

  /**
   * Take back the held buffers the socket is done with. Writes complete in
   * order, and the socket's queue (`writableLength`) counts at least the
   * bytes of ours it still holds (other writes and framing only add to it),
   * so everything up to `written - writableLength` is free.
   */
  private reclaim(writableLength: number): void {
    const done = this.written - writableLength;
    while (this.held.length !== 0 && this.heldEnds[0] <= done) {
      const b = this.held.shift()!;
      this.heldEnds.shift();
      if (this.spares.length < MAX_SPARES) this.spares.push(b);
    }
  }

  /**
   * The connection now writes to another stream (TLS over the socket): what
   * the old one holds is never taken back, and counting starts again.
   */
  switchedSocket(): void {
    this.held = [];
    this.heldEnds = [];
    this.written = 0;
  }

  /** Forget anything queued (connection closing without flush). */
  clear(): void {
    this.len = 0;
    this.setBuffer(EMPTY);
    this.held = [];
    this.heldEnds = [];
    this.spares = [];
  }
}

const EMPTY = Buffer.alloc(0);
const EMPTY_VIEW = new DataView(new ArrayBuffer(0));

/** `MSG subject sid ` (or `HMSG …` when hdrLen >= 0) at o; returns the end. */
function writeMsgHead(b: Buffer, o: number, hdrLen: number, subject: string, sid: Buffer): number {
  if (hdrLen >= 0) b[o++] = 72; // H
  b[o++] = 77; // M
  b[o++] = 83; // S
  b[o++] = 71; // G
  b[o++] = SPACE;
  const sl = subject.length;
  if (sl < 24) {
    for (let i = 0; i < sl; i++) b[o++] = subject.charCodeAt(i);
  } else {
    o += b.latin1Write(subject, o);
  }
  b[o++] = SPACE;
  for (let i = 0; i < sid.length; i++) b[o++] = sid[i];
  b[o++] = SPACE;
  return o;
}

/** `[hdrLen ]size\r\n<payload>\r\n` at o, the payload src[start, start+size); returns the end. */
function writeMsgTail(b: Buffer, view: DataView, o: number, hdrLen: number, src: Buffer, start: number, size: number): number {
  if (hdrLen >= 0) {
    o = writeDecimal(b, o, hdrLen);
    b[o++] = SPACE;
  }
  o = writeDecimal(b, o, size);
  b[o++] = CR;
  b[o++] = LF;
  copyPayload(b, view, o, src, start, size);
  o += size;
  b[o++] = CR;
  b[o++] = LF;
  return o;
}

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
