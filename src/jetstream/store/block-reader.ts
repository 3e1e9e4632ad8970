// Reads records of sealed block files: a few open descriptors and one window
// of recently read bytes, so a consumer walking old messages does one read per
// 256 KiB instead of one per message, while a jump elsewhere reads only 4 KiB.
// The window may also be the in-memory
// copy of the block that was just sealed ("trusted": the bytes this process
// wrote, not read back from disk, so there is nothing for a checksum to catch).
// Callers validate what they get from disk.
// A compressed block (block-compression.ts) is recognised when its file is
// opened; a read there inflates the frame holding the record into the window.

import * as fs from "node:fs";
import { FRAME_HEAD, inflateFrame, isCompressedHead, readFrameTable, type Frame } from "./block-compression.js";

/** Read-ahead for sequential reads (a consumer walking a block). */
const WINDOW = 256 * 1024;
/** Read size for a jump elsewhere (a KV get of an old key): no 256 KiB read for 50 bytes. */
const SMALL_READ = 4096;
const MAX_FDS = 4;

export class BlockReader {
  private readonly fds = new Map<number, number>();
  /** Frame tables of the open blocks that are compressed. */
  private readonly frames = new Map<number, Frame[]>();
  private windowBlock = -1;
  private windowStart = 0;
  private windowEnd = 0;
  private window: Buffer = Buffer.alloc(0);
  private scratch: Buffer | null = null;
  /** The block buffer handed over by adopt(), until the window moves elsewhere. */
  private adopted: Buffer | null = null;

  constructor(private readonly fileOf: (blockId: number) => string) {}

  /**
   * Use buf[0, size) as the window of blockId (the block just sealed from memory). Returns the
   * previously adopted buffer when this reader no longer needs it, for the caller to reuse.
   */
  adopt(blockId: number, buf: Buffer, size: number): Buffer | null {
    const released = this.adopted;
    this.windowBlock = blockId;
    this.windowStart = 0;
    this.windowEnd = size;
    this.window = buf;
    this.adopted = buf;
    return released;
  }

  /** The buffer the last successful read() points into (valid until the next read). */
  get buffer(): Buffer {
    return this.window;
  }

  /** The window is the in-memory copy of a sealed block (adopt), not bytes read from disk. */
  get trusted(): boolean {
    return this.adopted !== null;
  }

  /** Brings [off, off+len) of a block into `buffer`; its offset there, or -1 when unreadable. */
  read(blockId: number, off: number, len: number): number {
    if (blockId === this.windowBlock && off >= this.windowStart && off + len <= this.windowEnd) {
      return off - this.windowStart;
    }
    const fd = this.fdOf(blockId);
    if (fd < 0) return -1;
    if (this.frames.size > 0) {
      const frames = this.frames.get(blockId);
      if (frames !== undefined) return this.readFramed(blockId, fd, frames, off, len);
    }
    const sequential = blockId === this.windowBlock && off >= this.windowStart && off < this.windowEnd + WINDOW;
    const want = Math.max(len, sequential ? WINDOW : SMALL_READ);
    let buf: Buffer;
    if (want <= WINDOW) {
      if (this.scratch === null) this.scratch = Buffer.allocUnsafe(WINDOW);
      buf = this.scratch;
    } else {
      buf = Buffer.allocUnsafe(want);
    }
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, Math.min(want, buf.length), off);
    } catch {
      return -1;
    }
    this.windowBlock = blockId;
    this.windowStart = off;
    this.windowEnd = off + n;
    this.window = buf;
    this.adopted = null;
    return n >= len ? 0 : -1;
  }

  private readFramed(blockId: number, fd: number, frames: Frame[], off: number, len: number): number {
    let lo = 0;
    let hi = frames.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = frames[mid];
      if (off < f.uoff) hi = mid - 1;
      else if (off >= f.uoff + f.ulen) lo = mid + 1;
      else {
        if (off + len > f.uoff + f.ulen) return -1;
        const bytes = Buffer.allocUnsafe(f.clen);
        try {
          if (fs.readSync(fd, bytes, 0, f.clen, f.pos) < f.clen) return -1;
        } catch {
          return -1;
        }
        const plain = inflateFrame(bytes, f);
        if (plain === null) return -1;
        this.windowBlock = blockId;
        this.windowStart = f.uoff;
        this.windowEnd = f.uoff + f.ulen;
        this.window = plain;
        this.adopted = null;
        return off - f.uoff;
      }
    }
    return -1;
  }

  private fdOf(blockId: number): number {
    const known = this.fds.get(blockId);
    if (known !== undefined) return known;
    let fd: number;
    try {
      fd = fs.openSync(this.fileOf(blockId), "r");
    } catch {
      return -1;
    }
    if (this.fds.size >= MAX_FDS) {
      const [oldId, oldFd] = this.fds.entries().next().value as [number, number];
      this.fds.delete(oldId);
      this.frames.delete(oldId);
      fs.closeSync(oldFd);
    }
    this.fds.set(blockId, fd);
    this.detectCompression(blockId, fd);
    return fd;
  }

  private detectCompression(blockId: number, fd: number): void {
    try {
      const size = fs.fstatSync(fd).size;
      const head = Buffer.allocUnsafe(FRAME_HEAD);
      if (fs.readSync(fd, head, 0, FRAME_HEAD, 0) === FRAME_HEAD && isCompressedHead(head, size)) this.frames.set(blockId, readFrameTable(fd, size));
    } catch {
      // Unreadable: reads of it fail their checks like any damaged bytes.
    }
  }

  /** The block's file was replaced by its compressed form (same uncompressed bytes): reopen it on the next read, keep the window. */
  fileReplaced(blockId: number): void {
    const fd = this.fds.get(blockId);
    if (fd !== undefined) {
      this.fds.delete(blockId);
      fs.closeSync(fd);
    }
    this.frames.delete(blockId);
  }

  /** Forget a block (removed or rewritten). */
  forget(blockId: number): void {
    this.fileReplaced(blockId);
    if (this.windowBlock === blockId) {
      this.windowBlock = -1;
      this.adopted = null;
    }
  }

  close(): void {
    for (const id of [...this.fds.keys()]) this.forget(id);
    this.windowBlock = -1;
  }
}
