// The per-sequence index shared by both stores: sparse chunks of typed arrays
// (subject id, timestamp, accounted size per sequence), the per-subject table,
// the stream bounds and counters, scans that skip absent chunks, and the undo
// log that lets a FileStore roll back a batch whose write failed. It holds no
// payloads and applies no limits (store-core.ts does).

import { SubjectTable, type CompiledFilter, type SubjectInfo } from "./subject-table.js";
import type { Nanos } from "./types.js";

export const CHUNK_SIZE = 4096;

type IdMatcher = (subjectId: number) => boolean;

/** Index entries of CHUNK_SIZE consecutive sequences; subj holds subject id + 1, 0 = no message. */
export interface IndexChunk {
  readonly no: number;
  live: number;
  readonly subj: Int32Array;
  readonly ts: Float64Array;
  readonly size: Uint32Array;
}

/** The index part of a new, empty chunk: each store spreads it into its own chunk shape. */
export function newIndexChunk(no: number): IndexChunk {
  return { no, live: 0, subj: new Int32Array(CHUNK_SIZE), ts: new Float64Array(CHUNK_SIZE), size: new Uint32Array(CHUNK_SIZE) };
}

export const OP_APPEND = 1;
/** Undo entries (3 per change) an idle store keeps allocated. */
const UNDO_KEEP = 3 * 16384;
export const OP_REMOVE = 2;

interface BatchStart {
  firstSeq: number;
  lastSeq: number;
  lastTs: number;
  msgs: number;
  bytes: number;
}

export abstract class SequenceIndex<C extends IndexChunk> {
  protected readonly chunks = new Map<number, C>();
  protected readonly subjects = new SubjectTable();
  protected firstSeq = 1;
  protected lastSeq = 0;
  protected lastTs = 0;
  protected msgs = 0;
  protected bytes = 0;
  /** Set by stores that must roll back failed writes; null means no undo is kept. */
  protected undo: number[] | null = null;
  /**
   * Entries of undo in use (op, seq, subject id per change). A count rather than `length = 0`,
   * which frees the array and regrows it for every batch.
   */
  private undoLen = 0;
  protected batch: BatchStart | null = null;
  protected readonly emptyChunks: C[] = [];

  protected abstract newChunk(no: number): C;
  /** Undo of payloadRemoved() for a rolled-back batch (only stores that keep undo). */
  protected payloadRestored(_c: C, _i: number): void {}
  /** Undo of storePayload() for a rolled-back batch. */
  protected payloadWithdrawn(_c: C, _i: number): void {}

  // ---- index primitives

  protected chunkFor(seq: number): C | undefined {
    return this.chunks.get(Math.floor(seq / CHUNK_SIZE));
  }

  protected slotChunk(seq: number): C {
    const no = Math.floor(seq / CHUNK_SIZE);
    let c = this.chunks.get(no);
    if (!c) {
      c = this.newChunk(no);
      this.chunks.set(no, c);
    }
    return c;
  }

  /** First live sequence in [from, to] (matching f when given), 0 when none; skips absent chunks. */
  protected scanForward(from: number, to: number, m: IdMatcher | null): number {
    let seq = from;
    while (seq <= to) {
      const no = Math.floor(seq / CHUNK_SIZE);
      const c = this.chunks.get(no);
      const end = Math.min(to, no * CHUNK_SIZE + CHUNK_SIZE - 1);
      if (c && c.live > 0) {
        const base = no * CHUNK_SIZE;
        for (let s = seq; s <= end; s++) {
          const id = c.subj[s - base];
          if (id !== 0 && (m === null || m(id - 1))) return s;
        }
      }
      seq = end + 1;
    }
    return 0;
  }

  protected scanBackward(from: number, to: number, m: IdMatcher | null): number {
    let seq = from;
    while (seq >= to) {
      const no = Math.floor(seq / CHUNK_SIZE);
      const c = this.chunks.get(no);
      const start = Math.max(to, no * CHUNK_SIZE);
      if (c && c.live > 0) {
        const base = no * CHUNK_SIZE;
        for (let s = seq; s >= start; s--) {
          const id = c.subj[s - base];
          if (id !== 0 && (m === null || m(id - 1))) return s;
        }
      }
      seq = start - 1;
    }
    return 0;
  }

  /** Live messages in [from, to] matching f (null: all). */
  protected countRange(from: number, to: number, m: IdMatcher | null): number {
    let n = 0;
    let seq = from;
    while (seq <= to) {
      const no = Math.floor(seq / CHUNK_SIZE);
      const c = this.chunks.get(no);
      const base = no * CHUNK_SIZE;
      const end = Math.min(to, base + CHUNK_SIZE - 1);
      if (c && c.live > 0) {
        if (m === null && seq === base && end === base + CHUNK_SIZE - 1) n += c.live;
        else
          for (let s = seq; s <= end; s++) {
            const id = c.subj[s - base];
            if (id !== 0 && (m === null || m(id - 1))) n++;
          }
      }
      seq = end + 1;
    }
    return n;
  }

  /** An id test for scans; null matches every message. */
  protected matcher(f: CompiledFilter): IdMatcher | null {
    if (f.kind === "all") return null;
    if (f.kind === "set") return (id) => f.bits[id] === 1;
    const info = this.subjects.get(f.subject);
    const want = info ? info.id : -1;
    return (id) => id === want;
  }

  protected firstOf(info: SubjectInfo): number {
    if (info.firstStale) {
      const to = info.lastStale ? this.lastSeq : info.last;
      info.first = this.scanForward(Math.max(info.first, this.firstSeq), to, (id) => id === info.id);
      info.firstStale = false;
    }
    return info.first;
  }

  protected lastOf(info: SubjectInfo): number {
    if (info.lastStale) {
      info.last = this.scanBackward(Math.min(info.last, this.lastSeq), this.firstOf(info), (id) => id === info.id);
      info.lastStale = false;
    }
    return info.last;
  }

  protected beginBatch(): void {
    if (this.undo !== null && this.batch === null) {
      this.batch = { firstSeq: this.firstSeq, lastSeq: this.lastSeq, lastTs: this.lastTs, msgs: this.msgs, bytes: this.bytes };
    }
  }

  /** Remember a change of the batch for rollbackBatch(). */
  protected logUndo(op: number, seq: number, subjectId: number): void {
    const u = this.undo;
    if (u === null) return;
    const n = this.undoLen;
    u[n] = op;
    u[n + 1] = seq;
    u[n + 2] = subjectId;
    this.undoLen = n + 3;
  }

  /** The batch is on disk (or there is no disk): release what undo no longer needs. */
  protected commitBatch(): void {
    this.batch = null;
    // Kept for the next batch, unless a mass removal (a purge) made it big.
    if (this.undo !== null && this.undo.length > UNDO_KEEP) this.undo = [];
    this.undoLen = 0;
    this.subjects.releaseEmptied();
    const tailNo = Math.floor((this.lastSeq + 1) / CHUNK_SIZE);
    for (const c of this.emptyChunks) if (c.live === 0 && c.no !== tailNo && this.chunks.get(c.no) === c) this.chunks.delete(c.no);
    this.emptyChunks.length = 0;
  }

  /** Undo every index change since the last commit (the write of the batch failed). */
  protected rollbackBatch(): void {
    const undo = this.undo;
    const b = this.batch;
    if (undo === null || b === null) return;
    for (let k = this.undoLen; k > 0; ) {
      const op = undo[k - 3];
      const seq = undo[k - 2];
      const id = undo[k - 1];
      k -= 3;
      const c = this.chunkFor(seq) as C;
      const i = seq - c.no * CHUNK_SIZE;
      const info = this.subjects.byIdOf(id);
      if (op === OP_APPEND) {
        c.subj[i] = 0;
        c.live--;
        this.subjects.withdrawn(info, seq);
        this.payloadWithdrawn(c, i);
      } else {
        c.subj[i] = id + 1;
        c.live++;
        this.subjects.restored(info, seq);
        this.payloadRestored(c, i);
      }
    }
    this.firstSeq = b.firstSeq;
    this.lastSeq = b.lastSeq;
    this.lastTs = b.lastTs;
    this.msgs = b.msgs;
    this.bytes = b.bytes;
    this.commitBatch();
  }

  /** Startup recovery: index a message found on disk (no payload copy, no undo, no limits). */
  protected indexRecovered(seq: number, subject: string, ts: Nanos, size: number): C {
    return this.indexSlot(seq, this.subjects.intern(subject), ts, size);
  }

  /** Fill seq's slot and count the message in the bounds, counters and subject table; the chunk it is in. */
  protected indexSlot(seq: number, info: SubjectInfo, ts: Nanos, size: number): C {
    const c = this.slotChunk(seq);
    const i = seq - c.no * CHUNK_SIZE;
    c.subj[i] = info.id + 1;
    c.ts[i] = ts;
    c.size[i] = size;
    c.live++;
    if (this.msgs === 0) this.firstSeq = seq;
    this.lastSeq = seq;
    this.lastTs = ts;
    this.msgs++;
    this.bytes += size;
    this.subjects.added(info, seq);
    return c;
  }
}
