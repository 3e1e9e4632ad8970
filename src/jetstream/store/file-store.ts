// FileStore: a stream kept in <storeDir>/jetstream/<account>/streams/<stream>/
// (msgs/<n>.blk block files and <n>.idx indexes, meta.A / meta.B, obs/<consumer>/).
// This file opens, recovers and closes a stream directory and owns its meta and
// consumer stores; the write path over the blocks is file-blocks.ts. Recovery
// reads block indexes where they are valid and scans blocks otherwise,
// truncates a torn tail of the newest block, and takes the meta from the
// newest good copy of meta.A / meta.B, or from the newest block when both are
// damaged.

import * as fs from "node:fs";
import * as path from "node:path";
import { recordPayload, REC_ERASED, REC_FIRST, REC_HEADER, REC_LAST, REC_META, REC_MSG, REC_TOMB, scanBlock, validRecordAt, type BlockEntries } from "./block-format.js";
import { readBlockBytes } from "./block-compression.js";
import { decodeBlockIndex } from "./block-index.js";
import { readBest, writeBoth } from "./dual-file.js";
import { DELETED_SUFFIX, FileBlocks, newBlockInfo, type BlockInfo } from "./file-blocks.js";
import { FileConsumerStore } from "./file-consumer-store.js";
import { encodeSnapshot } from "./snapshot.js";
import { CHUNK_SIZE } from "./sequence-index.js";
import { encodeName, listConsumerDirs, streamDir } from "./store-paths.js";
import { errnoOf } from "./store-io.js";
import { StoreError, type ConsumerStore, type FileStoreOptions, type MessageStore, type StreamMeta } from "./types.js";

export class FileStore extends FileBlocks implements MessageStore {
  protected readonly consumers = new Map<string, FileConsumerStore>();
  protected metaGen = 0;

  /** Creates a new stream directory with its meta and first block. */
  static create(opts: FileStoreOptions, meta: StreamMeta): FileStore {
    const dir = streamDir(opts.storeDir, opts.account, meta.config.name);
    if (fs.existsSync(path.join(dir, "msgs"))) throw new StoreError("bad_store", `stream store already exists: ${dir}`);
    try {
      fs.mkdirSync(path.join(dir, "msgs"), { recursive: true });
    } catch (err) {
      throw new StoreError("write_failed", `stream store create failed: ${errnoOf(err)}`, errnoOf(err));
    }
    const store = new FileStore(opts, dir, meta);
    try {
      store.writeMeta(meta);
      store.openBlock(1);
    } catch (err) {
      store.abandon();
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
    try {
      store.recoverFromDisk();
    } catch (err) {
      store.abandon();
      if (err instanceof StoreError) throw err;
      throw new StoreError("bad_store", `cannot recover stream store ${dir}: ${(err as Error).message}`, errnoOf(err));
    }
    return store;
  }

  /** Releases timers and files of a store that failed to open, writing nothing. */
  private abandon(): void {
    this.closed = true;
    this.clearExpiry();
    this.sync.stop();
    for (const c of this.consumers.values()) c.close();
    if (this.activeFd >= 0) this.io.closeSync(this.activeFd);
    this.activeFd = -1;
    this.reader.close();
  }

  flushPending(): void {
    if (this.closed) return;
    const failed = this.failure;
    if (failed !== null) {
      // An operation's own write failed earlier in this turn and rolled back what was pending then;
      // what was appended since is void as well, so no PubAck can follow it.
      this.failure = null;
      this.rollback();
      throw failed;
    }
    if (this.batch !== null) this.writeBatch();
    for (const c of this.consumers.values()) {
      try {
        c.flushPending();
      } catch {
        // Stays dirty and is retried at the next flush; consumers that must know call their own flushPending().
      }
    }
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
    this.persist();
    this.writeMeta(meta);
    this.beginBatch();
    this.appendControl(REC_META, this.lastSeq, 0, Buffer.from(JSON.stringify(meta)));
    this.applyLimits(meta);
    this.persist();
    if (this.compressesBlocks()) this.compressSealedBlocks();
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
    this.persist();
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
    this.sync.stop();
    for (const c of this.consumers.values()) c.close();
    if (this.activeFd >= 0) {
      try {
        this.io.fsyncSync(this.activeFd);
      } catch {
        // Written to the OS already; only the flush to the device failed.
      }
      this.sync.syncSealedNow();
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
    const files = fs.readdirSync(path.join(this.dir, "msgs"));
    for (const f of files) if (f.endsWith(".tmp") || f.endsWith(DELETED_SUFFIX)) fs.rmSync(path.join(this.dir, "msgs", f), { force: true });
    const ids = files
      .map((f) => /^(\d+)\.blk$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const metaRecords: [number, number, number][] = [];
    let corruptTail = false;
    ids.forEach((id, k) => {
      const last = k === ids.length - 1;
      const file = this.blockFile(id);
      let entries: BlockEntries | null = null;
      let data: Buffer | null = null;
      let compressed = false;
      if (!last) {
        try {
          const fd = fs.openSync(file, "r");
          try {
            const size = fs.fstatSync(fd).size;
            entries = decodeBlockIndex(fs.readFileSync(this.indexFile(id)), id, size, this.isCompressedFile(fd) ? Infinity : size);
          } finally {
            fs.closeSync(fd);
          }
        } catch {
          entries = null;
        }
      }
      if (entries === null) {
        let fileSize: number;
        try {
          ({ data, compressed, fileSize } = readBlockBytes(file));
        } catch {
          // An unreadable block costs its own messages, not the stream (after an unreadable newest
          // block, appends go to a new one).
          return;
        }
        const scanned = scanBlock(data, data.length);
        if (last && !compressed) {
          this.recOff = scanned.off;
          this.recSubject = scanned.subject;
          this.flushedRecords = scanned.off.length;
        } else {
          this.writeIndex(id, data, fileSize, scanned);
        }
        entries = scanned;
      }
      const block = newBlockInfo(id);
      this.blocks.set(id, block);
      this.applyEntries(block, entries, metaRecords);
      // A compressed newest block (its successor was lost) is sealed: appends go to a new block.
      if (last && data !== null && !compressed) {
        this.active = block;
        this.buf = data;
        this.len = entries.end;
        this.flushed = entries.end;
        this.activeFd = this.io.openSync(file, "r+");
        // A torn tail (bytes after the last valid record of the newest block) is cut off. Damage
        // after the newest message record may have hit a message that was written whole and
        // acknowledged: its sequence is not handed out again (a torn write costs one sequence).
        const rest = data.length - entries.end;
        let lastMsgOff = -1;
        for (let k = 0; k < entries.type.length; k++) if (entries.type[k] === REC_MSG) lastMsgOff = entries.off[k];
        if (entries.lastDamage > lastMsgOff) corruptTail = true;
        if (rest > 0) this.io.ftruncateSync(this.activeFd, entries.end);
      }
    });
    meta = meta ?? this.metaFromBlocks(metaRecords);
    if (meta === null) throw new StoreError("bad_store", `stream meta lost in ${this.dir}`);
    // Both copies again, so the next damage still leaves one.
    if (slot === null || !slot.bothGood) this.writeMeta(meta);
    this.currentMeta = meta;
    this.recovering = false;
    this.undo = undo;
    this.persistedFirst = this.firstSeq;
    this.persistedLast = this.lastSeq;
    this.pendingLast = this.lastSeq;
    if (this.activeFd < 0) this.openBlock((ids.length > 0 ? ids[ids.length - 1] : 0) + 1);
    this.commitBatch();
    this.recoverConsumers();
    for (const b of this.blocks.values()) if (b !== this.active && b.live === 0) this.emptied.add(b.id);
    this.removeEmptiedBlocks();
    if (corruptTail) this.skipTo(this.lastSeq + 1);
    this.applyLimits(meta);
    this.persist();
    if (this.compressesBlocks()) this.compressSealedBlocks();
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
          if (block.minSeq === 0) block.minSeq = seq;
          block.maxSeq = seq;
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
      const active = blk === this.active.id && this.activeFd >= 0;
      const at = active ? off : this.reader.read(blk, off, len);
      const buf = active ? this.buf : this.reader.buffer;
      if (at < 0 || !validRecordAt(buf, at, at + len)) continue;
      try {
        const meta = JSON.parse(recordPayload(buf, at).toString()) as StreamMeta;
        if (typeof meta?.config?.name === "string") return meta;
      } catch {
        continue;
      }
    }
    return null;
  }
}
