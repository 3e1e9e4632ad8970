// Stream: one JetStream stream of an account. Captures its subjects through
// the account's internal client, applies the publish rules (dedup, expected
// headers, rollups, limits through the store), answers PubAcks once per turn
// after store.flushPending(), and owns the message operations the API asks
// for (purge, delete, get). Every state change goes through apply() (API
// operations) or applyAppend()/applySkip() (messages), the seam where
// replication will propose instead of applying at once.
// It does not decode API requests (api/) and does not encode bytes (store/).

import { wireSubject } from "../protocol/subject.js";
import type { Subscription } from "../server/subscription.js";
import type { Account } from "../accounts/account.js";
import type { InternalClient } from "../server/internal-client.js";
import type { MessageStore, PurgeRequest } from "./store/index.js";
import { StoreError, nextNanos, nowNanos } from "./store/index.js";
import type { StreamConfig } from "./stream-config.js";
import { jsError, type ApiError } from "./api/errors.js";
import { readPublishHeaders, buildHeaders } from "./headers.js";
import { DedupWindow } from "./dedup.js";
import { SubjectTransform } from "./subject-transform.js";
import { formatNanos } from "./time.js";
import { DirectGet } from "./direct-get.js";
import type { JsAccount } from "./account-context.js";

/** What the consumers layer does for a stream (src/jetstream/consumer/stream-consumers.ts implements it). */
export interface StreamConsumerSet {
  onStored(seq: number, subject: string): void;
  onRemoved(seq: number, subject: string): void;
  /** After a purge; `filter`: only that subject was purged. */
  onPurged(filter?: string): void;
  /** Interest retention: should a just-stored message stay? */
  retainFor(seq: number, subject: string): boolean;
  count(): number;
  /** /jsz consumer_detail: each consumer's info (with its config when `withConfig`). */
  details?(withConfig: boolean): Record<string, unknown>[];
  recover(): void;
  stop(): void;
  deleteAll(): void;
}

/** Used when no consumers layer is plugged in. */
const NO_CONSUMERS: StreamConsumerSet = {
  onStored() {},
  onRemoved() {},
  onPurged() {},
  retainFor: () => false,
  count: () => 0,
  recover() {},
  stop() {},
  deleteAll() {},
};

/** The operations of the replication seam. */
export type StreamOp =
  | { op: "purge"; req: PurgeRequest }
  | { op: "delete"; seq: number; erase: boolean }
  | { op: "compact"; seq: number }
  | { op: "config"; config: StreamConfig };


/** Reply slots a stream keeps allocated between turns. */
const MAX_KEPT_REPLIES = 16384;
/** Digits of the largest sequence a stream can reach (2^53). */
const MAX_SEQ_DIGITS = 16;

/** Writes the decimal digits of the non-negative integer v at buf[at]; returns the offset after them. */
function putDecimal(buf: Buffer, at: number, v: number): number {
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  let p = at + digits;
  for (let t = v; p > at; t = Math.floor(t / 10)) buf[--p] = 0x30 + (t % 10);
  return at + digits;
}

export class Stream {
  cfg: StreamConfig;
  readonly created: string;
  readonly store: MessageStore;
  readonly name: string;
  consumers: StreamConsumerSet = NO_CONSUMERS;
  closed = false;
  private subs: Subscription[] = [];
  private pubAckPrefix = "";
  private pubAckPrefixBytes: Buffer = Buffer.alloc(0);
  private errorPrefix = "";
  /**
   * Publishes answered at the end of the turn, in order: replyTo[i] (i < replies) gets the
   * PubAck of seq ackSeq[i] after a good flush, or fixedBody[i] when set
   * (errors, duplicates). Parallel arrays: no object per publish.
   */
  private readonly replyTo: string[] = [];
  private readonly ackSeq: number[] = [];
  private readonly fixedBody: (string | null)[] = [];
  /** Entries of the three arrays in use: a count, as `length = 0` would free and regrow them every turn. */
  private replies = 0;
  private republishQueue: { subject: string; hdr: Buffer; data: Buffer }[] = [];
  private cycleScheduled = false;
  private readonly endOfCycle = () => this.finishCycle();
  private readonly dedup = new DedupWindow();
  private lastMsgId = "";
  private inputTransform: SubjectTransform | null = null;
  private republish: SubjectTransform | null = null;
  /** The stored bytes last counted in the account's usage (JsAccount.syncUsage). */
  usageReported = 0;

  constructor(
    readonly jsa: JsAccount,
    config: StreamConfig,
    store: MessageStore,
    created: string,
  ) {
    this.cfg = config;
    this.name = config.name;
    this.store = store;
    this.created = created;
    store.onRemoved = (seq, subject) => this.consumers.onRemoved(seq, subject);
    this.configure();
  }

  // ---- ConsumerStreamHost ----
  config(): StreamConfig {
    return this.cfg;
  }
  get client(): InternalClient {
    return this.jsa.client;
  }
  get account(): Account {
    return this.jsa.account;
  }
  get jsDomain(): string | undefined {
    return this.jsa.engine.domain || undefined;
  }
  deferToCycleEnd(task: () => void): void {
    this.jsa.engine.server.deferToCycleEnd(task);
  }
  removeMsg(seq: number): void {
    this.apply({ op: "delete", seq, erase: false });
  }

  /** (Re)derive everything that depends on the config: subscriptions, PubAck prefix, transforms. */
  private configure(): void {
    const c = this.cfg;
    const domain = this.jsa.engine.domain;
    const q = JSON.stringify(c.name);
    this.pubAckPrefix = domain ? `{"stream":${q}, "domain":${JSON.stringify(domain)}, "seq":` : `{"stream":${q}, "seq":`;
    this.pubAckPrefixBytes = Buffer.from(this.pubAckPrefix);
    this.errorPrefix = `,"stream":${q},"seq":0}`;
    this.inputTransform = c.subject_transform ? new SubjectTransform(c.subject_transform.src, c.subject_transform.dest) : null;
    this.republish = c.republish ? new SubjectTransform(c.republish.src ?? ">", c.republish.dest) : null;
    this.dedup.setWindow(c.duplicate_window ?? 0);
    for (const s of this.subs) this.jsa.client.removeSub(s);
    // Config subjects are text; the trie holds subjects as they are on the wire.
    this.subs = (c.subjects ?? []).map((subj) => this.jsa.client.subscribe(wireSubject(subj), (subject, reply, hdr, data) => this.onPublish(subject, reply, hdr, data)));
    this.direct.configure();
  }

  /**
   * The message arms of the replication seam: a stored message and a used-up
   * sequence (methods, not op objects, to keep the publish path free of
   * allocations). A replicated stream will propose these instead.
   */
  private applyAppend(subject: string, hdr: Buffer | null, data: Buffer, ts: number): number {
    return this.store.append(subject, hdr, data, ts);
  }

  /** Uses up `count` sequences (Go's SkipMsg / SkipMsgs); returns the last one. */
  private applySkip(count = 1): number {
    return count === 1 ? this.store.skipMsg() : this.store.skipMsgs(count);
  }

  /** The one function through which API-driven changes are applied. */
  apply(op: StreamOp): number {
    const n = this.applyOp(op);
    this.jsa.syncUsage(this);
    return n;
  }

  private applyOp(op: StreamOp): number {
    switch (op.op) {
      case "purge": {
        const n = this.store.purge(op.req);
        this.consumers.onPurged(op.req?.filter);
        return n;
      }
      case "compact": {
        const n = this.store.compact(op.seq);
        this.consumers.onPurged();
        return n;
      }
      case "delete": {
        const m = this.store.getMsg(op.seq);
        if (!this.store.deleteMsg(op.seq, op.erase)) return 0;
        if (m) this.consumers.onRemoved(op.seq, m.subject);
        return 1;
      }
      case "config": {
        this.cfg = op.config;
        this.store.updateMeta({ ...this.store.meta(), config: op.config as unknown as StreamConfig & Record<string, never> });
        this.configure();
        return 0;
      }
    }
  }

  // ---- publishing ----

  private answer(reply: string | undefined, body: string): void {
    if (reply && !this.cfg.no_ack) this.queueReply(reply, 0, body);
  }

  private fail(reply: string | undefined, err: ApiError): void {
    if (reply && !this.cfg.no_ack) this.queueReply(reply, 0, `{"error":${JSON.stringify(err)}${this.errorPrefix}`);
  }

  private queueReply(reply: string, seq: number, body: string | null): void {
    const i = this.replies++;
    this.replyTo[i] = reply;
    this.ackSeq[i] = seq;
    this.fixedBody[i] = body;
    this.scheduleCycle();
  }

  private scheduleCycle(): void {
    if (!this.cycleScheduled) {
      this.cycleScheduled = true;
      this.jsa.engine.server.deferToCycleEnd(this.endOfCycle);
    }
  }

  /** A message published on one of the stream's subjects. */
  private onPublish(subject: string, reply: string | undefined, hdr: Buffer | null, data: Buffer): void {
    if (this.closed) return;
    try {
      // Publishes of one read cycle arrived together: one clock reading for the whole batch.
      this.ingest(subject, reply, hdr, data, this.cycleScheduled ? nextNanos() : nowNanos());
    } catch (e) {
      // A fault here must not cost the publisher its connection: log it and answer an error.
      this.jsa.engine.server.logger.error(`JetStream failed to process a msg on stream '${this.jsa.account.name} > ${this.name}': ${(e as Error).stack ?? e}`);
      this.fail(reply, jsError("streamStoreFailed", { err: (e as Error).message }));
    }
  }

  /** Process one inbound message (publish, or a mirror/source copy); returns the seq or 0. */
  ingest(subject: string, reply: string | undefined, hdr: Buffer | null, data: Buffer, ts: number): number {
    const c = this.cfg;
    if (c.sealed) {
      this.fail(reply, jsError("streamSealed"));
      return 0;
    }
    if (this.inputTransform !== null) subject = this.inputTransform.apply(subject) ?? subject;
    let msgId = "";
    let rollup = "";
    if (hdr !== null) {
      const h = readPublishHeaders(hdr);
      if (h !== null) {
        if (h.expectedStream !== undefined && h.expectedStream !== "" && h.expectedStream !== c.name) {
          this.fail(reply, jsError("streamNotMatch"));
          return 0;
        }
        if (h.msgId) {
          msgId = h.msgId;
          const dupSeq = this.dedup.lookup(msgId, ts);
          if (dupSeq > 0) {
            this.answer(reply, `${this.pubAckPrefix}${dupSeq},"duplicate": true}`);
            return 0;
          }
        }
        if (h.expectedLastSubjectSeq !== undefined) {
          const last = this.store.lastSeqForSubject(subject);
          if (last !== h.expectedLastSubjectSeq) {
            this.fail(reply, jsError("streamWrongLastSequence", { seq: last }));
            return 0;
          }
        }
        if (h.expectedLastSeq !== undefined) {
          const last = this.store.state().last_seq;
          if (last !== h.expectedLastSeq) {
            this.fail(reply, jsError("streamWrongLastSequence", { seq: last }));
            return 0;
          }
        }
        if (h.expectedLastMsgId !== undefined && h.expectedLastMsgId !== "" && h.expectedLastMsgId !== this.lastMsgId) {
          this.fail(reply, jsError("streamWrongLastMsgID", { id: this.lastMsgId }));
          return 0;
        }
        if (h.rollup !== undefined && h.rollup !== "") {
          if (!c.allow_rollup_hdrs || c.deny_purge) {
            this.fail(reply, jsError("streamRollupFailed", { err: "rollup not permitted" }));
            return 0;
          }
          if (h.rollup !== "sub" && h.rollup !== "all") return 0;
          rollup = h.rollup;
        }
      }
      if (hdr.length > 0xffff) {
        this.fail(reply, jsError("streamHeaderExceedsMaximum"));
        return 0;
      }
    }
    const size = (hdr === null ? 0 : hdr.length) + data.length;
    const maxSize = c.max_msg_size ?? -1;
    if (maxSize >= 0 && size > maxSize) {
      this.fail(reply, jsError("streamMessageExceedsMaximum"));
      return 0;
    }
    const limitErr = this.jsa.wouldExceed(c.storage, subject, hdr === null ? 0 : hdr.length, data.length);
    if (limitErr !== null) {
      this.fail(reply, limitErr);
      return 0;
    }
    // Interest retention with nobody interested: Go uses up the sequence without storing.
    if (c.retention === "interest" && !this.consumers.retainFor(this.store.state().last_seq + 1, subject)) {
      const skipped = this.applySkip();
      if (msgId !== "") this.dedup.add(msgId, skipped, ts);
      this.lastMsgId = msgId;
      if (reply && !c.no_ack) this.queueReply(reply, skipped, null);
      else this.scheduleCycle();
      return skipped;
    }
    let seq: number;
    try {
      seq = this.applyAppend(subject, hdr, data, ts);
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      if (e.code === "write_failed") this.jsa.engine.server.logger.error(`JetStream failed to store a msg on stream '${this.jsa.account.name} > ${c.name}': ${e.message}`);
      this.fail(reply, jsError("streamStoreFailed", { err: e.message }));
      return 0;
    }
    this.jsa.syncUsage(this);
    if (msgId !== "") this.dedup.add(msgId, seq, ts);
    this.lastMsgId = msgId;
    if (rollup === "sub") this.apply({ op: "purge", req: { filter: subject, keep: 1 } });
    else if (rollup === "all") this.apply({ op: "purge", req: { keep: 1 } });
    if (this.republish !== null) this.queueRepublish(subject, hdr, data, seq, ts);
    this.consumers.onStored(seq, subject);
    if (reply && !c.no_ack) this.queueReply(reply, seq, null);
    else this.scheduleCycle();
    return seq;
  }

  private queueRepublish(subject: string, hdr: Buffer | null, data: Buffer, seq: number, ts: number): void {
    const dest = this.republish!.apply(subject);
    if (dest === undefined) return;
    const last = this.republishLast.get(subject) ?? 0;
    this.republishLast.set(subject, seq);
    const extra: [string, string][] = [
      ["Nats-Stream", this.name],
      ["Nats-Subject", subject],
      ["Nats-Sequence", String(seq)],
      ["Nats-Time-Stamp", formatNanos(ts)],
      ["Nats-Last-Sequence", String(last)],
    ];
    const headersOnly = this.cfg.republish?.headers_only === true;
    if (headersOnly) extra.push(["Nats-Msg-Size", String(data.length)]);
    this.republishQueue.push({ subject: dest, hdr: buildHeaders(hdr, extra), data: headersOnly ? Buffer.alloc(0) : Buffer.from(data) });
  }
  private readonly republishLast = new Map<string, number>();
  private readonly direct = new DirectGet(this);

  /** End of the turn: one flush, then the answers and republished copies of the batch in order. */
  private finishCycle(): void {
    this.cycleScheduled = false;
    let goodUpTo = Infinity;
    // A stopped stream flushed in stop(); its store is closed now.
    if (!this.closed) {
      try {
        this.store.flushPending();
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        this.jsa.engine.server.logger.error(`JetStream failed to write stream '${this.jsa.account.name} > ${this.name}': ${e.message}`);
        goodUpTo = this.store.state().last_seq;
        this.dedup.forgetAbove(goodUpTo);
        this.republishQueue = [];
      }
    }
    const client = this.jsa.client;
    const n = this.replies;
    if (n > 0) {
      // All answers of the turn in one buffer, each publish a view of its part. A PubAck is the
      // pre-encoded prefix, the sequence's digits and "}": no string per publish.
      const prefix = this.pubAckPrefixBytes;
      let failedBody: string | null = null;
      let total = 0;
      for (let i = 0; i < n; i++) {
        let fixed = this.fixedBody[i];
        if (fixed === null && this.ackSeq[i] > goodUpTo) {
          fixed = failedBody ??= `{"error":${JSON.stringify(jsError("streamStoreFailed", { err: "write failed" }))}${this.errorPrefix}`;
          this.fixedBody[i] = fixed;
        }
        total += fixed !== null ? Buffer.byteLength(fixed) : prefix.length + MAX_SEQ_DIGITS + 1;
      }
      const all = Buffer.allocUnsafe(total);
      let off = 0;
      for (let i = 0; i < n; i++) {
        const fixed = this.fixedBody[i];
        let end: number;
        if (fixed !== null) {
          end = off + all.write(fixed, off);
        } else {
          all.set(prefix, off);
          end = putDecimal(all, off + prefix.length, this.ackSeq[i]);
          all[end++] = 0x7d; // }
        }
        client.publish(this.replyTo[i], undefined, all.subarray(off, end));
        off = end;
      }
      this.replies = 0;
      // Kept for the next turn, unless one huge read made them big.
      if (n > MAX_KEPT_REPLIES) {
        this.replyTo.length = 0;
        this.ackSeq.length = 0;
        this.fixedBody.length = 0;
      }
    }
    if (this.republishQueue.length > 0) {
      for (const r of this.republishQueue) client.publish(r.subject, undefined, r.data, r.hdr);
      this.republishQueue = [];
    }
    if (this.closed) return;
    this.jsa.syncUsage(this);
    const mirrors = this.jsa.engine.mirrors;
    if (mirrors.active) mirrors.originAppended(this);
  }

  /** Recovery: the dedup entries (oldest first) and the last message's id. */
  restoreDedup(entries: readonly (readonly [string, number, number])[], lastMsgId: string): void {
    for (const [id, seq, ts] of entries) this.dedup.add(id, seq, ts);
    this.lastMsgId = lastMsgId;
  }

  /** A mirror keeps its origin's sequences: skip ahead so the next append gets `originSeq`. */
  alignForMirror(originSeq: number): void {
    const st = this.store.state();
    if (st.last_seq >= originSeq - 1) return;
    if (st.msgs === 0) {
      this.apply({ op: "compact", seq: originSeq });
      return;
    }
    this.applySkip(originSeq - 1 - st.last_seq);
  }

  // ---- reads ----

  /** Go's StreamState JSON. */
  state(opts: { subjectsFilter?: string; deleted?: boolean } = {}): Record<string, unknown> {
    const s = this.store.state({ deleted: opts.deleted === true });
    const out: Record<string, unknown> = {
      messages: s.msgs,
      bytes: s.bytes,
      // Go reports 0 for a stream that never held a message.
      first_seq: s.last_seq === 0 && s.msgs === 0 ? 0 : s.first_seq,
      first_ts: formatNanos(s.first_ts),
      last_seq: s.last_seq,
      last_ts: formatNanos(s.last_ts),
    };
    if (opts.subjectsFilter) {
      const subjects = this.store.subjectsState(opts.subjectsFilter);
      if (subjects.size > 0) out.subjects = Object.fromEntries(subjects);
    }
    if (s.num_subjects > 0) out.num_subjects = s.num_subjects;
    if (s.deleted && s.deleted.length > 0) out.deleted = s.deleted;
    if (s.num_deleted > 0) out.num_deleted = s.num_deleted;
    out.consumer_count = this.consumers.count();
    return out;
  }

  /** Go's StreamInfo JSON (without the response type). */
  info(opts: { subjectsFilter?: string; deleted?: boolean; links?: boolean } = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {
      config: this.cfg,
      created: this.created,
      state: this.state(opts),
    };
    if (opts.links !== false) {
      const sources = this.jsa.engine.mirrors.infoFor(this);
      if (sources.mirror) out.mirror = sources.mirror;
      if (sources.sources) out.sources = sources.sources;
    }
    out.ts = formatNanos(nowNanos());
    return out;
  }

  /** Stop capturing; with `remove` also delete the stored data. */
  stop(remove: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.subs) this.jsa.client.removeSub(s);
    this.subs = [];
    this.direct.stop();
    if (this.replies > 0 || this.cycleScheduled) {
      try {
        this.store.flushPending();
      } catch {
        // A store that cannot write at shutdown keeps what it wrote before.
      }
    }
    if (remove) {
      this.consumers.deleteAll();
      this.store.delete();
    } else {
      this.consumers.stop();
      this.store.stop();
    }
  }
}
