// Cutting down an emptied block that is not the oldest: its messages are all
// deleted, but its tombstones (each kept twice, as written) may still be what keeps messages of older
// blocks deleted. The block is rewritten (temp file + rename) with only those
// tombstones, or reported removable when none is needed. Its other records are
// redundant: every newer block starts with the stream's bounds and meta.
// A compressed block is read inflated and rewritten raw (a few tombstones).

import * as fs from "node:fs";
import { encodeRecord, REC_OVERHEAD, REC_TOMB, scanBlock } from "./block-format.js";
import { readBlockBytes } from "./block-compression.js";
import type { StoreIo } from "./store-io.js";

/** Message sequence range [min, max] of a block still holding message records. */
export interface SeqRange {
  min: number;
  max: number;
}

function inAny(ranges: readonly SeqRange[], seq: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid];
    if (seq < r.min) hi = mid - 1;
    else if (seq > r.max) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * Rewrites file with the tombstones that target older blocks (`older`: their ranges, ascending).
 * Returns the new contents, or null when no tombstone is needed and the block can be unlinked.
 * Throws when the block cannot be read or rewritten (the caller keeps the block as it is).
 */
export function compactBlock(file: string, older: readonly SeqRange[], io: StoreIo): Buffer | null {
  const { data } = readBlockBytes(file);
  const e = scanBlock(data, data.length);
  const keep = new Set<number>();
  for (let k = 0; k < e.type.length; k++) if (e.type[k] === REC_TOMB && inAny(older, e.seq[k])) keep.add(e.seq[k]);
  if (keep.size === 0) return null;
  const out = Buffer.allocUnsafe(keep.size * 2 * REC_OVERHEAD);
  let off = 0;
  for (const seq of keep) {
    off += encodeRecord(out, off, REC_TOMB, seq, 0, "", null, null);
    off += encodeRecord(out, off, REC_TOMB, seq, 0, "", null, null);
  }
  const tmp = `${file}.tmp`;
  io.writeFileSync(tmp, out);
  fs.renameSync(tmp, file);
  return out;
}

/** Offsets of the records of a block this process encoded (lengths are trusted). */
export function recordOffsets(buf: Buffer, size: number): number[] {
  const out: number[] = [];
  for (let off = 0; off + 4 <= size; off += buf.readUInt32LE(off)) out.push(off);
  return out;
}
