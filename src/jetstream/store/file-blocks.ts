// The write path of a FileStore over its block files: payloads encoded into
// the in-memory copy of the newest block and written with one positional
// write per batch; a failed write rolls the batch back (store-core's undo
// log) so no PubAck can follow an unwritten message. Deletions become
// tombstone / first-sequence records, never rewrites of messages; emptied
// blocks are unlinked at the head and cut down to the tombstones older blocks
// still need elsewhere (block-compaction.ts). Reads of sealed blocks go
// through BlockReader and are checksummed. With `compression: s2` a sealed
// block is compressed in the background (block-compressor.ts); an erase in
// such a block rewrites the frame holding the record. Opening, recovery, meta
// and consumers are file-store.ts; when written blocks are fsynced, block-sync.ts.

import * as fs from "node:fs";
import * as path from "node:path";
import {
  encodeRecord,
  fileStoreMsgSize,
  recordRoom,
  recordSeq,
  REC_ERASED,
  REC_FIRST,
  REC_HEADER,
  REC_LAST,
  REC_MSG,
  REC_TOMB,
  validRecordAt,
} from "./block-format.js";
import { BlockIndexBuilder, encodeBlockIndex, type RecordList } from "./block-index.js";
import { compactBlock, recordOffsets, type SeqRange } from "./block-compaction.js";
import { FRAME_HEAD, isCompressedHead, replaceInFrame } from "./block-compression.js";
import { BlockCompressor } from "./block-compressor.js";
import { BlockReader } from "./block-reader.js";
import { BlockSync } from "./block-sync.js";
import { CHUNK_SIZE, newIndexChunk, type IndexChunk } from "./sequence-index.js";
import { StoreCore } from "./store-core.js";
import { errnoOf, withIo, writeFully, type StoreIo } from "./store-io.js";
import { StoreError, type FileStoreOptions, type MessageRef, type Nanos, type StoredMessage, type StreamMeta } from "./types.js";

export interface FileChunk extends IndexChunk {
  readonly blk: Uint32Array;
  readonly off: Uint32Array;
  readonly len: Uint32Array;
}

export interface BlockInfo {
  readonly id: number;
  /** Messages of this block still in the index. */
  live: number;
  /** Sequences of the first and last message record in the file; 0 when it holds none. */
  minSeq: number;
  maxSeq: number;
}

export function newBlockInfo(id: number): BlockInfo {
  return { id, live: 0, minSeq: 0, maxSeq: 0 };
}

const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;

/** The number of the record at byte offset off (offsets ascend), or -1. */
function recordAt(offsets: readonly number[], off: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = offsets[mid];
    if (v === off) return mid;
    if (v < off) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
/** Suffix of block files set aside for deletion (recovery removes leftovers). */
export const DELETED_SUFFIX = ".del";
let removedFiles = 0;
const INITIAL_BUFFER = 64 * 1024;
/** Tombstone slots a store keeps allocated between batches. */
const MAX_KEPT_TOMBS = 16384;

export abstract class FileBlocks extends StoreCore<FileChunk> {
  readonly kind = "file" as const;
  readonly dir: string;
  protected readonly io: StoreIo;
  protected readonly blockSize: number;
  protected readonly syncAlways: boolean;
  /** Blocks in ascending id order. */
  protected readonly blocks = new Map<number, BlockInfo>();
  protected active: BlockInfo = newBlockInfo(0);
  protected activeFd = -1;
  /** In-memory copy of the active block: [0, flushed) is on disk, [flushed, len) is the batch. */
  protected buf: Buffer = Buffer.allocUnsafe(INITIAL_BUFFER);
  protected len = 0;
  protected flushed = 0;
  /** Offsets and subjects of the active block's records (for its index when sealed). */
  protected recOff: number[] = [];
  protected recSubject: string[] = [];
  protected flushedRecords = 0;
  /** The active block's index, kept up to date with its flushed records. */
  protected index = new BlockIndexBuilder();
  /**
   * Sequences whose tombstones the batch must write: the first tombCount entries. A count, as a
   * new array per batch is regrown by the first removal of every batch (each KV update has one).
   */
  private tombs: number[] = [];
  private tombCount = 0;
  /** Records to overwrite after the batch: block, offset, length, seq. */
  private erases: number[] = [];
  protected persistedFirst = 1;
  /** The highest last_seq the records on disk imply. */
  protected persistedLast = 0;
  protected pendingLast = 0;
  protected recovering = false;
  protected readonly reader: BlockReader;
  protected readonly compressor: BlockCompressor;
  protected readonly emptied = new Set<number>();
  /** A failed write of an operation, reported again by the next flushPending(). */
  protected failure: StoreError | null = null;
  /** fsyncs of sealed blocks and the directory (sync_interval / sync_always). */
  protected readonly sync: BlockSync;
  private spare: Buffer | null = null;

  protected constructor(opts: FileStoreOptions, dir: string, meta: StreamMeta) {
    super(meta);
    this.dir = dir;
    this.io = withIo(opts.io);
    this.blockSize = opts.blockSize && opts.blockSize > 0 ? opts.blockSize : DEFAULT_BLOCK_SIZE;
    this.syncAlways = opts.syncAlways === true;
    this.undo = [];
    this.sync = new BlockSync({
      io: this.io,
      msgsDir: path.join(dir, "msgs"),
      blockFile: (id) => this.blockFile(id),
      syncAlways: this.syncAlways,
      intervalMs: opts.syncIntervalMs,
      activeFd: () => this.activeFd,
    });
    this.reader = new BlockReader((id) => this.blockFile(id));
    this.compressor = new BlockCompressor(
      (id) => this.blockFile(id),
      () => !this.closed,
      (id, data, entries, size) => {
        this.reader.fileReplaced(id);
        this.writeIndex(id, data, size, entries);
        this.sync.directoryChanged();
      },
    );
  }

  protected blockFile(id: number): string {
    return path.join(this.dir, "msgs", `${id}.blk`);
  }

  protected indexFile(id: number): string {
    return path.join(this.dir, "msgs", `${id}.idx`);
  }

  // ---- hooks of StoreCore

  protected msgSize(subject: string, hdrLen: number, dataLen: number): number {
    return fileStoreMsgSize(subject, hdrLen, dataLen);
  }

  protected newChunk(no: number): FileChunk {
    return {
      ...newIndexChunk(no),
      blk: new Uint32Array(CHUNK_SIZE),
      off: new Uint32Array(CHUNK_SIZE),
      len: new Uint32Array(CHUNK_SIZE),
    };
  }

  protected storePayload(c: FileChunk, i: number, seq: number, subject: string, hdr: Buffer | null, data: Buffer, ts: Nanos): void {
    this.ensureRoom(recordRoom(subject, hdr, data));
    this.recOff.push(this.len);
    this.recSubject.push(subject);
    const n = encodeRecord(this.buf, this.len, REC_MSG, seq, ts, subject, hdr, data);
    c.blk[i] = this.active.id;
    c.off[i] = this.len;
    c.len[i] = n;
    this.len += n;
    this.active.live++;
    if (this.active.minSeq === 0) this.active.minSeq = seq;
    this.active.maxSeq = seq;
    this.pendingLast = seq;
  }

  protected locatePayload(c: FileChunk, i: number, seq: number, out: MessageRef): boolean {
    const blk = c.blk[i];
    const len = c.len[i];
    let buf: Buffer;
    let off: number;
    if (blk === this.active.id) {
      buf = this.buf;
      off = c.off[i];
    } else {
      off = this.reader.read(blk, c.off[i], len);
      if (off < 0) return false;
      buf = this.reader.buffer;
      // Bytes read from disk are checked; the in-memory copy of a just-sealed block is what was written.
      if (!this.reader.trusted && !validRecordAt(buf, off, off + len)) return false;
    }
    if (buf[off + 4] !== REC_MSG || buf.readUInt32LE(off) !== len || recordSeq(buf, off) !== seq) return false;
    const subjLen = buf.readUInt16LE(off + 6);
    if (!subjectIs(buf, off + 28, subjLen, out.subject)) return false;
    out.buf = buf;
    out.start = off + 28 + subjLen;
    out.hdrLen = buf[off + 5] === 1 ? buf.readUInt32LE(off + 24) : -1;
    out.size = len - 32 - subjLen;
    return true;
  }

  /** The window and the active block are reused: a copy. */
  protected materialize(r: MessageRef): StoredMessage {
    const body = copyOut(r.buf, r.start, r.start + r.size);
    const h = r.hdrLen;
    return { subject: r.subject, seq: r.seq, hdr: h >= 0 ? body.subarray(0, h) : null, data: h >= 0 ? body.subarray(h) : body, ts: r.ts };
  }

  protected payloadRemoved(c: FileChunk, i: number, seq: number, erase: boolean, persist: boolean): void {
    const b = this.blocks.get(c.blk[i]);
    if (b) {
      b.live--;
      if (b.live === 0) this.emptied.add(b.id);
    }
    if (this.recovering || !persist) return;
    if (seq !== this.firstSeq) this.tombs[this.tombCount++] = seq;
    if (erase) this.erases.push(c.blk[i], c.off[i], c.len[i], seq);
  }

  protected override payloadRestored(c: FileChunk, i: number): void {
    const b = this.blocks.get(c.blk[i]);
    if (b) b.live++;
  }

  protected override payloadWithdrawn(c: FileChunk, i: number): void {
    const b = this.blocks.get(c.blk[i]);
    if (b) b.live--;
  }

  protected override persist(): void {
    if (this.failure !== null) throw this.failure;
    if (this.batch === null) return;
    try {
      this.writeBatch();
    } catch (err) {
      this.failure = err as StoreError;
      throw err;
    }
  }

  protected override hasUnflushedAppends(): boolean {
    return this.len > this.flushed;
  }

  // ---- the write path

  private ensureRoom(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Records whose loss would bring deleted messages back (or lower last_seq) are written twice. */
  private appendDeletion(type: number, seq: number, ts = 0): void {
    this.appendControl(type, seq, ts);
    this.appendControl(type, seq, ts);
  }

  protected appendControl(type: number, seq: number, ts = 0, payload: Buffer | null = null): void {
    this.ensureRoom(recordRoom("", null, payload));
    this.recOff.push(this.len);
    this.recSubject.push("");
    this.len += encodeRecord(this.buf, this.len, type, seq, ts, "", null, payload);
  }

  protected writeBatch(): void {
    if (this.firstSeq > this.persistedFirst) this.appendDeletion(REC_FIRST, this.firstSeq);
    for (let k = 0; k < this.tombCount; k++) if (this.tombs[k] >= this.firstSeq) this.appendDeletion(REC_TOMB, this.tombs[k]);
    const implied = Math.max(this.pendingLast, this.persistedLast, this.firstSeq - 1);
    if (this.lastSeq > implied) this.appendDeletion(REC_LAST, this.lastSeq, this.lastTs);
    try {
      if (this.len > this.flushed) writeFully(this.io, this.activeFd, this.buf, this.flushed, this.len - this.flushed, this.flushed);
      if (this.syncAlways) this.io.fsyncSync(this.activeFd);
    } catch (err) {
      this.rollback();
      const errno = errnoOf(err);
      throw new StoreError("write_failed", `error writing stream ${this.currentMeta.config.name}: ${errno}`, errno);
    }
    this.flushed = this.len;
    this.flushedRecords = this.recOff.length;
    this.index.addUpTo(this.buf, { off: this.recOff, subject: this.recSubject }, this.flushedRecords);
    this.persistedFirst = this.firstSeq;
    this.persistedLast = Math.max(this.lastSeq, this.persistedLast);
    this.pendingLast = this.persistedLast;
    this.clearTombs();
    const erases = this.erases;
    this.erases = [];
    this.commitBatch();
    this.eraseRecords(erases);
    this.removeEmptiedBlocks();
    if (this.len >= this.blockSize) this.rollBlock();
  }

  private clearTombs(): void {
    this.tombCount = 0;
    // Kept for the next batch, unless a mass removal (a filtered purge) made it big.
    if (this.tombs.length > MAX_KEPT_TOMBS) this.tombs = [];
  }

  protected rollback(): void {
    const size = this.flushed;
    this.len = size;
    this.recOff.length = this.flushedRecords;
    this.recSubject.length = this.flushedRecords;
    this.clearTombs();
    this.erases = [];
    this.pendingLast = this.persistedLast;
    try {
      // A partial write may have left records past the flushed end; they would be overwritten
      // by the next batch anyway, but must not survive a crash in between.
      this.io.ftruncateSync(this.activeFd, size);
    } catch {
      // Recovery ignores records that break the sequence order, and the next write overwrites them.
    }
    this.rollbackBatch();
  }

  /** Overwrites deleted records in place with an ERASED record of the same length. Best effort. */
  private eraseRecords(list: number[]): void {
    for (let k = 0; k < list.length; k += 4) {
      const [blk, off, len, seq] = [list[k], list[k + 1], list[k + 2], list[k + 3]];
      const rec = Buffer.alloc(len);
      encodeRecord(rec, 0, REC_ERASED, seq, 0, "", null, Buffer.alloc(len - 32));
      try {
        if (blk === this.active.id) {
          rec.copy(this.buf, off);
          this.index.recopy(this.buf, recordAt(this.recOff, off), off);
          writeFully(this.io, this.activeFd, rec, 0, len, off);
        } else if (this.blocks.has(blk)) {
          this.reader.forget(blk);
          const again = this.compressor.cancel(blk);
          this.eraseInSealed(blk, off, rec);
          if (again) this.compressor.schedule(blk);
        }
      } catch {
        // The tombstone is written; only the overwrite of the old bytes failed.
      }
    }
  }

  private eraseInSealed(blk: number, off: number, rec: Buffer): void {
    const file = this.blockFile(blk);
    const fd = this.io.openSync(file, "r+");
    try {
      if (!this.isCompressedFile(fd)) {
        writeFully(this.io, fd, rec, 0, rec.length, off);
        return;
      }
    } finally {
      this.io.closeSync(fd);
    }
    // Its index now names the wrong file size: the next startup scans the block and rewrites it.
    const next = replaceInFrame(fs.readFileSync(file), off, rec);
    if (next === null) return;
    const tmp = `${file}.tmp`;
    this.io.writeFileSync(tmp, next);
    fs.renameSync(tmp, file);
  }

  protected isCompressedFile(fd: number): boolean {
    const head = Buffer.alloc(FRAME_HEAD);
    return fs.readSync(fd, head, 0, FRAME_HEAD, 0) === FRAME_HEAD && isCompressedHead(head, FRAME_HEAD);
  }

  protected compressesBlocks(): boolean {
    return this.currentMeta.config.compression === "s2";
  }

  /** Sealed blocks still stored raw (written before compression was on, or before a stop) are compressed now. */
  protected compressSealedBlocks(): void {
    for (const b of this.blocks.values()) {
      if (b === this.active || b.live === 0) continue;
      try {
        const fd = fs.openSync(this.blockFile(b.id), "r");
        try {
          if (!this.isCompressedFile(fd)) this.compressor.schedule(b.id);
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        // Unreadable: stays as it is.
      }
    }
  }

  /** Resolves when no block compression is in flight. */
  compressionIdle(): Promise<void> {
    return this.compressor.idle();
  }

  /**
   * Blocks whose messages are all gone: unlinked when oldest; otherwise cut down to the tombstones
   * older blocks still need (ascending, so a block's tombstones are dropped only after the blocks
   * they protect lost their messages).
   */
  protected removeEmptiedBlocks(): void {
    if (this.emptied.size === 0) return;
    this.emptied.clear();
    for (const b of this.blocks.values()) {
      if (b === this.active || b.live > 0) break;
      this.unlinkBlock(b);
    }
    const older: SeqRange[] = [];
    for (const b of this.blocks.values()) {
      if (b === this.active) break;
      if (b.live === 0 && b.maxSeq > 0) this.compactEmptied(b, older);
      if (b.maxSeq > 0) older.push({ min: b.minSeq, max: b.maxSeq });
    }
  }

  private compactEmptied(b: BlockInfo, older: readonly SeqRange[]): void {
    this.reader.forget(b.id);
    this.compressor.cancel(b.id);
    let rewritten: Buffer | null;
    try {
      rewritten = compactBlock(this.blockFile(b.id), older, this.io);
    } catch {
      return;
    }
    if (rewritten === null) {
      this.unlinkBlock(b);
      return;
    }
    b.minSeq = 0;
    b.maxSeq = 0;
    this.sync.directoryChanged();
    const off = recordOffsets(rewritten, rewritten.length);
    this.writeIndex(b.id, rewritten, rewritten.length, { off, subject: off.map(() => "") });
  }

  /**
   * Removes a block's files: renamed aside at once (cheap), unlinked in the background (freeing a big
   * file is not). A block is only removed when nothing in it is needed any more, so a crash before the
   * unlink leaves a leftover that recovery deletes.
   */
  private unlinkBlock(b: BlockInfo): void {
    this.blocks.delete(b.id);
    this.reader.forget(b.id);
    this.compressor.cancel(b.id);
    for (const f of [this.blockFile(b.id), this.indexFile(b.id)]) {
      const aside = `${f}.${++removedFiles}${DELETED_SUFFIX}`;
      try {
        fs.renameSync(f, aside);
      } catch {
        continue;
      }
      fs.unlink(aside, () => undefined);
    }
  }

  /** Creates block id with its HEADER and FIRST records and makes it the active block. */
  protected openBlock(id: number): void {
    const file = this.blockFile(id);
    const fd = this.io.openSync(file, "w+");
    const metaJson = Buffer.from(JSON.stringify(this.currentMeta));
    const want = Math.max(INITIAL_BUFFER, Math.min(this.blockSize, this.buf.length), metaJson.length + 128);
    // The buffer of the block sealed before the previous one, once the reader let go of it: no new
    // 8 MiB allocation (and the garbage collection it provokes) per block.
    const spare = this.spare;
    this.spare = null;
    const saved = [this.buf, this.len] as const;
    const savedRecords: RecordList = { off: this.recOff, subject: this.recSubject };
    const savedIndex = this.index;
    this.buf = spare !== null && spare.length >= want ? spare : Buffer.allocUnsafe(want);
    this.len = 0;
    this.recOff = [];
    this.recSubject = [];
    this.index = new BlockIndexBuilder();
    this.appendControl(REC_HEADER, this.lastSeq, this.lastTs, metaJson);
    this.appendDeletion(REC_FIRST, this.firstSeq);
    try {
      writeFully(this.io, fd, this.buf, 0, this.len, 0);
    } catch (err) {
      this.buf = saved[0];
      this.len = saved[1];
      this.recOff = savedRecords.off as number[];
      this.recSubject = savedRecords.subject as string[];
      this.index = savedIndex;
      this.io.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw err;
    }
    const prev = this.active;
    if (this.activeFd >= 0) {
      const oldFd = this.activeFd;
      this.spare = this.reader.adopt(prev.id, saved[0], saved[1]);
      this.io.closeSync(oldFd);
      this.sync.blockSealed(prev.id);
      savedIndex.addUpTo(saved[0], savedRecords, savedRecords.off.length);
      this.writeIndexFile(prev.id, savedIndex.finish(prev.id, saved[1]));
      if (prev.live === 0) this.emptied.add(prev.id);
      else if (this.compressesBlocks()) this.compressor.schedule(prev.id);
    }
    this.activeFd = fd;
    this.sync.directoryChanged();
    this.flushed = this.len;
    this.flushedRecords = this.recOff.length;
    this.active = newBlockInfo(id);
    this.blocks.set(id, this.active);
    this.persistedFirst = this.firstSeq;
    this.persistedLast = Math.max(this.persistedLast, this.lastSeq);
    this.pendingLast = this.persistedLast;
  }

  private rollBlock(): void {
    try {
      this.openBlock(this.active.id + 1);
    } catch {
      // No room for a new block: keep appending to this one and try again after the next flush.
      return;
    }
    this.removeEmptiedBlocks();
  }

  protected writeIndex(id: number, buf: Buffer, size: number, records: RecordList): void {
    this.writeIndexFile(id, [encodeBlockIndex(id, buf, size, records)]);
  }

  private writeIndexFile(id: number, parts: readonly Buffer[]): void {
    try {
      const fd = this.io.openSync(this.indexFile(id), "w");
      try {
        let pos = 0;
        for (const part of parts) {
          writeFully(this.io, fd, part, 0, part.length, pos);
          pos += part.length;
        }
      } finally {
        this.io.closeSync(fd);
      }
    } catch {
      // The index is only a startup shortcut; without it (or with a torn one) the block is scanned.
    }
  }
}

/** Are buf[at, at+len) the UTF-8 bytes of subject? A byte loop for ASCII, no string decoded. */
function subjectIs(buf: Buffer, at: number, len: number, subject: string): boolean {
  const n = subject.length;
  if (n > len) return false;
  if (n === len) {
    let k = 0;
    for (; k < n; k++) if (buf[at + k] !== subject.charCodeAt(k)) break;
    if (k === n) return true;
    if (subject.charCodeAt(k) < 128) return false;
  }
  return buf.toString("utf8", at, at + len) === subject;
}

/** A copy of buf[start, end) (the window and the active block are reused): one pooled allocation, a byte loop when short. */
function copyOut(buf: Buffer, start: number, end: number): Buffer {
  const n = end - start;
  const out = Buffer.allocUnsafe(n);
  if (n > 64) buf.copy(out, 0, start, end);
  else for (let k = 0; k < n; k++) out[k] = buf[start + k];
  return out;
}
