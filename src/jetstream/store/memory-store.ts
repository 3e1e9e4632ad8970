// MessageStore kept in process memory (storage: memory). Payloads are copied
// on append (the caller's buffers may be reused read buffers) into one arena
// buffer per index chunk (4096 sequences), so a stream of millions of messages
// is a few hundred buffers for the garbage collector, not millions. An arena
// is rebuilt with only its live payloads once most of it is dead. Reads return
// views of the arena, which callers must not mutate. Nothing here persists;
// consumers get MemoryConsumerStore.

import { CHUNK_SIZE, newIndexChunk, type IndexChunk } from "./sequence-index.js";
import { StoreCore } from "./store-core.js";
import { MemoryConsumerStore } from "./memory-consumer-store.js";
import { encodeSnapshot } from "./snapshot.js";
import type { ConsumerStore, MessageRef, MessageStore, Nanos, StoredMessage, StreamMeta } from "./types.js";

interface MemoryChunk extends IndexChunk {
  arena: Buffer;
  /** Bytes of the arena in use, and how many of them belong to removed messages. */
  used: number;
  dead: number;
  readonly poff: Uint32Array;
  readonly plen: Uint32Array;
  /** -1: no header. */
  readonly hdrLen: Int32Array;
}

const EMPTY = Buffer.alloc(0);
const ARENA_START = 4096;
const COMPACT_FROM = 64 * 1024;

/** Go's memStoreMsgSize: subject + header + payload + 16 (sequence and timestamp). */
export function memStoreMsgSize(subject: string, hdrLen: number, dataLen: number): number {
  return subject.length + hdrLen + dataLen + 16;
}

function put(src: Buffer, dst: Buffer, at: number): number {
  const n = src.length;
  if (n > 64) return at + src.copy(dst, at);
  for (let k = 0; k < n; k++) dst[at + k] = src[k];
  return at + n;
}

export class MemoryStore extends StoreCore<MemoryChunk> implements MessageStore {
  readonly kind = "memory" as const;
  private readonly consumers = new Map<string, MemoryConsumerStore>();

  constructor(meta: StreamMeta) {
    super(meta);
  }

  protected msgSize(subject: string, hdrLen: number, dataLen: number): number {
    return memStoreMsgSize(subject, hdrLen, dataLen);
  }

  protected newChunk(no: number): MemoryChunk {
    return {
      ...newIndexChunk(no),
      arena: EMPTY,
      used: 0,
      dead: 0,
      poff: new Uint32Array(CHUNK_SIZE),
      plen: new Uint32Array(CHUNK_SIZE),
      hdrLen: new Int32Array(CHUNK_SIZE),
    };
  }

  protected storePayload(c: MemoryChunk, i: number, _seq: number, _subject: string, hdr: Buffer | null, data: Buffer, _ts: Nanos): void {
    const n = (hdr === null ? 0 : hdr.length) + data.length;
    if (c.used + n > c.arena.length) this.relayout(c, n);
    let at = c.used;
    c.poff[i] = at;
    c.plen[i] = n;
    c.hdrLen[i] = hdr === null ? -1 : hdr.length;
    if (hdr !== null) at = put(hdr, c.arena, at);
    put(data, c.arena, at);
    c.used += n;
  }

  /** A new arena holding the live payloads with room for `extra` more bytes; views already handed out keep the old one. */
  private relayout(c: MemoryChunk, extra: number): void {
    const live = c.used - c.dead + extra;
    let size = ARENA_START;
    while (size < live * 1.5) size *= 2;
    const next = Buffer.allocUnsafe(size);
    let at = 0;
    for (let k = 0; k < CHUNK_SIZE; k++) {
      const len = c.plen[k];
      if (c.subj[k] === 0 || len === 0) continue;
      c.arena.copy(next, at, c.poff[k], c.poff[k] + len);
      c.poff[k] = at;
      at += len;
    }
    c.arena = next;
    c.used = at;
    c.dead = 0;
  }

  protected locatePayload(c: MemoryChunk, i: number, _seq: number, out: MessageRef): boolean {
    out.buf = c.arena;
    out.start = c.poff[i];
    out.hdrLen = c.hdrLen[i];
    out.size = c.plen[i];
    return true;
  }

  /** Views of the arena: appends go after them and a rebuilt arena is a new buffer. */
  protected materialize(r: MessageRef): StoredMessage {
    const start = r.start;
    const h = r.hdrLen;
    return {
      subject: r.subject,
      seq: r.seq,
      hdr: h < 0 ? null : r.buf.subarray(start, start + h),
      data: r.buf.subarray(h < 0 ? start : start + h, start + r.size),
      ts: r.ts,
    };
  }

  protected payloadRemoved(c: MemoryChunk, i: number): void {
    c.dead += c.plen[i];
    c.plen[i] = 0;
    if (c.live === 0) {
      c.arena = EMPTY;
      c.used = 0;
      c.dead = 0;
    } else if (c.dead > COMPACT_FROM && c.dead * 2 > c.used) {
      this.relayout(c, 0);
    }
  }

  flushPending(): void {
    this.commitBatch();
    for (const c of this.consumers.values()) c.flushPending();
  }

  updateMeta(meta: StreamMeta): void {
    this.checkOpen();
    this.applyLimits(meta);
    this.commitBatch();
  }

  consumerStore(name: string): ConsumerStore {
    let c = this.consumers.get(name);
    if (!c) {
      c = new MemoryConsumerStore(name, () => this.consumers.delete(name));
      this.consumers.set(name, c);
    }
    return c;
  }

  consumerNames(): string[] {
    return [...this.consumers.keys()];
  }

  snapshot(): Buffer {
    return encodeSnapshot(this.currentMeta, this.state(), this.messages(), this.consumers.values());
  }

  stop(): void {
    this.closed = true;
    this.clearExpiry();
  }

  delete(): void {
    this.stop();
    this.chunks.clear();
    this.consumers.clear();
  }
}
