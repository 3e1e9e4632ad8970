// Block index files (<n>.idx): the records of a sealed block without their
// payloads, so startup need not read every block. Layout: "TSIX", u32 version,
// f64 block id, f64 block file size, u32 record count; u32 subject count and
// the distinct subjects (u16 length, bytes); per record a fixed 36 bytes: u32
// offset in the block, a copy of the record's bytes 4..28 (type, flags,
// subject length, sequence, timestamp, header length — block-format.ts), u32
// record length, u32 subject number; then a CRC-32 of everything before.
// An index is only trusted when its checksum holds and the block file still
// has the recorded size; otherwise the block is scanned again. Records are
// checksummed again when read, so a stale index can hide a message but never
// make altered bytes served.

import { crc32, crc32Continue } from "./checksum.js";
import type { BlockEntries } from "./block-format.js";

const MAGIC = 0x58495354; // "TSIX" little-endian
const VERSION = 3;
const HEAD = 28;
const ENTRY = 36;
const TWO32 = 0x100000000;

/** Offsets and subjects ("" for control records) of a block's records, in file order. */
export interface RecordList {
  off: readonly number[];
  subject: readonly string[];
}

/**
 * Builds a block's index while the block is written: records are added (their header bytes copied)
 * as batches reach the file, so sealing an 8 MiB block of 150,000 small records only adds the head
 * and the checksum instead of one long cold loop over all of them.
 */
export class BlockIndexBuilder {
  private entries: Buffer = Buffer.allocUnsafe(64 * ENTRY);
  private view = new DataView(this.entries.buffer, this.entries.byteOffset, this.entries.length);
  /** Records indexed so far (they are the block's first `count` records). */
  count = 0;
  private readonly subjectNo = new Map<string, number>();
  private readonly subjectBytes: Buffer[] = [];
  private subjectsSize = 4;
  private lastSubject = "";
  private lastNo = -1;
  /** A view of the block buffer addUpTo last read (the same buffer for most batches of a block). */
  private source: Buffer | null = null;
  private sourceView: DataView | null = null;

  /** Indexes records [count, upTo) of the block, whose bytes are in buf at records.off. */
  addUpTo(buf: Buffer, records: RecordList, upTo: number): void {
    if (upTo <= this.count) return;
    const need = upTo * ENTRY;
    if (need > this.entries.length) this.grow(need);
    // Word copies through DataViews: a sealed block has thousands of records.
    if (buf !== this.source || this.sourceView === null) {
      this.source = buf;
      this.sourceView = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    const from = this.sourceView;
    const to = this.view;
    let p = this.count * ENTRY;
    for (let k = this.count; k < upTo; k++) {
      const off = records.off[k];
      to.setUint32(p, off, true);
      for (let i = 4; i < 28; i += 4) to.setUint32(p + i, from.getUint32(off + i, true), true);
      to.setUint32(p + 28, from.getUint32(off, true), true);
      to.setUint32(p + 32, this.numberOf(records.subject[k]), true);
      p += ENTRY;
    }
    this.count = upTo;
  }

  /** Record k (already indexed) was rewritten in place at the same offset and length (erased). */
  recopy(buf: Buffer, k: number, off: number): void {
    if (k < 0 || k >= this.count) return;
    const p = k * ENTRY;
    for (let i = 4; i < 28; i++) this.entries[p + i] = buf[off + i];
  }

  private numberOf(subj: string): number {
    if (subj === this.lastSubject && this.lastNo >= 0) return this.lastNo;
    let no = this.subjectNo.get(subj);
    if (no === undefined) {
      no = this.subjectBytes.length;
      this.subjectNo.set(subj, no);
      const bytes = Buffer.from(subj);
      this.subjectBytes.push(bytes);
      this.subjectsSize += 2 + bytes.length;
    }
    this.lastSubject = subj;
    this.lastNo = no;
    return no;
  }

  private grow(need: number): void {
    let size = this.entries.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.entries.copy(next, 0, 0, this.count * ENTRY);
    this.entries = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  /** The index file of block blockId (size bytes long), as parts to write in order. */
  finish(blockId: number, size: number): Buffer[] {
    const n = this.count;
    const head = Buffer.allocUnsafe(HEAD + this.subjectsSize);
    head.writeUInt32LE(MAGIC, 0);
    head.writeUInt32LE(VERSION, 4);
    head.writeDoubleLE(blockId, 8);
    head.writeDoubleLE(size, 16);
    head.writeUInt32LE(n, 24);
    let p = HEAD;
    head.writeUInt32LE(this.subjectBytes.length, p);
    p += 4;
    for (const bytes of this.subjectBytes) {
      head.writeUInt16LE(bytes.length, p);
      bytes.copy(head, p + 2);
      p += 2 + bytes.length;
    }
    const entries = this.entries.subarray(0, n * ENTRY);
    const sum = Buffer.allocUnsafe(4);
    sum.writeUInt32LE(crc32Continue(crc32(head), entries), 0);
    return [head, entries, sum];
  }
}

/** The index of a whole block at once (blocks scanned at startup, compacted blocks). */
export function encodeBlockIndex(blockId: number, buf: Buffer, size: number, records: RecordList): Buffer {
  const b = new BlockIndexBuilder();
  b.addUpTo(buf, records, records.off.length);
  return Buffer.concat(b.finish(blockId, size));
}

/**
 * The entries, or null when the index is damaged or does not describe this block as it is.
 * `extent`: the bound of record offsets (a compressed block's offsets are those of its uncompressed bytes).
 */
export function decodeBlockIndex(idx: Buffer, blockId: number, blockSize: number, extent = blockSize): BlockEntries | null {
  if (idx.length < HEAD + 8) return null;
  if (idx.readUInt32LE(idx.length - 4) !== crc32(idx, 0, idx.length - 4)) return null;
  if (idx.readUInt32LE(0) !== MAGIC || idx.readUInt32LE(4) !== VERSION) return null;
  if (idx.readDoubleLE(8) !== blockId || idx.readDoubleLE(16) !== blockSize) return null;
  const count = idx.readUInt32LE(24);
  const end = idx.length - 4;
  let p = HEAD;
  const nSubjects = idx.readUInt32LE(p);
  p += 4;
  const subjects: string[] = [];
  for (let k = 0; k < nSubjects; k++) {
    if (p + 2 > end) return null;
    const len = idx.readUInt16LE(p);
    if (p + 2 + len > end) return null;
    subjects.push(idx.toString("utf8", p + 2, p + 2 + len));
    p += 2 + len;
  }
  if (p + count * ENTRY !== end) return null;
  const type = new Uint8Array(count);
  const seq = new Float64Array(count);
  const offs = new Uint32Array(count);
  const lens = new Uint32Array(count);
  const ts = new Float64Array(count);
  const hdrLen = new Int32Array(count);
  const subject = new Array<string>(count);
  let lastEnd = 0;
  for (let k = 0; k < count; k++, p += ENTRY) {
    const off = idx.readUInt32LE(p);
    const len = idx.readUInt32LE(p + 28);
    const subj = subjects[idx.readUInt32LE(p + 32)];
    if (subj === undefined || off < lastEnd || off + len > extent) return null;
    lastEnd = off + len;
    type[k] = idx[p + 4];
    seq[k] = idx.readUInt32LE(p + 8) + idx.readUInt32LE(p + 12) * TWO32;
    offs[k] = off;
    lens[k] = len;
    ts[k] = idx.readDoubleLE(p + 16);
    hdrLen[k] = idx[p + 5] === 1 ? idx.readUInt32LE(p + 24) : -1;
    subject[k] = subj;
  }
  const e: BlockEntries = { type, seq, off: offs, len: lens, ts, hdrLen, subject, end: lastEnd, damaged: false, lastDamage: -1 };
  return e;
}
