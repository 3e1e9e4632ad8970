// Consumer: one JetStream consumer's state machine — what it has delivered,
// what is pending acknowledgement, what to redeliver — and its delivery loop
// for push subscribers and pull requests. Every change of the persisted state
// goes through apply() (the replication seam); the store keeps the state
// object by reference and encodes it at the next flush. sseq / dseq are the
// leader's cursors (as Go's): delivery moves them, apply() records them. It must not decode
// API requests (api/consumer-api.ts) nor decide stream retention alone
// (StreamConsumers asks the stream to remove messages).

import { wireSubject } from "../../protocol/subject.js";
import { parseGoDurationNs } from "../../go-format/duration.js";
import type { Subscription } from "../../server/subscription.js";
import type { ConsumerState, ConsumerStore } from "../store/types.js";
import { formatNanos } from "../time.js";
import { ackMetric, maxDeliverAdvisory, nakAdvisory, terminatedAdvisory } from "./advisories.js";
import { ackPrefix, parseAckTail, type AckTarget } from "./ack-reply.js";
import { consumerConfigJSON, filtersOf, type ConsumerConfig } from "./config.js";
import { Delivery } from "./delivery.js";
import { SubjectFilters } from "./filter.js";
import type { ConsumerStreamHost } from "./host.js";

/** What a consumer asks of the set of consumers of its stream. */
export interface ConsumerOwner {
  readonly host: ConsumerStreamHost;
  /** The consumer no longer needs seq (acked, or delivered with ack none): retention may remove it. */
  released(c: Consumer, seq: number): void;
  /** The consumer's state changed: flush it this turn; then send the ack reply, if any. */
  markDirty(c: Consumer, ackReply?: string): void;
  /** Inactivity: remove this consumer (with its advisory). */
  expire(c: Consumer): void;
}

/**
 * The changes of persisted consumer state, applied by Consumer.apply(op, a, b, c, d)
 * (positional operands, so the per-message path allocates no op objects):
 * Delivered(dseq, sseq, dc, tsNs), Ack(sseq, dseq), PendingTs(sseq, tsNs),
 * Drop(sseq, deliveries) after max_deliver, Purged(firstSeq), Gone(sseq) for a pending message
 * below the stream's first sequence, CaughtUp() when nothing is pending (floors = delivered).
 */
export const enum ConsumerOp {
  Delivered,
  Ack,
  PendingTs,
  Drop,
  Purged,
  Gone,
  CaughtUp,
}

const ACK_WAIT_DELAY_MS = 1;
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Consumer {
  readonly name: string;
  readonly stream: string;
  /** "<stream>.<consumer>" as it is on the wire (names may be non-ASCII), for the subjects built from them. */
  readonly subjectNames: string;
  cfg: ConsumerConfig;
  readonly created: string;
  filters: SubjectFilters;
  closed = false;

  /** Next stream sequence to look at, next consumer (delivery) sequence, ack floors. */
  sseq = 1;
  dseq = 1;
  adflr = 0;
  asflr = 0;
  /** Persisted shape; pending and redelivered are the live maps. */
  readonly state: ConsumerState;
  /** Messages matching the filters at or after sseq (Go's npc). */
  npc = 0;
  /** Last delivery / last ack, ns (info last_active). */
  ldt = 0;
  lat = 0;
  readonly delivery: Delivery;
  /** "$JS.ACK.<stream>.<consumer>." in wire form: the ack subscription and every delivery's reply. */
  readonly ackSubjectPrefix: string;
  private ackSub: Subscription | null = null;
  private ackTimer: NodeJS.Timeout | null = null;
  private ackTimerEnd = 0;
  private sampleFreq = 0;
  private readonly parsed: AckTarget = { deliveryCount: 0, streamSeq: 0, consumerSeq: 0 };

  constructor(
    readonly owner: ConsumerOwner,
    name: string,
    cfg: ConsumerConfig,
    created: string,
    readonly cstore: ConsumerStore,
    recovered: ConsumerState | null,
  ) {
    this.name = name;
    this.stream = owner.host.name;
    this.cfg = cfg;
    this.created = created;
    this.filters = new SubjectFilters(filtersOf(cfg));
    this.subjectNames = `${wireSubject(this.stream)}.${wireSubject(name)}`;
    this.ackSubjectPrefix = ackPrefix(wireSubject(this.stream), wireSubject(name));
    this.setSampleFreq();
    if (recovered !== null) {
      this.state = recovered;
      this.sseq = recovered.delivered.stream_seq + 1;
      this.dseq = recovered.delivered.consumer_seq + 1;
      this.adflr = recovered.ack_floor.consumer_seq;
      this.asflr = recovered.ack_floor.stream_seq;
      for (const seq of [...recovered.redelivered.keys()]) if (seq <= this.asflr) recovered.redelivered.delete(seq);
    } else {
      this.state = { delivered: { consumer_seq: 0, stream_seq: 0 }, ack_floor: { consumer_seq: 0, stream_seq: 0 }, pending: new Map(), redelivered: new Map() };
    }
    this.delivery = new Delivery(this);
    if (recovered === null) this.delivery.selectStartingSeq();
    this.recountPending();
    this.syncState();
  }

  get host(): ConsumerStreamHost {
    return this.owner.host;
  }

  get pending(): Map<number, { sequence: number; ts: number }> {
    return this.state.pending;
  }

  get rdc(): Map<number, number> {
    return this.state.redelivered;
  }

  get isPull(): boolean {
    return !this.cfg.deliver_subject;
  }

  get acksExplicitOrAll(): boolean {
    return this.cfg.ack_policy !== "none";
  }

  get ackWaitNs(): number {
    return this.cfg.ack_wait ?? 30e9;
  }

  /** Subscribes the ack subject and starts delivering. */
  start(): void {
    const prefixLen = this.ackSubjectPrefix.length;
    this.ackSub = this.host.client.subscribeRaw(`${this.ackSubjectPrefix}>`, (subject, reply, buf, start, hdrLen, size) =>
      this.onAck(subject, prefixLen, reply, buf, start + (hdrLen > 0 ? hdrLen : 0), start + size),
    );
    // Every ack subject is new: matched by this prefix rather than cached one by one.
    this.host.account.sublist.addPrefixRoute(this.ackSubjectPrefix);
    this.delivery.start();
    if (this.pending.size > 0) this.armAckTimer(this.ackWaitNs / 1e6 + ACK_WAIT_DELAY_MS);
  }

  /** Stops timers and subscriptions; the persisted state stays. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ackSub) {
      this.host.client.removeSub(this.ackSub);
      this.host.account.sublist.removePrefixRoute(this.ackSubjectPrefix);
    }
    this.ackSub = null;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    this.delivery.stop();
  }

  private setSampleFreq(): void {
    const s = this.cfg.sample_freq ?? "";
    this.sampleFreq = s === "" ? 0 : Number(s.endsWith("%") ? s.slice(0, -1) : s);
  }

  /** Applies an allowed config update (checked by the caller). */
  updateConfig(cfg: ConsumerConfig): void {
    const old = this.cfg;
    this.cfg = cfg;
    this.setSampleFreq();
    if (JSON.stringify(filtersOf(old)) !== JSON.stringify(filtersOf(cfg))) {
      this.filters = new SubjectFilters(filtersOf(cfg));
    }
    this.delivery.configChanged(old);
    this.recountPending();
    this.delivery.kick();
  }

  /** The single mutation point of persisted consumer state (see ConsumerOp for the operands). */
  apply(op: ConsumerOp, a: number, b = 0, c = 0, d = 0): void {
    const pending = this.state.pending;
    switch (op) {
      case ConsumerOp.Delivered: {
        if (this.cfg.ack_policy === "none") {
          this.adflr = a;
          this.asflr = b;
        } else {
          const p = pending.get(b);
          if (p !== undefined) p.ts = d;
          else pending.set(b, { sequence: a, ts: d });
          if (c > 1) this.state.redelivered.set(b, c - 1);
        }
        this.ldt = d;
        break;
      }
      case ConsumerOp.Ack:
        this.applyAck(a, b);
        this.lat = Date.now() * 1e6;
        break;
      case ConsumerOp.PendingTs: {
        const p = pending.get(a);
        if (p !== undefined) p.ts = b;
        break;
      }
      case ConsumerOp.Drop:
        pending.delete(a);
        this.state.redelivered.set(a, b);
        break;
      case ConsumerOp.Purged:
        this.applyPurge(a);
        break;
      case ConsumerOp.Gone: {
        const p = pending.get(a);
        pending.delete(a);
        this.state.redelivered.delete(a);
        this.delivery.unqueueRedelivery(a);
        if (a > this.asflr) this.asflr = a;
        if (p !== undefined && p.sequence > this.adflr) this.adflr = p.sequence;
        break;
      }
      case ConsumerOp.CaughtUp:
        this.adflr = this.dseq - 1;
        this.asflr = this.sseq - 1;
        break;
    }
    this.syncState();
    this.owner.markDirty(this);
  }

  private applyAck(sseq: number, dseq: number): void {
    const pending = this.state.pending;
    const rdc = this.state.redelivered;
    if (this.cfg.ack_policy === "explicit") {
      const p = pending.get(sseq);
      if (p !== undefined) {
        pending.delete(sseq);
        const odseq = p.sequence;
        if (pending.size === 0) {
          this.adflr = this.dseq - 1;
          this.asflr = this.sseq - 1;
        } else if (odseq === this.adflr + 1) {
          this.adflr = odseq;
          this.asflr = sseq;
          for (let ss = sseq + 1; ss < this.sseq; ss++) {
            const q = pending.get(ss);
            if (q !== undefined) {
              if (q.sequence > 0) {
                this.adflr = q.sequence - 1;
                this.asflr = ss - 1;
              }
              break;
            }
          }
        }
      }
      if (rdc.size !== 0) rdc.delete(sseq);
      this.delivery.unqueueRedelivery(sseq);
      return;
    }
    // ack all: everything up to sseq.
    this.adflr = dseq;
    this.asflr = sseq;
    for (const seq of [...pending.keys()]) {
      if (seq <= sseq) {
        pending.delete(seq);
        rdc.delete(seq);
        this.delivery.unqueueRedelivery(seq);
      }
    }
  }

  private applyPurge(firstSeq: number): void {
    if (this.sseq < firstSeq) this.sseq = firstSeq;
    const pending = this.state.pending;
    const store = this.host.store;
    for (const [seq, p] of [...pending]) {
      if (seq < firstSeq || store.getMsg(seq) === null) {
        if (p.sequence > this.adflr) this.adflr = p.sequence;
        pending.delete(seq);
        this.state.redelivered.delete(seq);
        this.delivery.unqueueRedelivery(seq);
      }
    }
    if (this.asflr < firstSeq - 1) this.asflr = firstSeq - 1;
    if (pending.size === 0) {
      this.state.redelivered.clear();
      this.adflr = this.dseq - 1;
      this.asflr = this.sseq - 1;
    }
  }

  syncState(): void {
    const s = this.state;
    s.delivered.consumer_seq = this.dseq - 1;
    s.delivered.stream_seq = this.sseq - 1;
    s.ack_floor.consumer_seq = this.adflr;
    s.ack_floor.stream_seq = this.asflr;
    this.cstore.update(s);
  }

  /** Recomputes num pending from the store (Go's streamNumPending). */
  recountPending(): void {
    const lps = this.cfg.deliver_policy === "last_per_subject";
    this.npc = this.host.store.numPending(this.delivery.skipListResume() ?? this.sseq, this.filters.store, lps) + this.delivery.skipListLength();
  }

  numPending(): number {
    return this.npc > 0 ? this.npc : 0;
  }

  /** Go's checkNumPending: recount when the running count cannot be right. */
  checkedNumPending(): number {
    const st = this.host.store.state();
    if ((this.sseq > st.last_seq && this.npc > 0) || this.npc > st.msgs || this.npc < 0) this.recountPending();
    return this.numPending();
  }

  // ---- stream events ----

  onStored(seq: number, subject: string): void {
    if (seq >= this.sseq && this.filters.matches(subject)) this.npc++;
    this.delivery.kick();
  }

  /** A message left the stream (limits, delete, retention). */
  onRemoved(seq: number, subject: string): void {
    if (seq >= this.sseq && this.filters.matches(subject)) this.npc--;
    const p = this.state.pending.get(seq);
    if (p !== undefined) this.terminate(seq, p.sequence, (this.rdc.get(seq) ?? 0) + 1, "Unacknowledged message was deleted", undefined);
  }

  onPurged(): void {
    const first = this.host.store.state().first_seq;
    this.apply(ConsumerOp.Purged, first);
    this.recountPending();
    this.delivery.kick();
  }

  // ---- acks ----

  /** An ack, its body buf[from, to) (headers are ignored, as Go does). */
  private onAck(subject: string, prefixLen: number, reply: string | undefined, buf: Buffer, from: number, to: number): void {
    if (this.closed) return;
    const t = this.parsed;
    if (!parseAckTail(subject, prefixLen, t)) return;
    const sseq = t.streamSeq;
    const dseq = t.consumerSeq;
    const dc = t.deliveryCount;
    // The common acks are read in place; the rest get a view of the body.
    if (from === to || isWordAt(buf, from, to, "+ACK") || isWordAt(buf, from, to, "+OK")) {
      this.ackMsg(sseq, dseq, dc, true, reply);
      return;
    }
    const data = buf.subarray(from, to);
    if (startsWith(data, "+NXT")) {
      this.ackMsg(sseq, dseq, dc, true, undefined);
      if (reply) this.delivery.onPullRequest(reply, data.subarray(4));
      return;
    }
    if (startsWith(data, "-NAK")) this.nak(sseq, dseq, dc, data);
    else if (isWord(data, "+WPI")) this.progress(sseq);
    else if (startsWith(data, "+TERM")) {
      this.terminate(sseq, dseq, dc, data.subarray(5).toString("utf8").trim(), reply);
      return;
    }
    if (reply) this.owner.markDirty(this, reply);
  }

  /** +ACK (and ack-all); the ack reply, when asked for, follows the state flush. */
  ackMsg(sseq: number, dseq: number, dc: number, sample: boolean, reply: string | undefined): void {
    // Go answers an ack that changes nothing only on interest and workqueue streams ("acked in place").
    const retention = this.host.config().retention ?? "limits";
    if (sseq >= this.sseq) return;
    if (this.cfg.ack_policy === "none") {
      if (reply && retention !== "limits") this.owner.markDirty(this, reply);
      return;
    }
    const policyAll = this.cfg.ack_policy === "all";
    if (policyAll) {
      if (dseq <= this.adflr || sseq <= this.asflr) {
        if (reply && retention !== "limits") this.owner.markDirty(this, reply);
        return;
      }
    } else if (!this.pending.has(sseq)) {
      // Not pending (already acked, or dropped after max_deliver): only a stale redelivery count goes.
      if (this.rdc.has(sseq)) this.apply(ConsumerOp.Ack, sseq, dseq);
      else this.delivery.unqueueRedelivery(sseq);
      if (reply) this.owner.markDirty(this, reply);
      return;
    }
    const atLimit = (this.cfg.max_ack_pending ?? 0) > 0 && this.pending.size >= (this.cfg.max_ack_pending ?? 0);
    if (sample && this.sampleFreq > 0 && (this.sampleFreq >= 100 || Math.floor(Math.random() * 100) <= this.sampleFreq)) {
      const p = this.pending.get(sseq);
      this.advise(ackMetric(this.stream, this.name, dseq, sseq, p ? Date.now() * 1e6 - p.ts : 0, dc, this.host.jsDomain));
    }
    const floor = this.asflr;
    this.apply(ConsumerOp.Ack, sseq, dseq);
    if (reply) this.owner.markDirty(this, reply);
    if (retention !== "limits") {
      if (policyAll) for (let s = floor + 1; s <= sseq; s++) this.owner.released(this, s);
      else this.owner.released(this, sseq);
    }
    if (atLimit) this.delivery.kick();
  }

  private nak(sseq: number, dseq: number, dc: number, body: Buffer): void {
    if (dseq <= this.adflr || dseq > this.dseq) return;
    if (!this.pending.has(sseq)) return;
    this.advise(nakAdvisory(this.stream, this.name, dseq, sseq, dc, this.host.jsDomain));
    const arg = body.subarray(4).toString("utf8").trim();
    if (arg !== "") {
      const delayNs = parseNakDelay(arg);
      if (delayNs !== null) {
        this.delivery.unqueueRedelivery(sseq);
        this.apply(ConsumerOp.PendingTs, sseq, Date.now() * 1e6 - this.ackWaitNs + delayNs);
        this.armAckTimer(10, true);
        return;
      }
    }
    this.delivery.queueRedelivery(sseq);
    this.delivery.kick();
  }

  private progress(sseq: number): void {
    if (this.pending.has(sseq)) this.apply(ConsumerOp.PendingTs, sseq, Date.now() * 1e6);
  }

  /** +TERM, or a pending message removed from the stream: acked without redelivery, with the advisory. */
  terminate(sseq: number, dseq: number, dc: number, reason: string, reply: string | undefined): void {
    this.ackMsg(sseq, dseq, dc, false, reply);
    this.advise(terminatedAdvisory(this.stream, this.name, dseq, sseq, dc, reason, this.host.jsDomain));
  }

  /** Advisories and metrics go out only when someone listens (Go's sendAdvisory). */
  private advise([subject, body]: [string, string]): void {
    if (this.host.account.sublist.hasInterest(subject)) this.host.client.publish(subject, undefined, body);
  }

  // ---- redelivery (ack_wait, backoff, max_deliver) ----

  /** Arms the pending check no later than delayMs from now (Go's trackPending / resetPtmr). */
  armAckTimer(delayMs: number, force = false, now = Date.now()): void {
    const end = now + delayMs;
    if (this.ackTimer !== null && !force && this.ackTimerEnd <= end) return;
    if (this.ackTimer !== null) clearTimeout(this.ackTimer);
    this.ackTimerEnd = end;
    this.ackTimer = setTimeout(() => this.checkPending(), Math.min(Math.max(delayMs, 0), MAX_TIMER_MS));
    this.ackTimer.unref?.();
  }

  /** First ack deadline of a fresh delivery of seq. */
  ackDelayFor(seq: number): number {
    const bo = this.cfg.backoff;
    if (bo && bo.length > 0) {
      let i = this.rdc.get(seq) ?? 0;
      if (i >= bo.length) i = bo.length - 1;
      return bo[i] / 1e6 + ACK_WAIT_DELAY_MS;
    }
    return this.ackWaitNs / 1e6 + ACK_WAIT_DELAY_MS;
  }

  /** Max deliveries reached for seq: advisory once, drop from pending. Returns true when reached. */
  hasMaxDeliveries(seq: number): boolean {
    const max = this.cfg.max_deliver ?? -1;
    if (max <= 0) return false;
    const delivered = (this.rdc.get(seq) ?? 0) + 1;
    if (delivered < max) return false;
    this.maxDeliveriesReached(seq, delivered);
    return true;
  }

  maxDeliveriesReached(seq: number, deliveries: number): void {
    this.advise(maxDeliverAdvisory(this.stream, this.name, seq, deliveries, this.host.jsDomain));
    const atLimit = (this.cfg.max_ack_pending ?? 0) > 0 && this.pending.size >= (this.cfg.max_ack_pending ?? 0);
    if (this.pending.has(seq)) this.apply(ConsumerOp.Drop, seq, deliveries);
    if (atLimit) this.delivery.kick();
  }

  private checkPending(): void {
    this.ackTimer = null;
    if (this.closed) return;
    const now = Date.now() * 1e6;
    const ttl = this.ackWaitNs;
    const bo = this.cfg.backoff ?? [];
    let next = bo.length > 0 ? bo[bo.length - 1] : ttl + ACK_WAIT_DELAY_MS * 1e6;
    const firstSeq = this.host.store.state().first_seq;
    const expired: number[] = [];
    const gone: number[] = [];
    for (const [seq, p] of this.pending) {
      if (seq < firstSeq || seq <= this.asflr) {
        gone.push(seq);
        continue;
      }
      const elapsed = now - p.ts;
      let deadline = ttl;
      if (bo.length > 0) {
        let dc = this.rdc.get(seq) ?? 0;
        let nbi = dc + 1;
        if (dc + 1 >= bo.length) {
          dc = bo.length - 1;
          nbi = dc;
        }
        deadline = bo[dc];
        if (bo[nbi] < next) next = bo[nbi];
      }
      if (elapsed >= deadline) {
        if (!this.delivery.isQueuedForRedelivery(seq) && !this.hasMaxDeliveries(seq)) expired.push(seq);
      } else if (deadline - elapsed < next) {
        next = deadline - elapsed;
      }
    }
    for (const seq of gone) this.apply(ConsumerOp.Gone, seq);
    if (expired.length > 0) {
      expired.sort((a, b) => a - b);
      for (const seq of expired) this.delivery.queueRedelivery(seq);
      this.delivery.kick();
    }
    if (this.pending.size > 0) {
      this.armAckTimer(next / 1e6, true);
    } else {
      this.delivery.clearRedeliveries();
      this.apply(ConsumerOp.CaughtUp, 0);
    }
  }

  // ---- retention queries ----

  /** Go's needAck: does this consumer still need seq (interest retention)? */
  needsAck(seq: number, subject: string | null): boolean {
    if (!this.filters.all) {
      if (subject === null) {
        const m = this.host.store.getMsg(seq);
        if (m === null) return false;
        subject = m.subject;
      }
      if (!this.filters.matches(subject)) return false;
    }
    if (seq <= this.asflr) return false;
    if (this.cfg.ack_policy !== "explicit") return true;
    return seq >= this.sseq || this.pending.has(seq);
  }

  // ---- info ----

  info(nowNs: number): Record<string, unknown> {
    const delivered: Record<string, unknown> = { consumer_seq: this.dseq - 1, stream_seq: this.sseq - 1 };
    if (this.ldt > 0) delivered.last_active = formatNanos(this.ldt);
    const ackFloor: Record<string, unknown> = { consumer_seq: this.adflr, stream_seq: this.asflr };
    if (this.lat > 0) ackFloor.last_active = formatNanos(this.lat);
    const numWaiting = this.delivery.numWaiting();
    const o: Record<string, unknown> = {
      stream_name: this.stream,
      name: this.name,
      created: this.created,
      config: consumerConfigJSON(this.cfg),
      delivered,
      ack_floor: ackFloor,
      num_ack_pending: this.pending.size,
      num_redelivered: this.rdc.size,
      num_waiting: numWaiting,
      num_pending: this.checkedNumPending(),
    };
    if (!this.isPull && this.delivery.active) o.push_bound = true;
    o.ts = formatNanos(nowNs);
    return o;
  }
}

function startsWith(b: Buffer, word: string): boolean {
  if (b.length < word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[i] !== word.charCodeAt(i)) return false;
  return true;
}

function isWord(b: Buffer, word: string): boolean {
  return isWordAt(b, 0, b.length, word);
}

/** b[from, to) is exactly `word`. */
function isWordAt(b: Buffer, from: number, to: number, word: string): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[from + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** "-NAK 5s" or "-NAK {"delay": ns}": the delay in ns, or null (a plain NAK, as Go treats a bad value). */
function parseNakDelay(arg: string): number | null {
  try {
    if (arg[0] === "{") {
      const j = JSON.parse(arg) as { delay?: unknown };
      return typeof j.delay === "number" ? j.delay : 0;
    }
    return Number(parseGoDurationNs(arg));
  } catch {
    return null;
  }
}
