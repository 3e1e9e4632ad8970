// FileStore: a stream's messages in append-only block files (block-format.ts)
// under <storeDir>/jetstream/<account>/streams/<stream>/msgs/. Appends are
// encoded into the in-memory copy of the newest block and written with one
// positional write per flushPending(); a failed write rolls the whole batch
// back (store-core's undo log) so no PubAck can follow an unwritten message.
// Deletions are tombstone / first-sequence records, never rewrites; emptied
// blocks at the head are unlinked. Startup rebuilds the index from block
// indexes (block-index.ts) or by scanning blocks, truncating a torn tail.
// Recovery of the stream itself is in file-recovery.ts.

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
  REC_META,
  REC_MSG,
  REC_TOMB,
  recordPayload,
  scanBlock,
  validRecordAt,
  type BlockEntries,
} from "./block-format.js";
import { decodeBlockIndex, encodeBlockIndex, recordOffsets } from "./block-index.js";
import { BlockReader } from "./block-reader.js";
import { readBest, writeBoth } from "./dual-file.js";
import { FileConsumerStore } from "./file-consumer-store.js";
import { encodeSnapshot } from "./snapshot.js";
import { CHUNK_SIZE, type IndexChunk } from "./sequence-index.js";
import { StoreCore } from "./store-core.js";
import { encodeName, listConsumerDirs, streamDir } from "./store-paths.js";
import { errnoOf, withIo, writeFully, type StoreIo } from "./store-io.js";
import {
  StoreError,
  type ConsumerStore,
  type FileStoreOptions,
  type MessageStore,
  type Nanos,
  type StoredMessage,
  type StreamMeta,
} from "./types.js";

export interface FileChunk extends IndexChunk {
  readonly blk: Uint32Array;
  readonly off: Uint32Array;
  readonly len: Uint32Array;
}

export interface BlockInfo {
  readonly id: number;
  /** Messages of this block still in the index. */
  live: number;
}

const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;
const DEFAULT_SYNC_INTERVAL_MS = 120_000;
const INITIAL_BUFFER = 64 * 1024;

export class FileStore extends StoreCore<FileChunk> implements MessageStore {
  readonly kind = "file" as const;
  readonly dir: string;
  protected readonly io: StoreIo;
  protected readonly blockSize: number;
  protected readonly syncAlways: boolean;
  /** Blocks in ascending id order. */
  protected readonly blocks = new Map<number, BlockInfo>();
  protected active: BlockInfo = { id: 0, live: 0 };
  protected activeFd = -1;
  /** In-memory copy of the active block: [0, flushed) is on disk, [flushed, len) is the batch. */
  protected buf: Buffer = Buffer.allocUnsafe(INITIAL_BUFFER);
  protected len = 0;
  protected flushed = 0;
  /** Sequences whose tombstones the batch must write. */
  private tombs: number[] = [];
  /** Records to overwrite after the batch: block, offset, length, seq. */
  private erases: number[] = [];
  protected persistedFirst = 1;
  /** The highest last_seq the records on disk imply. */
  protected persistedLast = 0;
  private pendingLast = 0;
  protected recovering = false;
  protected readonly reader: BlockReader;
  protected readonly consumers = new Map<string, FileConsumerStore>();
  protected metaGen = 0;
  private readonly emptied = new Set<number>();
  private syncTimer: NodeJS.Timeout | null = null;

  protected constructor(opts: FileStoreOptions, dir: string, meta: StreamMeta) {
    super(meta);
    this.dir = dir;
    this.io = withIo(opts.io);
    this.blockSize = opts.blockSize && opts.blockSize > 0 ? opts.blockSize : DEFAULT_BLOCK_SIZE;
    this.syncAlways = opts.syncAlways === true;
    this.undo = [];
    this.reader = new BlockReader((id) => this.blockFile(id));
    if (!this.syncAlways) {
      const every = opts.syncIntervalMs && opts.syncIntervalMs > 0 ? opts.syncIntervalMs : DEFAULT_SYNC_INTERVAL_MS;
      this.syncTimer = setInterval(() => this.syncInBackground(), every);
      this.syncTimer.unref();
    }
  }

  /** Creates a new stream directory with its meta and first block. */
  static create(opts: FileStoreOptions, meta: StreamMeta): FileStore {
    const dir = streamDir(opts.storeDir, opts.account, meta.config.name);
    if (fs.existsSync(path.join(dir, "msgs"))) throw new StoreError("bad_store", `stream store already exists: ${dir}`);
    fs.mkdirSync(path.join(dir, "msgs"), { recursive: true });
    const store = new FileStore(opts, dir, meta);
    try {
      store.writeMeta(meta);
      store.openBlock(1);
    } catch (err) {
      store.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      throw err instanceof StoreError ? err : new StoreError("write_failed", `stream store create failed: ${errnoOf(err)}`, errnoOf(err));
    }
    return store;
  }

  /** Opens an existing stream directory, recovering its state. */
  static open(opts: FileStoreOptions, stream: string): FileStore {
    const dir = streamDir(opts.storeDir, opts.account, stream);
    if (!fs.existsSync(path.join(dir, "msgs"))) throw new StoreError("bad_store", `no stream store at ${dir}`);
    const store = new FileStore(opts, dir, { config: { name: stream }, created: "" });
    store.recoverFromDisk();
    return store;
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
      no,
      live: 0,
      subj: new Int32Array(CHUNK_SIZE),
      ts: new Float64Array(CHUNK_SIZE),
      size: new Uint32Array(CHUNK_SIZE),
      blk: new Uint32Array(CHUNK_SIZE),
      off: new Uint32Array(CHUNK_SIZE),
      len: new Uint32Array(CHUNK_SIZE),
    };
  }

  protected storePayload(c: FileChunk, i: number, seq: number, subject: string, hdr: Buffer | null, data: Buffer, ts: Nanos): void {
    this.ensureRoom(recordRoom(subject, hdr, data));
    const n = encodeRecord(this.buf, this.len, REC_MSG, seq, ts, subject, hdr, data);
    c.blk[i] = this.active.id;
    c.off[i] = this.len;
    c.len[i] = n;
    this.len += n;
    this.active.live++;
    this.pendingLast = seq;
  }

  protected loadPayload(c: FileChunk, i: number, seq: number, subject: string): StoredMessage | null {
    const blk = c.blk[i];
    const len = c.len[i];
    let buf: Buffer;
    let off: number;
    if (blk === this.active.id) {
      buf = this.buf;
      off = c.off[i];
    } else {
      const got = this.reader.read(blk, c.off[i], len);
      if (got === null) return null;
      [buf, off] = got;
      if (!validRecordAt(buf, off, off + len)) return null;
    }
    if (buf[off + 4] !== REC_MSG || buf.readUInt32LE(off) !== len || recordSeq(buf, off) !== seq) return null;
    const subjLen = buf.readUInt16LE(off + 6);
    if (buf.toString("utf8", off + 28, off + 28 + subjLen) !== subject) return null;
    const hasHdr = buf[off + 5] === 1;
    const hdrLen = buf.readUInt32LE(off + 24);
    const body = Buffer.from(buf.subarray(off + 28 + subjLen, off + len - 4));
    return {
      subject,
      seq,
      hdr: hasHdr ? body.subarray(0, hdrLen) : null,
      data: hasHdr ? body.subarray(hdrLen) : body,
      ts: c.ts[i],
    };
  }

  protected payloadRemoved(c: FileChunk, i: number, seq: number, erase: boolean, persist: boolean): void {
    const b = this.blocks.get(c.blk[i]);
    if (b) {
      b.live--;
      if (b.live === 0) this.emptied.add(b.id);
    }
    if (this.recovering || !persist) return;
    if (seq !== this.firstSeq) this.tombs.push(seq);
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

  protected override hasUnflushedAppends(): boolean {
    return this.len > this.flushed || this.batch !== null;
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

  private appendControl(type: number, seq: number, ts = 0, payload: Buffer | null = null): void {
    this.ensureRoom(recordRoom("", null, payload));
    this.len += encodeRecord(this.buf, this.len, type, seq, ts, "", null, payload);
  }

  flushPending(): void {
    if (this.closed) return;
    if (this.batch !== null) this.writeBatch();
    for (const c of this.consumers.values()) {
      try {
        c.flushPending();
      } catch {
        // Stays dirty and is retried at the next flush; consumers that must know call their own flushPending().
      }
    }
  }

  private writeBatch(): void {
    if (this.firstSeq > this.persistedFirst) this.appendControl(REC_FIRST, this.firstSeq);
    for (const seq of this.tombs) if (seq >= this.firstSeq) this.appendControl(REC_TOMB, seq);
    const implied = Math.max(this.pendingLast, this.persistedLast, this.firstSeq - 1);
    if (this.lastSeq > implied) this.appendControl(REC_LAST, this.lastSeq, this.lastTs);
    try {
      if (this.len > this.flushed) writeFully(this.io, this.activeFd, this.buf, this.flushed, this.len - this.flushed, this.flushed);
      if (this.syncAlways) this.io.fsyncSync(this.activeFd);
    } catch (err) {
      this.rollback();
      const errno = errnoOf(err);
      throw new StoreError("write_failed", `error writing stream ${this.currentMeta.config.name}: ${errno}`, errno);
    }
    this.flushed = this.len;
    this.persistedFirst = this.firstSeq;
    this.persistedLast = Math.max(this.lastSeq, this.persistedLast);
    this.pendingLast = this.persistedLast;
    this.tombs = [];
    const erases = this.erases;
    this.erases = [];
    this.commitBatch();
    this.eraseRecords(erases);
    this.removeEmptiedBlocks();
    if (this.len >= this.blockSize) this.rollBlock();
  }

  private rollback(): void {
    const size = this.flushed;
    this.len = size;
    this.tombs = [];
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
          writeFully(this.io, this.activeFd, rec, 0, len, off);
        } else if (this.blocks.has(blk)) {
          this.reader.forget(blk);
          const fd = this.io.openSync(this.blockFile(blk), "r+");
          try {
            writeFully(this.io, fd, rec, 0, len, off);
          } finally {
            this.io.closeSync(fd);
          }
        }
      } catch {
        // The tombstone is written; only the overwrite of the old bytes failed.
      }
    }
  }

  /** Unlinks blocks at the head whose messages are all gone. */
  private removeEmptiedBlocks(): void {
    if (this.emptied.size === 0) return;
    this.emptied.clear();
    for (const b of this.blocks.values()) {
      if (b === this.active || b.live > 0) break;
      this.blocks.delete(b.id);
      this.reader.forget(b.id);
      for (const f of [this.blockFile(b.id), this.indexFile(b.id)]) {
        try {
          fs.unlinkSync(f);
        } catch {
          // Already gone, or not removable now: recovery treats its messages as deleted anyway.
        }
      }
    }
  }

  /** Creates block id with its HEADER and FIRST records and makes it the active block. */
  protected openBlock(id: number): void {
    const file = this.blockFile(id);
    const fd = this.io.openSync(file, "w+");
    const buf = Buffer.allocUnsafe(Math.max(INITIAL_BUFFER, Math.min(this.blockSize, this.buf.length)));
    const metaJson = Buffer.from(JSON.stringify(this.currentMeta));
    const saved = [this.buf, this.len] as const;
    this.buf = buf.length >= metaJson.length + 128 ? buf : Buffer.allocUnsafe(metaJson.length + 128);
    this.len = 0;
    this.appendControl(REC_HEADER, this.lastSeq, this.lastTs, metaJson);
    this.appendControl(REC_FIRST, this.firstSeq);
    try {
      writeFully(this.io, fd, this.buf, 0, this.len, 0);
    } catch (err) {
      this.buf = saved[0];
      this.len = saved[1];
      this.io.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw err;
    }
    const prev = this.active;
    if (this.activeFd >= 0) {
      const oldFd = this.activeFd;
      this.reader.adopt(prev.id, saved[0], saved[1]);
      this.io.fsync(oldFd, () => fs.close(oldFd, () => undefined));
      this.writeIndex(prev.id, saved[0], saved[1], recordOffsets(saved[0], saved[1]));
      if (prev.live === 0) this.emptied.add(prev.id);
    }
    this.activeFd = fd;
    this.flushed = this.len;
    this.active = { id, live: 0 };
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

  protected writeIndex(id: number, buf: Buffer, size: number, offsets: readonly number[]): void {
    try {
      this.io.writeFileSync(this.indexFile(id), encodeBlockIndex(id, buf, size, offsets));
    } catch {
      // The index is only a startup shortcut; without it the block is scanned.
    }
  }

  private syncInBackground(): void {
    if (this.activeFd >= 0 && !this.closed) this.io.fsync(this.activeFd, () => undefined);
  }

  // ---- meta, consumers, lifecycle

  protected writeMeta(meta: StreamMeta): void {
    try {
      writeBoth(this.dir, "meta", this.metaGen + 1, Buffer.from(JSON.stringify(meta)), (f, d) => this.io.writeFileSync(f, d));
    } catch (err) {
      const errno = errnoOf(err);
      throw new StoreError("write_failed", `error writing stream meta: ${errno}`, errno);
    }
    this.metaGen++;
  }

  updateMeta(meta: StreamMeta): void {
    this.checkOpen();
    this.flushPending();
    this.writeMeta(meta);
    this.beginBatch();
    this.appendControl(REC_META, this.lastSeq, 0, Buffer.from(JSON.stringify(meta)));
    this.applyLimits(meta);
    this.flushPending();
  }

  consumerStore(name: string): ConsumerStore {
    this.checkOpen();
    let c = this.consumers.get(name);
    if (!c) {
      c = new FileConsumerStore(name, path.join(this.dir, "obs", encodeName(name)), this.io, () => this.consumers.delete(name));
      this.consumers.set(name, c);
    }
    return c;
  }

  consumerNames(): string[] {
    return [...this.consumers.keys()];
  }

  protected recoverConsumers(): void {
    for (const { name, dir } of listConsumerDirs(this.dir)) {
      this.consumers.set(name, new FileConsumerStore(name, dir, this.io, () => this.consumers.delete(name)));
    }
  }

  snapshot(): Buffer {
    this.flushPending();
    return encodeSnapshot(this.currentMeta, this.state(), this.messages(), this.consumers.values());
  }

  stop(): void {
    if (this.closed) return;
    try {
      this.flushPending();
    } catch {
      // Rolled back: nothing acknowledged is lost.
    }
    this.closed = true;
    this.clearExpiry();
    if (this.syncTimer !== null) clearInterval(this.syncTimer);
    for (const c of this.consumers.values()) c.close();
    if (this.activeFd >= 0) {
      try {
        this.io.fsyncSync(this.activeFd);
      } catch {
        // Written to the OS already; only the flush to the device failed.
      }
      this.io.closeSync(this.activeFd);
      this.activeFd = -1;
    }
    this.reader.close();
  }

  delete(): void {
    this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Rebuilds the index from block indexes or block scans; the meta from meta.A/B or, failing both, the newest block. */
  protected recoverFromDisk(): void {
    this.recovering = true;
    const undo = this.undo;
    this.undo = null;
    let meta: StreamMeta | null = null;
    const slot = readBest(this.dir, "meta");
    if (slot !== null) {
      try {
        meta = JSON.parse(slot.payload.toString()) as StreamMeta;
        this.metaGen = slot.gen;
      } catch {
        meta = null;
      }
    }
    const ids = fs
      .readdirSync(path.join(this.dir, "msgs"))
      .map((f) => /^(\d+)\.blk$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const metaRecords: [number, number, number][] = [];
    ids.forEach((id, k) => {
      const last = k === ids.length - 1;
      const file = this.blockFile(id);
      let entries: BlockEntries | null = null;
      let data: Buffer | null = null;
      if (!last) {
        try {
          entries = decodeBlockIndex(fs.readFileSync(this.indexFile(id)), id, fs.statSync(file).size);
        } catch {
          entries = null;
        }
      }
      if (entries === null) {
        data = fs.readFileSync(file);
        entries = scanBlock(data, data.length);
        if (!last) this.writeIndex(id, data, data.length, entries.off);
      }
      const block: BlockInfo = { id, live: 0 };
      this.blocks.set(id, block);
      this.applyEntries(block, entries, metaRecords);
      if (last && data !== null) {
        this.active = block;
        this.buf = data;
        this.len = entries.end;
        this.flushed = entries.end;
        this.activeFd = this.io.openSync(file, "r+");
        // A torn tail (bytes after the last valid record of the newest block) is cut off.
        if (data.length > entries.end) this.io.ftruncateSync(this.activeFd, entries.end);
      }
    });
    meta = meta ?? this.metaFromBlocks(metaRecords);
    if (meta === null) throw new StoreError("bad_store", `stream meta lost in ${this.dir}`);
    if (slot === null || this.metaGen === 0) this.writeMeta(meta);
    this.currentMeta = meta;
    this.recovering = false;
    this.undo = undo;
    this.persistedFirst = this.firstSeq;
    this.persistedLast = this.lastSeq;
    this.pendingLast = this.lastSeq;
    if (ids.length === 0) this.openBlock(1);
    this.commitBatch();
    this.recoverConsumers();
    this.removeEmptiedBlocks();
    this.applyLimits(meta);
    this.flushPending();
  }

  private applyEntries(block: BlockInfo, e: BlockEntries, metaRecords: [number, number, number][]): void {
    for (let k = 0; k < e.type.length; k++) {
      const seq = e.seq[k];
      switch (e.type[k]) {
        case REC_MSG: {
          if (seq <= this.lastSeq) break;
          const subject = e.subject[k];
          const hdrLen = Math.max(0, e.hdrLen[k]);
          const dataLen = e.len[k] - 32 - Buffer.byteLength(subject) - hdrLen;
          const c = this.indexRecovered(seq, subject, e.ts[k], this.msgSize(subject, hdrLen, dataLen));
          const i = seq - c.no * CHUNK_SIZE;
          c.blk[i] = block.id;
          c.off[i] = e.off[k];
          c.len[i] = e.len[k];
          block.live++;
          break;
        }
        case REC_TOMB:
          this.removeSeq(seq, null, false);
          break;
        case REC_FIRST:
          this.dropBelow(seq);
          break;
        case REC_HEADER:
        case REC_LAST:
        case REC_ERASED:
          if (seq > this.lastSeq) {
            this.lastSeq = seq;
            if (e.type[k] !== REC_ERASED && e.ts[k] > 0) this.lastTs = e.ts[k];
            if (this.msgs === 0) this.firstSeq = seq + 1;
          }
          if (e.type[k] === REC_HEADER) metaRecords.push([block.id, e.off[k], e.len[k]]);
          break;
        case REC_META:
          metaRecords.push([block.id, e.off[k], e.len[k]]);
          break;
      }
    }
  }

  /** The newest readable meta JSON carried by a HEADER or META record. */
  private metaFromBlocks(records: [number, number, number][]): StreamMeta | null {
    for (let k = records.length - 1; k >= 0; k--) {
      const [blk, off, len] = records[k];
      const got = blk === this.active.id && this.activeFd >= 0 ? ([this.buf, off] as [Buffer, number]) : this.reader.read(blk, off, len);
      if (got === null || !validRecordAt(got[0], got[1], got[1] + len)) continue;
      try {
        const meta = JSON.parse(recordPayload(got[0], got[1]).toString()) as StreamMeta;
        if (typeof meta?.config?.name === "string") return meta;
      } catch {
        continue;
      }
    }
    return null;
  }
}
