// The byte layout of block files (<n>.blk) and how to read them back.
// A block is a sequence of records, each self-checking:
//   0 u32 total length L (this field .. crc)   4 u8 type   5 u8 flags (1 = has header)
//   6 u16 subject bytes   8 u32 seq low   12 u32 seq high   16 f64 timestamp (ns)
//   24 u32 header bytes   28 subject, header, payload   L-4 u32 CRC-32 of bytes [0, L-4)
// Every block starts with a HEADER record (stream first/last sequence when the
// block was opened, and the stream meta JSON), so a stream and its bounds can
// be recovered from its newest block alone. Control records (TOMB, FIRST, LAST,
// META) carry deletions and bounds; ERASED is a message overwritten in place.
// Scanning validates every record and skips damaged bytes by resynchronising
// on the next valid record; it never returns bytes that failed their checksum.
// (A record forged inside a payload could only surface if the record holding
// it is damaged, and is then subject to the same sequence-order checks.)

import { crc32, crc32Continue } from "./checksum.js";

export const REC_MSG = 1;
/** The message at seq is deleted. */
export const REC_TOMB = 2;
/** Every sequence below seq is gone (purge, compact, limits at the head). */
export const REC_FIRST = 3;
/** last_seq is at least seq (no message carries it). */
export const REC_LAST = 4;
/** First record of a block: seq = stream last_seq, ts = last_ts when the block was opened; payload = JSON. */
export const REC_HEADER = 5;
/** A message erased in place; its payload bytes are zero. */
export const REC_ERASED = 6;
/** The stream meta JSON, as of this point of the stream. */
export const REC_META = 7;

export const REC_OVERHEAD = 32;
const TWO32 = 0x100000000;

/** Go's fileStoreMsgSize: the size Go accounts for a message in a file stream. */
export function fileStoreMsgSize(subject: string, hdrLen: number, dataLen: number): number {
  return hdrLen === 0 ? 30 + subject.length + dataLen : 34 + subject.length + hdrLen + dataLen;
}

/** Writes a record at buf[off]; the caller made room for REC_OVERHEAD + 3 * subject.length + payloads. Returns its length. */
export function encodeRecord(
  buf: Buffer,
  off: number,
  type: number,
  seq: number,
  ts: number,
  subject: string,
  hdr: Buffer | null,
  data: Buffer | null,
): number {
  const subjLen = writeSubject(buf, off + 28, subject);
  const hdrLen = hdr === null ? 0 : hdr.length;
  const dataLen = data === null ? 0 : data.length;
  const len = REC_OVERHEAD + subjLen + hdrLen + dataLen;
  putU32(buf, off, len);
  buf[off + 4] = type;
  buf[off + 5] = hdr === null ? 0 : 1;
  buf[off + 6] = subjLen & 0xff;
  buf[off + 7] = subjLen >>> 8;
  putU32(buf, off + 8, seq >>> 0);
  putU32(buf, off + 12, Math.floor(seq / TWO32));
  F64[0] = ts;
  for (let k = 0; k < 8; k++) buf[off + 16 + k] = F64_BYTES[LITTLE_ENDIAN ? k : 7 - k];
  putU32(buf, off + 24, hdrLen);
  let p = off + 28 + subjLen;
  if (hdr !== null) p = copyBytes(hdr, buf, p);
  if (data !== null) copyBytes(data, buf, p);
  // A large payload's CRC continues over the caller's own Buffer: no view of the block to create.
  const crc = dataLen >= 256 ? crc32Continue(crc32(buf, off, p), data as Buffer) : crc32(buf, off, off + len - 4);
  putU32(buf, off + len - 4, crc);
  return len;
}

// Plain byte stores: the hot path writes a record per message, and these inline
// where Buffer's checked writers do not. (Little-endian, as the readers expect.)
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian u32 store without Buffer's checks. */
export function putU32(buf: Buffer, at: number, v: number): void {
  buf[at] = v & 0xff;
  buf[at + 1] = (v >>> 8) & 0xff;
  buf[at + 2] = (v >>> 16) & 0xff;
  buf[at + 3] = v >>> 24;
}

/** Subjects are nearly always short ASCII: a byte loop beats a native call there. */
function writeSubject(buf: Buffer, at: number, subject: string): number {
  const n = subject.length;
  if (n > 64) return buf.write(subject, at, "utf8");
  for (let i = 0; i < n; i++) {
    const ch = subject.charCodeAt(i);
    if (ch > 127) return buf.write(subject, at, "utf8");
    buf[at + i] = ch;
  }
  return n;
}

function copyBytes(src: Buffer, dst: Buffer, at: number): number {
  const n = src.length;
  if (n > 64) {
    // TypedArray#set is a plain memmove; Buffer#copy adds argument checks and a view.
    dst.set(src, at);
    return at + n;
  }
  for (let i = 0; i < n; i++) dst[at + i] = src[i];
  return at + n;
}

export function recordRoom(subject: string, hdr: Buffer | null, data: Buffer | null): number {
  return REC_OVERHEAD + subject.length * 3 + (hdr === null ? 0 : hdr.length) + (data === null ? 0 : data.length);
}

export function recordSeq(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off + 8) + buf.readUInt32LE(off + 12) * TWO32;
}

/** Is there a complete record with a good checksum at buf[off] (within end)? */
export function validRecordAt(buf: Buffer, off: number, end: number): boolean {
  if (off + REC_OVERHEAD > end) return false;
  const type = buf[off + 4];
  if (type < REC_MSG || type > REC_META || buf[off + 5] > 1) return false;
  const len = buf.readUInt32LE(off);
  if (len < REC_OVERHEAD || len > end - off) return false;
  const subjLen = buf.readUInt16LE(off + 6);
  const hdrLen = buf.readUInt32LE(off + 24);
  if (REC_OVERHEAD + subjLen + hdrLen > len) return false;
  return buf.readUInt32LE(off + len - 4) === crc32(buf, off, off + len - 4);
}

/** The validated records of one block, as parallel arrays (compact, no object per record). */
export interface BlockEntries {
  type: ArrayLike<number>;
  seq: ArrayLike<number>;
  off: ArrayLike<number>;
  len: ArrayLike<number>;
  ts: ArrayLike<number>;
  /** -1 when the message has no header. */
  hdrLen: ArrayLike<number>;
  /** "" for records without a subject. */
  subject: ArrayLike<string>;
  /** Offset just after the last valid record. */
  end: number;
  /** Some bytes failed validation and were skipped. */
  damaged: boolean;
  /** Offset where the last damaged stretch starts, -1 when none. */
  lastDamage: number;
}

/** What scanBlock builds: growable arrays. */
interface ScannedEntries extends BlockEntries {
  type: number[];
  seq: number[];
  off: number[];
  len: number[];
  ts: number[];
  hdrLen: number[];
  subject: string[];
}

export function emptyEntries(): ScannedEntries {
  return { type: [], seq: [], off: [], len: [], ts: [], hdrLen: [], subject: [], end: 0, damaged: false, lastDamage: -1 };
}

function pushEntry(e: ScannedEntries, type: number, seq: number, off: number, len: number, ts: number, hdrLen: number, subject: string): void {
  e.type.push(type);
  e.seq.push(seq);
  e.off.push(off);
  e.len.push(len);
  e.ts.push(ts);
  e.hdrLen.push(hdrLen);
  e.subject.push(subject);
}

/** Reads every valid record of buf[0, size); damaged stretches are skipped. */
export function scanBlock(buf: Buffer, size: number): ScannedEntries {
  const e = emptyEntries();
  let off = 0;
  while (off < size) {
    if (!validRecordAt(buf, off, size)) {
      e.damaged = true;
      e.lastDamage = off;
      const next = resync(buf, off, size);
      if (next < 0) break;
      off = next;
      continue;
    }
    const len = buf.readUInt32LE(off);
    const type = buf[off + 4];
    const subjLen = buf.readUInt16LE(off + 6);
    const hasHdr = buf[off + 5] === 1;
    pushEntry(
      e,
      type,
      recordSeq(buf, off),
      off,
      len,
      buf.readDoubleLE(off + 16),
      hasHdr ? buf.readUInt32LE(off + 24) : -1,
      subjLen === 0 ? "" : buf.toString("utf8", off + 28, off + 28 + subjLen),
    );
    off += len;
    e.end = off;
  }
  return e;
}

/**
 * Offset of the first valid record after a bad one at off, or -1. The declared length is not
 * trusted: when it is the damaged field, jumping by it would skip good records.
 */
function resync(buf: Buffer, off: number, size: number): number {
  for (let p = off + 1; p + REC_OVERHEAD <= size; p++) {
    const t = buf[p + 4];
    if (t >= REC_MSG && t <= REC_META && validRecordAt(buf, p, size)) return p;
  }
  return -1;
}

/** The payload bytes of a record (after subject and header). */
export function recordPayload(buf: Buffer, off: number): Buffer {
  const len = buf.readUInt32LE(off);
  const start = off + 28 + buf.readUInt16LE(off + 6) + buf.readUInt32LE(off + 24);
  return buf.subarray(start, off + len - 4);
}
