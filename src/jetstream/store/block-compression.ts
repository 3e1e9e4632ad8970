// Compressed block files, for streams with `compression: s2` (Go compresses a
// block once it is sealed; so does this). Node has no maintained S2 codec, so
// blocks are compressed with zlib's raw deflate at a fast level, in frames of
// whole records (~64 KiB of records each) so a read inflates one frame, not the
// block, and a damaged byte costs one frame, not the block. Offsets stay those
// of the uncompressed block: indexes and the sequence index do not change.
// A compressed file is a run of frames:
//   0 u32 0 (a raw block's first record can never have length 0)   4 u8 0xC7
//   5 u8 algorithm (1 = deflate raw)   6 u16 0   8 u32 compressed bytes C
//   12 u32 offset in the uncompressed block   16 u32 uncompressed bytes
//   20 u32 CRC-32 of the compressed bytes   24 u32 CRC-32 of bytes [0, 24)
//   28 the C compressed bytes
// This file knows bytes only; when to compress is file-blocks.ts' decision.

import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { crc32 } from "./checksum.js";
import type { BlockEntries } from "./block-format.js";

const FRAME_TAG = 0xc7;
const ALG_DEFLATE_RAW = 1;
export const FRAME_HEAD = 28;
/** Records are grouped into frames of at least this many uncompressed bytes (one record may exceed it). */
const FRAME_TARGET = 64 * 1024;
const DEFLATE_OPTIONS: zlib.ZlibOptions = { level: 1 };

/** Where a frame sits in the file and what part of the uncompressed block it holds. */
export interface Frame {
  /** File offset of the compressed bytes (after the frame head). */
  readonly pos: number;
  readonly clen: number;
  readonly uoff: number;
  readonly ulen: number;
  readonly crc: number;
}

/**
 * Does a block file start like a compressed one? Byte 4 is a record type (1..7) in a raw block and
 * the tag in a compressed one; when that byte is damaged, the zero length with the algorithm byte
 * (a raw block's first record has flags 0) still tells.
 */
export function isCompressedHead(head: Buffer, size: number): boolean {
  if (size < FRAME_HEAD) return false;
  return head[4] === FRAME_TAG || (head.readUInt32LE(0) === 0 && head[5] === ALG_DEFLATE_RAW);
}

function headAt(buf: Buffer, p: number): Frame | null {
  if (p + FRAME_HEAD > buf.length || buf[p + 4] !== FRAME_TAG) return null;
  if (buf.readUInt32LE(p + 24) !== crc32(buf, p, p + 24)) return null;
  if (buf.readUInt32LE(p) !== 0 || buf[p + 5] !== ALG_DEFLATE_RAW) return null;
  return { pos: p + FRAME_HEAD, clen: buf.readUInt32LE(p + 8), uoff: buf.readUInt32LE(p + 12), ulen: buf.readUInt32LE(p + 16), crc: buf.readUInt32LE(p + 20) };
}

/** The frames of a compressed file in file order; damaged heads are skipped by searching for the next good one. */
export function frameTable(file: Buffer): Frame[] {
  const frames: Frame[] = [];
  let p = 0;
  while (p + FRAME_HEAD <= file.length) {
    const f = headAt(file, p);
    if (f !== null && f.pos + f.clen <= file.length) {
      frames.push(f);
      p = f.pos + f.clen;
      continue;
    }
    p++;
    while (p + FRAME_HEAD <= file.length && file[p + 4] !== FRAME_TAG) p++;
  }
  return frames;
}

/** Reads the frame table of an open compressed block file from its frame heads only. */
export function readFrameTable(fd: number, size: number): Frame[] {
  const frames: Frame[] = [];
  const head = Buffer.allocUnsafe(FRAME_HEAD);
  let p = 0;
  while (p + FRAME_HEAD <= size) {
    if (fs.readSync(fd, head, 0, FRAME_HEAD, p) < FRAME_HEAD) break;
    const f = headAt(head, 0);
    if (f === null || p + FRAME_HEAD + f.clen > size) {
      // A damaged head: the rest is found the slow way, from the whole file.
      const all = Buffer.allocUnsafe(size);
      fs.readSync(fd, all, 0, size, 0);
      return frameTable(all);
    }
    frames.push({ ...f, pos: p + FRAME_HEAD });
    p += FRAME_HEAD + f.clen;
  }
  return frames;
}

/** Inflates one frame's compressed bytes; null when they fail their checksum or do not inflate to the frame's size. */
export function inflateFrame(bytes: Buffer, f: Frame): Buffer | null {
  if (crc32(bytes, 0, bytes.length) !== f.crc) return null;
  try {
    const out = zlib.inflateRawSync(bytes);
    return out.length === f.ulen ? out : null;
  } catch {
    return null;
  }
}

/** The uncompressed block of a compressed file; frames that fail their checks are left as zero bytes (which no record validates). */
export function inflateBlock(file: Buffer): Buffer {
  const frames = frameTable(file);
  let size = 0;
  for (const f of frames) size = Math.max(size, f.uoff + f.ulen);
  const out = Buffer.alloc(size);
  for (const f of frames) {
    const bytes = inflateFrame(file.subarray(f.pos, f.pos + f.clen), f);
    if (bytes !== null) bytes.copy(out, f.uoff);
  }
  return out;
}

/** The uncompressed bytes of a block file, compressed or not; `compressed` says which it was. */
export function readBlockBytes(file: string): { data: Buffer; compressed: boolean; fileSize: number } {
  const raw = fs.readFileSync(file);
  if (!isCompressedHead(raw, raw.length)) return { data: raw, compressed: false, fileSize: raw.length };
  return { data: inflateBlock(raw), compressed: true, fileSize: raw.length };
}

/** Frame boundaries [start, end) over the uncompressed block, cut at record starts. */
export function frameRanges(size: number, e: BlockEntries): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (let k = 0; k < e.off.length; k++) {
    const off = e.off[k];
    if (off - start >= FRAME_TARGET) {
      ranges.push([start, off]);
      start = off;
    }
  }
  if (size > start) ranges.push([start, size]);
  return ranges;
}

export function encodeFrame(uoff: number, ulen: number, compressed: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEAD + compressed.length);
  out.writeUInt32LE(0, 0);
  out[4] = FRAME_TAG;
  out[5] = ALG_DEFLATE_RAW;
  out.writeUInt16LE(0, 6);
  out.writeUInt32LE(compressed.length, 8);
  out.writeUInt32LE(uoff, 12);
  out.writeUInt32LE(ulen, 16);
  out.writeUInt32LE(crc32(compressed, 0, compressed.length), 20);
  out.writeUInt32LE(crc32(out, 0, 24), 24);
  compressed.copy(out, FRAME_HEAD);
  return out;
}

/** Compresses an uncompressed block into the compressed file format, off the event loop (zlib's thread pool). */
export async function compressBlock(data: Buffer, e: BlockEntries): Promise<Buffer> {
  const parts = await Promise.all(
    frameRanges(data.length, e).map(
      ([start, end]) =>
        new Promise<Buffer>((resolve, reject) =>
          zlib.deflateRaw(data.subarray(start, end), DEFLATE_OPTIONS, (err, out) => (err ? reject(err) : resolve(encodeFrame(start, end - start, out)))),
        ),
    ),
  );
  return Buffer.concat(parts);
}

/**
 * The compressed file with the frame holding uncompressed offset `off` replaced by one holding
 * `rec` at that offset (an erase in place), or null when that frame cannot be read.
 */
export function replaceInFrame(file: Buffer, off: number, rec: Buffer): Buffer | null {
  const frames = frameTable(file);
  const k = frames.findIndex((f) => off >= f.uoff && off + rec.length <= f.uoff + f.ulen);
  if (k < 0) return null;
  const f = frames[k];
  const bytes = inflateFrame(file.subarray(f.pos, f.pos + f.clen), f);
  if (bytes === null) return null;
  rec.copy(bytes, off - f.uoff);
  const frame = encodeFrame(f.uoff, f.ulen, zlib.deflateRawSync(bytes, DEFLATE_OPTIONS));
  return Buffer.concat([file.subarray(0, f.pos - FRAME_HEAD), frame, file.subarray(f.pos + f.clen)]);
}
