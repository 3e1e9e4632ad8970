// Block index files (<n>.idx): the records of a sealed block without their
// payloads, so startup need not read every block. Layout: "TSIX", u32 version,
// f64 block id, f64 block file size, u32 entry count; per record its u32
// offset in the block followed by a copy of the record's first 28 bytes and
// its subject (block-format.ts layout); then a CRC-32 of everything before.
// An index is only trusted when its checksum holds and the block file still
// has the recorded size; otherwise the block is scanned again. Records are
// checksummed again when read, so a stale index can hide a message but never
// make altered bytes served.

import { crc32 } from "./checksum.js";
import { emptyEntries, pushEntry, type BlockEntries } from "./block-format.js";

const MAGIC = 0x58495354; // "TSIX" little-endian
const HEAD = 28;
const TWO32 = 0x100000000;

/** Offsets of the records of a block this process encoded (lengths are trusted). */
export function recordOffsets(buf: Buffer, size: number): number[] {
  const out: number[] = [];
  for (let off = 0; off + 4 <= size; off += buf.readUInt32LE(off)) out.push(off);
  return out;
}

export function encodeBlockIndex(blockId: number, buf: Buffer, size: number, offsets: readonly number[]): Buffer {
  let total = HEAD + 4;
  for (const off of offsets) total += 32 + buf.readUInt16LE(off + 6);
  const idx = Buffer.allocUnsafe(total);
  idx.writeUInt32LE(MAGIC, 0);
  idx.writeUInt32LE(2, 4);
  idx.writeDoubleLE(blockId, 8);
  idx.writeDoubleLE(size, 16);
  idx.writeUInt32LE(offsets.length, 24);
  let p = HEAD;
  for (const off of offsets) {
    const n = 28 + buf.readUInt16LE(off + 6);
    idx.writeUInt32LE(off, p);
    buf.copy(idx, p + 4, off, off + n);
    p += 4 + n;
  }
  idx.writeUInt32LE(crc32(idx, 0, p), p);
  return idx;
}

/** The entries, or null when the index is damaged or does not describe this block as it is. */
export function decodeBlockIndex(idx: Buffer, blockId: number, blockSize: number): BlockEntries | null {
  if (idx.length < HEAD + 4) return null;
  if (idx.readUInt32LE(idx.length - 4) !== crc32(idx, 0, idx.length - 4)) return null;
  if (idx.readUInt32LE(0) !== MAGIC || idx.readUInt32LE(4) !== 2) return null;
  if (idx.readDoubleLE(8) !== blockId || idx.readDoubleLE(16) !== blockSize) return null;
  const count = idx.readUInt32LE(24);
  const e = emptyEntries();
  const end = idx.length - 4;
  let p = HEAD;
  let lastEnd = 0;
  for (let k = 0; k < count; k++) {
    if (p + 32 > end) return null;
    const off = idx.readUInt32LE(p);
    const len = idx.readUInt32LE(p + 4);
    const subjLen = idx.readUInt16LE(p + 10);
    if (p + 32 + subjLen > end || off < lastEnd || off + len > blockSize) return null;
    lastEnd = off + len;
    const hasHdr = idx[p + 9] === 1;
    pushEntry(
      e,
      idx[p + 8],
      idx.readUInt32LE(p + 12) + idx.readUInt32LE(p + 16) * TWO32,
      off,
      len,
      idx.readDoubleLE(p + 20),
      hasHdr ? idx.readUInt32LE(p + 28) : -1,
      subjLen === 0 ? "" : idx.toString("utf8", p + 32, p + 32 + subjLen),
    );
    p += 32 + subjLen;
  }
  if (p !== end) return null;
  e.end = lastEnd;
  return e;
}
