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

import { crc32 } from "./checksum.js";
import { putU32, type BlockEntries } from "./block-format.js";

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

export function encodeBlockIndex(blockId: number, buf: Buffer, size: number, records: RecordList): Buffer {
  const n = records.off.length;
  const subjectNo = new Map<string, number>();
  const subjectBytes: Buffer[] = [];
  let subjectsSize = 4;
  const nos = new Uint32Array(n);
  let lastSubject = "";
  let lastNo = -1;
  for (let k = 0; k < n; k++) {
    const subj = records.subject[k];
    if (subj === lastSubject && lastNo >= 0) {
      nos[k] = lastNo;
      continue;
    }
    let no = subjectNo.get(subj);
    if (no === undefined) {
      no = subjectBytes.length;
      subjectNo.set(subj, no);
      const bytes = Buffer.from(subj);
      subjectBytes.push(bytes);
      subjectsSize += 2 + bytes.length;
    }
    nos[k] = no;
    lastSubject = subj;
    lastNo = no;
  }
  const idx = Buffer.allocUnsafe(HEAD + subjectsSize + n * ENTRY + 4);
  idx.writeUInt32LE(MAGIC, 0);
  idx.writeUInt32LE(VERSION, 4);
  idx.writeDoubleLE(blockId, 8);
  idx.writeDoubleLE(size, 16);
  idx.writeUInt32LE(n, 24);
  let p = HEAD;
  idx.writeUInt32LE(subjectBytes.length, p);
  p += 4;
  for (const bytes of subjectBytes) {
    idx.writeUInt16LE(bytes.length, p);
    bytes.copy(idx, p + 2);
    p += 2 + bytes.length;
  }
  for (let k = 0; k < n; k++) {
    const off = records.off[k];
    putU32(idx, p, off);
    for (let i = 4; i < 28; i++) idx[p + i] = buf[off + i];
    for (let i = 0; i < 4; i++) idx[p + 28 + i] = buf[off + i];
    putU32(idx, p + 32, nos[k]);
    p += ENTRY;
  }
  idx.writeUInt32LE(crc32(idx, 0, p), p);
  return idx;
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
