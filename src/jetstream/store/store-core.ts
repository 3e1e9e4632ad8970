// The part of a message store that does not depend on where payloads live,
// on top of the sequence index: appends with limits and discard policies,
// deletes, purges and compaction, max_age expiry, and every query of
// MessageStore. Subclasses own payload storage and persistence through a few
// hooks; this file must not touch the file system.

import { CHUNK_SIZE, OP_APPEND, OP_REMOVE, SequenceIndex, type IndexChunk } from "./sequence-index.js";
import type { SubjectInfo } from "./subject-table.js";
import {
  nowNanos,
  STORE_ERROR_TEXT,
  StoreError,
  type FilteredState,
  type MessageRef,
  newMessageRef,
  type Nanos,
  type PurgeRequest,
  type RemovalReason,
  type StateOptions,
  type StoredMessage,
  type StoreState,
  type StreamMeta,
  type SubjectFilter,
} from "./types.js";

/** state({ deleted: true }) lists at most this many sequences, so a huge gap cannot exhaust memory. */
const MAX_DELETED_LIST = 1_000_000;
/** Expiry removes at most this many messages per timer run, so a mass expiry does not stall the event loop. */
const EXPIRE_BATCH = 20_000;
/** After a failed write, expiry tries again this much later. */
const EXPIRE_RETRY_MS = 1000;

export interface Limits {
  maxMsgs: number;
  maxBytes: number;
  maxAge: Nanos;
  maxPerSubject: number;
  maxMsgSize: number;
  discardNew: boolean;
  discardNewPerSubject: boolean;
}

export function limitsOf(meta: StreamMeta): Limits {
  const c = meta.config;
  const pos = (v: unknown) => (typeof v === "number" && v > 0 ? v : 0);
  return {
    maxMsgs: pos(c.max_msgs),
    maxBytes: pos(c.max_bytes),
    maxAge: pos(c.max_age),
    maxPerSubject: pos(c.max_msgs_per_subject),
    maxMsgSize: typeof c.max_msg_size === "number" && c.max_msg_size > 0 ? c.max_msg_size : -1,
    discardNew: c.discard === "new",
    discardNewPerSubject: c.discard === "new" && c.discard_new_per_subject === true,
  };
}

export abstract class StoreCore<C extends IndexChunk> extends SequenceIndex<C> {
  abstract readonly kind: "memory" | "file";
  onRemoved: ((seq: number, subject: string, reason: RemovalReason) => void) | null = null;

  get storedBytes(): number {
    return this.bytes;
  }

  protected limits: Limits;
  protected currentMeta: StreamMeta;
  protected closed = false;
  private ageTimer: NodeJS.Timeout | null = null;

  protected constructor(meta: StreamMeta) {
    super();
    this.currentMeta = meta;
    this.limits = limitsOf(meta);
  }

  /** Go's per-message size accounting for this store kind. */
  protected abstract msgSize(subject: string, hdrLen: number, dataLen: number): number;
  /** Keep the payload of a new message at chunk slot i. */
  protected abstract storePayload(c: C, i: number, seq: number, subject: string, hdr: Buffer | null, data: Buffer, ts: Nanos): void;
  /** Read a payload back; null when it is damaged (the message is then dropped as lost). */
  /** Where the payload of the message at chunk slot i is (fills out's buf, start, hdrLen, size); false when unreadable. */
  protected abstract locatePayload(c: C, i: number, seq: number, out: MessageRef): boolean;
  /** A StoredMessage of a located message that stays valid (a copy where the store reuses its buffers). */
  protected abstract materialize(r: MessageRef): StoredMessage;
  /** A message left the index (persist a tombstone, free memory, erase). */
  protected abstract payloadRemoved(c: C, i: number, seq: number, erase: boolean, persist: boolean): void;
  abstract flushPending(): void;
  /**
   * Writes the batch for an operation that answers only once it is durable (delete, purge, expiry).
   * Unlike flushPending() it leaves a write failure on record for the stream's next flushPending().
   */
  protected persist(): void {
    this.flushPending();
  }
  abstract updateMeta(meta: StreamMeta): void;

  protected checkOpen(): void {
    if (this.closed) throw new StoreError("closed", STORE_ERROR_TEXT.closed);
  }

  // ---- writes

  append(subject: string, hdr: Buffer | null, data: Buffer, ts?: Nanos): number {
    this.checkOpen();
    const l = this.limits;
    const hdrLen = hdr === null ? 0 : hdr.length;
    if (l.maxMsgSize >= 0 && hdrLen + data.length > l.maxMsgSize) throw new StoreError("msg_too_large", STORE_ERROR_TEXT.msg_too_large);
    const size = this.msgSize(subject, hdrLen, data.length);
    let info = this.subjects.get(subject);
    if (l.discardNew) this.checkDiscardNew(info, size);
    const seq = this.lastSeq + 1;
    this.insert(seq, info ?? (info = this.subjects.intern(subject)), hdr, data, ts ?? nowNanos(), size);
    this.enforceLimits(info);
    return seq;
  }

  private checkDiscardNew(info: SubjectInfo | undefined, size: number): void {
    const l = this.limits;
    const subjectFull = l.maxPerSubject > 0 && info !== undefined && info.count >= l.maxPerSubject;
    if (subjectFull && l.discardNewPerSubject) throw new StoreError("max_msgs_per_subject", STORE_ERROR_TEXT.max_msgs_per_subject);
    if (l.maxMsgs > 0 && this.msgs >= l.maxMsgs && !subjectFull) throw new StoreError("max_msgs", STORE_ERROR_TEXT.max_msgs);
    if (l.maxBytes > 0 && this.bytes + size >= l.maxBytes) {
      // Replacing the subject's oldest message must make room (Go 2.10: memory needs it no smaller, file larger).
      const replaced = subjectFull ? this.sizeAt(this.firstOf(info as SubjectInfo)) : 0;
      const tooSmall = this.kind === "memory" ? replaced < size : replaced <= size;
      if (!subjectFull || tooSmall) throw new StoreError("max_bytes", STORE_ERROR_TEXT.max_bytes);
    }
  }

  private sizeAt(seq: number): number {
    const c = this.chunkFor(seq);
    return c ? c.size[seq - c.no * CHUNK_SIZE] : 0;
  }

  /** Index a message at seq (>= lastSeq + 1; a larger seq leaves a gap of deleted sequences). */
  protected insert(seq: number, info: SubjectInfo, hdr: Buffer | null, data: Buffer, ts: Nanos, size: number): void {
    this.beginBatch();
    const c = this.indexSlot(seq, info, ts, size);
    this.storePayload(c, seq - c.no * CHUNK_SIZE, seq, info.subject, hdr, data, ts);
    this.logUndo(OP_APPEND, seq, info.id);
    if (this.limits.maxAge > 0 && this.ageTimer === null) this.scheduleExpiry();
  }

  private enforceLimits(info: SubjectInfo): void {
    const l = this.limits;
    if (l.maxPerSubject > 0) while (info.count > l.maxPerSubject) this.removeSeq(this.firstOf(info), "limit", false);
    if (l.maxMsgs > 0) while (this.msgs > l.maxMsgs) this.removeSeq(this.firstSeq, "limit", false);
    if (l.maxBytes > 0) while (this.bytes > l.maxBytes && this.msgs > 0) this.removeSeq(this.firstSeq, "limit", false);
  }

  /** Drop the message at seq from the index; reason null = asked for by the stream (no callback). */
  protected removeSeq(seq: number, reason: RemovalReason | null, erase: boolean): boolean {
    const c = this.chunkFor(seq);
    if (!c) return false;
    const i = seq - c.no * CHUNK_SIZE;
    const id1 = c.subj[i];
    if (id1 === 0) return false;
    this.beginBatch();
    const info = this.subjects.byIdOf(id1 - 1);
    c.subj[i] = 0;
    c.live--;
    if (c.live === 0) this.emptyChunks.push(c);
    this.msgs--;
    this.bytes -= c.size[i];
    this.subjects.removed(info, seq);
    this.logUndo(OP_REMOVE, seq, id1 - 1);
    this.payloadRemoved(c, i, seq, erase, reason !== "lost");
    if (seq === this.firstSeq) this.firstSeq = this.msgs === 0 ? this.lastSeq + 1 : this.scanForward(seq + 1, this.lastSeq, null);
    if (reason !== null && this.onRemoved !== null) this.onRemoved(seq, info.subject, reason);
    return true;
  }

  deleteMsg(seq: number, erase: boolean): boolean {
    this.checkOpen();
    this.persist();
    if (seq < this.firstSeq || seq > this.lastSeq) return false;
    if (!this.removeSeq(seq, null, erase)) return false;
    this.persist();
    return true;
  }

  purge(req: PurgeRequest = {}): number {
    this.checkOpen();
    this.persist();
    const filter = req.filter ?? "";
    const seq = req.seq ?? 0;
    const keep = req.keep ?? 0;
    if (seq === 1) return 0;
    if ((filter === "" || filter === ">") && keep === 0) return seq > 1 ? this.compact(seq) : this.removeBelow(this.lastSeq + 1);
    const f = this.subjects.compile(filter);
    let max = Infinity;
    if (keep > 0) {
      const total = this.numPending(1, filter, false);
      if (keep >= total) return 0;
      max = total - keep;
    }
    const end = seq > 1 ? Math.min(seq - 1, this.lastSeq) : this.lastSeq;
    const m = this.matcher(f);
    let removed = 0;
    for (let s = this.scanForward(this.firstSeq, end, m); s !== 0 && removed < max; s = this.scanForward(s + 1, end, m)) {
      if (this.removeSeq(s, null, false)) removed++;
    }
    this.persist();
    return removed;
  }

  compact(seq: number): number {
    this.checkOpen();
    this.persist();
    if (seq <= this.firstSeq) return 0;
    const removed = this.dropBelow(seq);
    this.persist();
    return removed;
  }

  private removeBelow(seq: number): number {
    const removed = this.dropBelow(seq);
    this.persist();
    return removed;
  }

  /** Removes every message below seq; past last_seq + 1 the stream jumps to first_seq = seq. */
  protected dropBelow(seq: number): number {
    let removed = 0;
    const end = Math.min(seq - 1, this.lastSeq);
    for (let s = this.scanForward(this.firstSeq, end, null); s !== 0; s = this.scanForward(s + 1, end, null)) {
      if (this.removeSeq(s, null, false)) removed++;
    }
    if (seq > this.lastSeq + 1) {
      this.beginBatch();
      this.lastSeq = seq - 1;
    }
    if (this.msgs === 0 && this.firstSeq !== this.lastSeq + 1) {
      this.beginBatch();
      this.firstSeq = this.lastSeq + 1;
    }
    return removed;
  }

  /** Go's SkipMsg: the next sequence is used up without a message. Buffered like append. */
  skipMsg(): number {
    this.checkOpen();
    const seq = this.lastSeq + 1;
    this.skipTo(seq);
    this.lastTs = nowNanos();
    return seq;
  }

  /** Go's SkipMsgs: uses up the next `count` sequences at once (mirror gaps); returns the last. */
  skipMsgs(count: number): number {
    this.checkOpen();
    if (count > 0) {
      this.skipTo(this.lastSeq + count);
      this.lastTs = nowNanos();
    }
    return this.lastSeq;
  }

  /** Raise last_seq without a message (skipMsg, snapshot restore of trailing deletes). */
  protected skipTo(lastSeq: number): void {
    if (lastSeq <= this.lastSeq) return;
    this.beginBatch();
    this.lastSeq = lastSeq;
    if (this.msgs === 0) this.firstSeq = lastSeq + 1;
  }

  /** Apply new limits now: remove what they exclude, restart expiry. */
  protected applyLimits(meta: StreamMeta): void {
    this.currentMeta = meta;
    this.limits = limitsOf(meta);
    const l = this.limits;
    if (l.maxPerSubject > 0) {
      for (const info of [...this.subjects.matching({ kind: "all" })]) {
        while (info.count > l.maxPerSubject) this.removeSeq(this.firstOf(info), "limit", false);
      }
    }
    if (l.maxMsgs > 0) while (this.msgs > l.maxMsgs) this.removeSeq(this.firstSeq, "limit", false);
    if (l.maxBytes > 0) while (this.bytes > l.maxBytes && this.msgs > 0) this.removeSeq(this.firstSeq, "limit", false);
    this.clearExpiry();
    if (l.maxAge > 0) this.expire();
  }

  // ---- max_age

  protected clearExpiry(): void {
    if (this.ageTimer !== null) clearTimeout(this.ageTimer);
    this.ageTimer = null;
  }

  private scheduleExpiry(delayMs = this.limits.maxAge / 1e6): void {
    this.ageTimer = setTimeout(() => {
      this.ageTimer = null;
      this.expire();
    }, Math.max(1, Math.ceil(delayMs)));
    this.ageTimer.unref();
  }

  /** Writes in flight belong to the stream's turn; expiry waits for them rather than flushing them. */
  protected hasUnflushedAppends(): boolean {
    return false;
  }

  protected expire(): void {
    if (this.closed || this.limits.maxAge <= 0) return;
    if (this.hasUnflushedAppends()) {
      this.scheduleExpiry(10);
      return;
    }
    const now = nowNanos();
    const cutoff = now - this.limits.maxAge;
    let removed = 0;
    while (this.msgs > 0 && removed < EXPIRE_BATCH) {
      const c = this.chunkFor(this.firstSeq) as C;
      if (c.ts[this.firstSeq - c.no * CHUNK_SIZE] > cutoff) break;
      this.removeSeq(this.firstSeq, "age", false);
      removed++;
    }
    if (removed > 0) {
      try {
        // Between turns: nothing of the stream's is pending, so a failure concerns these removals only.
        this.flushPending();
      } catch {
        this.scheduleExpiry(EXPIRE_RETRY_MS);
        return;
      }
    }
    if (this.msgs > 0) {
      const c = this.chunkFor(this.firstSeq) as C;
      const firstTs = c.ts[this.firstSeq - c.no * CHUNK_SIZE];
      this.scheduleExpiry(removed === EXPIRE_BATCH ? 0 : (firstTs + this.limits.maxAge - now) / 1e6);
    }
  }

  // ---- reads

  private readonly located: MessageRef = newMessageRef();

  /** Fills out with the message at seq in place; false when absent (or unreadable: then dropped as lost). */
  private locate(seq: number, out: MessageRef): boolean {
    const c = this.chunkFor(seq);
    if (!c) return false;
    const i = seq - c.no * CHUNK_SIZE;
    const id1 = c.subj[i];
    if (id1 === 0) return false;
    out.seq = seq;
    out.subject = this.subjects.byIdOf(id1 - 1).subject;
    out.ts = c.ts[i];
    if (this.locatePayload(c, i, seq, out)) return true;
    this.removeSeq(seq, "lost", false);
    return false;
  }

  private load(seq: number): StoredMessage | null {
    return this.locate(seq, this.located) ? this.materialize(this.located) : null;
  }

  getMsg(seq: number): StoredMessage | null {
    this.checkOpen();
    if (seq < this.firstSeq || seq > this.lastSeq) return null;
    return this.load(seq);
  }

  peekMsg(seq: number, out: MessageRef): boolean {
    this.checkOpen();
    return seq >= this.firstSeq && seq <= this.lastSeq && this.locate(seq, out);
  }

  getNextBySubject(startSeq: number, filter: SubjectFilter): StoredMessage | null {
    return this.peekNextBySubject(startSeq, filter, this.located) ? this.materialize(this.located) : null;
  }

  peekNextBySubject(startSeq: number, filter: SubjectFilter, out: MessageRef): boolean {
    this.checkOpen();
    const f = this.subjects.compile(filter);
    let from = Math.max(startSeq, this.firstSeq);
    let to = this.lastSeq;
    if (f.kind === "literal") {
      const info = this.subjects.get(f.subject);
      if (!info || info.count === 0) return false;
      from = Math.max(from, this.firstOf(info));
      to = this.lastOf(info);
    }
    const cf = this.matcher(f);
    for (let s = this.scanForward(from, to, cf); s !== 0; s = this.scanForward(s + 1, to, cf)) {
      if (this.locate(s, out)) return true;
    }
    return false;
  }

  getLastBySubject(filter: SubjectFilter): StoredMessage | null {
    this.checkOpen();
    const f = this.subjects.compile(filter);
    let from = this.lastSeq;
    let to = this.firstSeq;
    if (f.kind === "literal") {
      const info = this.subjects.get(f.subject);
      if (!info || info.count === 0) return null;
      from = this.lastOf(info);
      to = this.firstOf(info);
    }
    const cf = this.matcher(f);
    for (let s = this.scanBackward(from, to, cf); s !== 0; s = this.scanBackward(s - 1, to, cf)) {
      const msg = this.load(s);
      if (msg) return msg;
    }
    return null;
  }

  lastSeqForSubject(subject: string): number {
    const info = this.subjects.get(subject);
    return info && info.count > 0 ? this.lastOf(info) : 0;
  }

  lastSeqsPerSubject(filter: SubjectFilter): number[] {
    const out: number[] = [];
    for (const info of this.subjects.matching(this.subjects.compile(filter))) out.push(this.lastOf(info));
    return out.sort((a, b) => a - b);
  }

  numPending(startSeq: number, filter: SubjectFilter, lastPerSubject: boolean): number {
    const f = this.subjects.compile(filter);
    const from = Math.max(startSeq, this.firstSeq);
    if (from > this.lastSeq || this.msgs === 0) return 0;
    if (lastPerSubject) {
      let n = 0;
      for (const info of this.subjects.matching(f)) if (this.lastOf(info) >= from) n++;
      return n;
    }
    if (f.kind === "all") return from === this.firstSeq ? this.msgs : this.countRange(from, this.lastSeq, null);
    if (f.kind === "literal") {
      const info = this.subjects.get(f.subject);
      if (!info || info.count === 0) return 0;
      if (from <= this.firstOf(info)) return info.count;
      return this.countRange(from, this.lastOf(info), this.matcher(f));
    }
    if (from === this.firstSeq || this.subjects.live < (this.lastSeq - from) / 8) {
      let n = 0;
      let partial = false;
      for (const info of this.subjects.matching(f)) {
        if (this.firstOf(info) >= from) n += info.count;
        else if (this.lastOf(info) >= from) partial = true;
      }
      if (!partial) return n;
    }
    return this.countRange(from, this.lastSeq, this.matcher(f));
  }

  filteredState(startSeq: number, filter: SubjectFilter): FilteredState {
    const msgs = this.numPending(startSeq, filter, false);
    if (msgs === 0) return { msgs: 0, first: 0, last: 0 };
    const f = this.subjects.compile(filter);
    const from = Math.max(startSeq, this.firstSeq);
    const cf = this.matcher(f);
    return { msgs, first: this.scanForward(from, this.lastSeq, cf), last: this.scanBackward(this.lastSeq, from, cf) };
  }

  subjectsState(filter: SubjectFilter): Map<string, number> {
    const out = new Map<string, number>();
    for (const info of this.subjects.matching(this.subjects.compile(filter))) out.set(info.subject, info.count);
    return out;
  }

  state(opts: StateOptions = {}): StoreState {
    let firstTs = 0;
    if (this.msgs > 0) {
      const c = this.chunkFor(this.firstSeq) as C;
      firstTs = c.ts[this.firstSeq - c.no * CHUNK_SIZE];
    }
    const span = this.msgs === 0 ? 0 : this.lastSeq - this.firstSeq + 1;
    const st: StoreState = {
      msgs: this.msgs,
      bytes: this.bytes,
      first_seq: this.firstSeq,
      first_ts: firstTs,
      last_seq: this.lastSeq,
      last_ts: this.lastTs,
      num_subjects: this.subjects.live,
      num_deleted: span - this.msgs,
    };
    if (opts.deleted) st.deleted = this.deletedList();
    return st;
  }

  /** Deleted sequences between first and last, ascending, at most MAX_DELETED_LIST of them. */
  private deletedList(): number[] {
    const out: number[] = [];
    if (this.msgs === 0) return out;
    for (let seq = this.firstSeq; seq <= this.lastSeq && out.length < MAX_DELETED_LIST; ) {
      const no = Math.floor(seq / CHUNK_SIZE);
      const c = this.chunks.get(no);
      const end = Math.min(this.lastSeq, no * CHUNK_SIZE + CHUNK_SIZE - 1);
      for (; seq <= end && out.length < MAX_DELETED_LIST; seq++) if (!c || c.subj[seq - no * CHUNK_SIZE] === 0) out.push(seq);
    }
    return out;
  }

  meta(): StreamMeta {
    return this.currentMeta;
  }

  /** Every stored message in sequence order (snapshots). */
  *messages(): Iterable<StoredMessage> {
    for (let s = this.scanForward(this.firstSeq, this.lastSeq, null); s !== 0; s = this.scanForward(s + 1, this.lastSeq, null)) {
      const msg = this.load(s);
      if (msg) yield msg;
    }
  }

  /** Snapshot restore: a message at its original sequence, without limits. */
  restoreMessage(msg: StoredMessage): void {
    if (msg.seq <= this.lastSeq) return;
    if (this.msgs === 0) this.firstSeq = msg.seq;
    const hdrLen = msg.hdr === null ? 0 : msg.hdr.length;
    this.insert(msg.seq, this.subjects.intern(msg.subject), msg.hdr, msg.data, msg.ts, this.msgSize(msg.subject, hdrLen, msg.data.length));
  }

  /** Snapshot restore: the original first/last sequences once the messages are in. */
  restoreBounds(firstSeq: number, lastSeq: number): void {
    this.skipTo(lastSeq);
    if (this.msgs === 0 && firstSeq > this.firstSeq) this.compact(firstSeq);
    this.persist();
  }
}
