// MessageStore kept in process memory (storage: memory). Payloads are copied
// on append (the caller's buffers may be reused read buffers) into one buffer
// per message; reads return views of that copy, which callers must not mutate.
// Nothing here persists; consumers get MemoryConsumerStore.

import { CHUNK_SIZE, type IndexChunk } from "./sequence-index.js";
import { StoreCore } from "./store-core.js";
import { MemoryConsumerStore } from "./memory-consumer-store.js";
import { encodeSnapshot } from "./snapshot.js";
import type { ConsumerStore, MessageStore, Nanos, StoredMessage, StreamMeta } from "./types.js";

interface MemoryChunk extends IndexChunk {
  readonly payload: (Buffer | undefined)[];
  readonly hdrLen: Int32Array;
}

/** Go's memStoreMsgSize: subject + header + payload + 16 (sequence and timestamp). */
export function memStoreMsgSize(subject: string, hdrLen: number, dataLen: number): number {
  return subject.length + hdrLen + dataLen + 16;
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
      no,
      live: 0,
      subj: new Int32Array(CHUNK_SIZE),
      ts: new Float64Array(CHUNK_SIZE),
      size: new Uint32Array(CHUNK_SIZE),
      payload: new Array<Buffer | undefined>(CHUNK_SIZE),
      hdrLen: new Int32Array(CHUNK_SIZE),
    };
  }

  protected storePayload(c: MemoryChunk, i: number, _seq: number, _subject: string, hdr: Buffer | null, data: Buffer, _ts: Nanos): void {
    const hdrLen = hdr === null ? 0 : hdr.length;
    const buf = Buffer.allocUnsafe(hdrLen + data.length);
    if (hdr !== null) hdr.copy(buf, 0);
    data.copy(buf, hdrLen);
    c.payload[i] = buf;
    c.hdrLen[i] = hdr === null ? -1 : hdrLen;
  }

  protected loadPayload(c: MemoryChunk, i: number, seq: number, subject: string): StoredMessage | null {
    const buf = c.payload[i] as Buffer;
    const h = c.hdrLen[i];
    return {
      subject,
      seq,
      hdr: h < 0 ? null : buf.subarray(0, h),
      data: buf.subarray(h < 0 ? 0 : h),
      ts: c.ts[i],
    };
  }

  protected payloadRemoved(c: MemoryChunk, i: number): void {
    c.payload[i] = undefined;
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
