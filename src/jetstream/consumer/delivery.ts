// Delivery: the sending half of a consumer. Picks the next message
// (redeliveries first, then the skip list of last_per_subject, then the
// store), the target (push subject while it has interest and flow control
// allows; the oldest pull request otherwise), and publishes through the
// stream's internal client. Owns serving pull requests (their decoding and
// queue: pull-requests.ts), idle heartbeats, flow control (its window:
// flow-control.ts), replay pacing, rate_limit_bps (rate-limit.ts) and the
// inactivity timer. State changes go to Consumer.apply.
// A push consumer hears of subscribers coming and going on its deliver subject
// from interest-watch.ts (on SUB/UNSUB), and re-checks interest when it sends.

import type { Subscription } from "../../server/subscription.js";
import { newMessageRef, type MessageRef } from "../store/types.js";
import { AckReplyBuilder, type ReplyBytes } from "./ack-reply.js";
import type { ConsumerConfig } from "./config.js";
import { ConsumerOp, type Consumer } from "./consumer.js";
import { routeDelivery } from "./route.js";
import { hasDeliveryInterest, watchDeliveryInterest } from "./interest-watch.js";
import { selectStartingSeq } from "./start-position.js";
import { admitPullRequest, WaitQueue, type PullRequest } from "./pull-requests.js";
import { FlowControlWindow } from "./flow-control.js";
import { ByteRateLimit } from "./rate-limit.js";
import {
  headersOnly,
  STATUS_CONSUMER_DELETED,
  STATUS_FLOW_CONTROL,
  STATUS_MAX_WAITING,
  STATUS_NO_MESSAGES,
  STATUS_PUSH_BASED,
  STATUS_REQUESTS_PENDING,
  statusBatchCompleted,
  statusIdleHeartbeat,
  statusMaxBytes,
  statusRequestTimeout,
} from "./status.js";

const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * Messages sent per loop run before yielding the event loop. Small: the yield lets the
 * server flush what was produced (after this run's cycle, before the next run), so a pull
 * client receives its first messages and sends its next request while the rest of the
 * batch is produced, as the Go server's concurrent write loop allows; a large run leaves
 * the server idle while the client catches up.
 */
const RUN_BUDGET = 256;

export class Delivery {
  /** Push: the deliver subject has interest. */
  active = true;
  private waiting: WaitQueue | null = null;
  private nextSub: Subscription | null = null;
  private fcSub: Subscription | null = null;
  private scheduled = false;
  private readonly runBound = (): void => this.run();
  private readonly replies: AckReplyBuilder;
  private rdq: number[] = [];
  private readonly rdqSet = new Set<number>();
  /** last_per_subject start: sequences to send first, then resume at `resume`. */
  private lss: { seqs: number[]; resume: number } | null = null;
  private waitTimer: NodeJS.Timeout | null = null;
  private waitTimerEnd = 0;
  private hbTimer: NodeJS.Timeout | null = null;
  private lastSend = 0;
  private unwatchInterest: (() => void) | null = null;
  /** Push: when the deliver subject lost its last subscriber (ms). */
  private inactiveSince = 0;
  private inactiveTimer: NodeJS.Timeout | null = null;
  private paceTimer: NodeJS.Timeout | null = null;
  private lastReplayTs = 0;
  private replaying: boolean;
  private replayDue = 0;
  /** Delivery count of the message nextMessage() returned. */
  private nextCount = 1;
  /** The message nextMessage() found, in place in the store: used before any other store call. */
  private readonly found: MessageRef = newMessageRef();
  private readonly rateLimit = new ByteRateLimit();
  private replayLastSeq = 0;
  /** Push with flow_control: the window of bytes in flight. */
  private fc: FlowControlWindow | null = null;

  constructor(private readonly c: Consumer) {
    this.replaying = c.cfg.replay_policy === "original";
    this.replies = new AckReplyBuilder(c.ackSubjectPrefix);
  }

  private get cfg(): ConsumerConfig {
    return this.c.cfg;
  }

  start(): void {
    const c = this.c;
    const client = c.host.client;
    if (c.isPull) {
      this.waiting = new WaitQueue(this.cfg.max_waiting ?? 512);
      this.waiting.last = Date.now();
      this.nextSub = client.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${c.subjectNames}`, (_s, reply, _h, data) => {
        if (reply) this.onPullRequest(reply, data);
      });
    } else {
      if (this.cfg.flow_control) {
        this.fc = new FlowControlWindow(c.subjectNames);
        this.fcSub = client.subscribe(`$JS.FC.${c.subjectNames}.*`, (subject) => this.onFlowControlReply(subject));
      }
      this.watchDeliverSubject();
      this.active = this.hasInterest(this.cfg.deliver_subject!);
      if (!this.active) this.becameInactive();
      this.armHeartbeat();
    }
    if (this.replaying) this.replayLastSeq = c.host.store.state().last_seq;
    this.armInactivity();
    this.kick();
  }

  stop(): void {
    const client = this.c.host.client;
    if (this.nextSub) client.removeSub(this.nextSub);
    if (this.fcSub) client.removeSub(this.fcSub);
    this.nextSub = this.fcSub = null;
    this.unwatchInterest?.();
    this.unwatchInterest = null;
    for (const t of [this.waitTimer, this.hbTimer, this.inactiveTimer, this.paceTimer]) if (t) clearTimeout(t);
    this.waitTimer = this.hbTimer = this.inactiveTimer = this.paceTimer = null;
  }

  /** Consumer deleted: waiting pull requests learn it. */
  releaseWaiting(): void {
    if (this.waiting === null) return;
    for (const wr of this.waiting.clear()) this.send(wr.reply, STATUS_CONSUMER_DELETED);
  }

  configChanged(old: ConsumerConfig): void {
    if (old.deliver_subject !== this.cfg.deliver_subject && this.cfg.deliver_subject) {
      for (const seq of [...this.c.pending.keys()].sort((a, b) => a - b)) this.queueRedelivery(seq);
      this.watchDeliverSubject();
      this.active = this.hasInterest(this.cfg.deliver_subject);
      if (!this.active) this.becameInactive();
    }
    if (old.inactive_threshold !== this.cfg.inactive_threshold) this.armInactivity();
  }

  // ---- starting position ----

  selectStartingSeq(): void {
    const start = selectStartingSeq(this.c);
    this.lss = start.skipList;
    const c = this.c;
    c.sseq = start.sseq;
    c.dseq = 1;
    c.adflr = 0;
    c.asflr = start.sseq - 1;
  }

  skipListResume(): number | null {
    return this.lss === null ? null : this.lss.resume + 1;
  }

  skipListLength(): number {
    return this.lss === null ? 0 : this.lss.seqs.length;
  }

  // ---- redelivery queue ----

  queueRedelivery(seq: number): void {
    if (this.rdqSet.has(seq)) return;
    this.rdqSet.add(seq);
    this.rdq.push(seq);
  }

  unqueueRedelivery(seq: number): void {
    if (this.rdqSet.size === 0 || !this.rdqSet.delete(seq)) return;
    const i = this.rdq.indexOf(seq);
    if (i >= 0) this.rdq.splice(i, 1);
  }

  isQueuedForRedelivery(seq: number): boolean {
    return this.rdqSet.has(seq);
  }

  clearRedeliveries(): void {
    this.rdq = [];
    this.rdqSet.clear();
  }

  // ---- the loop ----

  /** Schedules a delivery run at the end of this read cycle. */
  kick(): void {
    if (this.scheduled || this.c.closed) return;
    this.scheduled = true;
    this.c.host.deferToCycleEnd(this.runBound);
  }

  private hasInterest(subject: string): boolean {
    return hasDeliveryInterest(this.c.host.account, subject);
  }

  private run(): void {
    this.scheduled = false;
    const c = this.c;
    if (c.closed || this.paceTimer !== null) return;
    const pull = c.isPull;
    const wq = this.waiting;
    if (!pull) {
      if (!this.active) return;
      if (!this.hasInterest(this.cfg.deliver_subject!)) {
        this.active = false;
        this.becameInactive();
        return;
      }
    }
    let stalledOnMaxAck = false;
    let budget = RUN_BUDGET;
    // One clock reading per run (at most RUN_BUDGET messages, well under a millisecond's skew).
    const now = Date.now();
    for (;;) {
      if (pull) {
        if (wq!.length === 0) break;
      } else if (this.fc !== null && this.fc.full) break;
      if (budget-- === 0) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.kick();
        });
        return;
      }
      const m = this.nextMessage();
      if (m === null) break;
      if (m === MAX_ACK_PENDING) {
        stalledOnMaxAck = true;
        break;
      }
      const dc = this.nextCount;
      if (dc === 1) c.npc--;
      const dseq = c.dseq;
      const reply = this.replies;
      reply.build(dc, m.seq, dseq, m.ts, c.numPending());
      let buf = m.buf;
      let start = m.start;
      let hdrLen = m.hdrLen;
      let msgSize = m.size;
      if (this.cfg.headers_only) {
        const h = headersOnly(hdrLen < 0 ? null : buf.subarray(start, start + hdrLen), hdrLen < 0 ? msgSize : msgSize - hdrLen);
        buf = h;
        start = 0;
        hdrLen = msgSize = h.length;
      }
      const size = m.subject.length + reply.length + msgSize;
      let target: string;
      let wr: PullRequest | undefined;
      if (pull) {
        wr = this.nextWaiting(size, now);
        if (wr === undefined) {
          this.putBack(m.seq, dc);
          break;
        }
        target = wr.reply;
      } else {
        target = this.cfg.deliver_subject!;
      }
      if (this.replaying && this.lastReplayTs > 0 && this.replayDue !== m.seq) {
        const delayMs = (m.ts - this.lastReplayTs) / 1e6;
        if (delayMs > 1) {
          this.putBack(m.seq, dc);
          if (wr !== undefined) this.creditBack(wr, size);
          this.replayDue = m.seq;
          this.paceTimer = setTimeout(() => {
            this.paceTimer = null;
            this.kick();
          }, Math.min(delayMs, MAX_TIMER_MS));
          return;
        }
      }
      this.replayDue = 0;
      if (this.cfg.rate_limit_bps) {
        const waitMs = this.rateLimit.wait(this.cfg.rate_limit_bps, size, Date.now());
        if (waitMs > 0) {
          this.putBack(m.seq, dc);
          this.paceTimer = setTimeout(() => {
            this.paceTimer = null;
            this.kick();
          }, waitMs);
          return;
        }
      }
      if (!this.deliver(target, reply, buf, start, hdrLen, msgSize, m, dc, dseq, size, now)) {
        this.putBack(m.seq, dc);
        if (wr !== undefined) {
          // The requester went away: drop its request, try the next one.
          wq!.remove(wr);
          continue;
        }
        this.active = false;
        this.becameInactive();
        break;
      }
      this.lastReplayTs = m.ts;
      if (wr !== undefined) {
        if (wr.n <= 0 && wr.b > 0) this.send(wr.reply, statusBatchCompleted(wr.n, wr.b));
        if (wr.hb > 0) wr.hbt = now + wr.hb;
      }
    }
    if (this.replaying && c.sseq > this.replayLastSeq) this.replaying = false;
    if (pull) this.processWaiting(!stalledOnMaxAck);
  }

  /** Undo taking m from the store when nobody could receive it. */
  private putBack(seq: number, dc: number): void {
    const c = this.c;
    if (dc === 1 && seq === c.sseq - 1) {
      c.sseq--;
      c.npc++;
    } else {
      this.queueRedelivery(seq);
    }
  }

  /** Undo nextWaiting's accounting for a message that was not sent after all. */
  private creditBack(wr: PullRequest, size: number): void {
    wr.n++;
    wr.d--;
    if (wr.b > 0) wr.b += size;
    if (!this.waiting!.all().includes(wr)) this.waiting!.unshift(wr);
  }

  /** Sends one message (buf[start, start+msgSize), hdrLen header bytes first); false when nobody took it. */
  private deliver(target: string, reply: ReplyBytes, buf: Buffer, start: number, hdrLen: number, msgSize: number, m: MessageRef, dc: number, dseq: number, size: number, now: number): boolean {
    const c = this.c;
    const host = c.host;
    if (routeDelivery(host.account, host.client, target, m.subject, reply, buf, start, hdrLen, msgSize) === 0) return false;
    c.dseq = dseq + 1;
    c.apply(ConsumerOp.Delivered, dseq, m.seq, dc, now * 1e6);
    this.lastSend = now;
    if (c.acksExplicitOrAll) c.armAckTimer(c.ackDelayFor(m.seq), false, now);
    else if (c.host.config().retention === "interest" || c.host.config().retention === "workqueue") c.owner.released(c, m.seq);
    if (this.fc !== null && this.fc.sent(size + target.length, size)) this.sendFlowControl();
    if (c.isPull) this.waiting!.last = now;
    return true;
  }

  /** Next message to send (its delivery count in nextCount); null when none; MAX_ACK_PENDING when stalled. */
  private nextMessage(): MessageRef | null | typeof MAX_ACK_PENDING {
    const c = this.c;
    const store = c.host.store;
    const m = this.found;
    while (this.rdq.length > 0) {
      const seq = this.rdq.shift()!;
      this.rdqSet.delete(seq);
      const dc = (c.rdc.get(seq) ?? 0) + 2;
      const max = this.cfg.max_deliver ?? -1;
      if (max > 0 && dc > max) {
        if (dc === max + 1) c.maxDeliveriesReached(seq, dc - 1);
        continue;
      }
      if (store.peekMsg(seq, m)) {
        this.nextCount = dc;
        return m;
      }
    }
    const maxp = this.cfg.max_ack_pending ?? 0;
    if (maxp > 0 && c.acksExplicitOrAll && c.pending.size >= maxp) return MAX_ACK_PENDING;
    if (this.lss !== null) {
      const seq = this.lss.seqs.shift()!;
      if (this.lss.seqs.length === 0) {
        c.sseq = this.lss.resume + 1;
        this.lss = null;
        c.recountPending();
      } else c.sseq = seq + 1;
      if (!store.peekMsg(seq, m)) return this.nextMessage();
      this.nextCount = 1;
      return m;
    }
    if (!store.peekNextBySubject(c.sseq, c.filters.store, m)) {
      const last = store.state().last_seq;
      if (c.sseq <= last) c.sseq = last + 1;
      if (c.npc !== 0) c.npc = 0;
      return null;
    }
    c.sseq = m.seq + 1;
    this.nextCount = 1;
    return m;
  }

  private send(subject: string, hdr: Buffer): void {
    this.c.host.client.publish(subject, undefined, EMPTY, hdr);
  }

  // ---- pull requests ----

  numWaiting(): number {
    if (this.waiting === null) return 0;
    this.processWaiting(false);
    return this.waiting.length;
  }

  onPullRequest(reply: string, body: Buffer): void {
    const c = this.c;
    if (c.closed) return;
    const wq = this.waiting;
    if (wq === null) {
      this.send(reply, STATUS_PUSH_BASED);
      return;
    }
    const now = Date.now();
    const wr = admitPullRequest(reply, body, this.cfg, now);
    if (Buffer.isBuffer(wr)) {
      this.send(reply, wr);
      return;
    }
    if (wq.isFull()) this.processWaiting(false);
    if (wr.noWait) {
      const msgsPending = c.numPending() + this.rdq.length;
      if (msgsPending === 0 && wr.expires === 0) {
        wq.last = now;
        this.send(reply, STATUS_NO_MESSAGES);
        return;
      }
      if (msgsPending > 0) {
        const batchPending = this.processWaiting(false);
        if (msgsPending < batchPending) {
          wq.last = now;
          this.send(reply, STATUS_REQUESTS_PENDING);
          return;
        }
      }
    }
    // A request for nothing is never answered (Go 2.9.10 drops it; it would only expire).
    if (wr.n <= 0) return;
    if (!wq.add(wr)) {
      this.send(reply, STATUS_MAX_WAITING);
      return;
    }
    this.armWaitTimer(wr.hbt, wr.expires);
    this.kick();
  }

  /** Go's nextWaiting: the request to receive a message of `size` bytes, answering and dropping those that cannot. */
  private nextWaiting(size: number, now: number): PullRequest | undefined {
    const wq = this.waiting!;
    for (let wr = wq.peek(); wr !== undefined; wr = wq.peek()) {
      if (wr.b > 0) {
        if (size <= wr.b) {
          wr.b -= size;
          if (wr.b === 0) wr.n = 1;
        } else {
          this.send(wr.reply, statusMaxBytes(wr.n, wr.b));
          wq.removeHead();
          continue;
        }
      }
      // Interest is checked by the delivery itself (no subscriber: the request is dropped).
      if (wr.expires === 0 || now < wr.expires) return wq.pop();
      this.send(wr.reply, statusRequestTimeout(wr.n, wr.b));
      wq.removeHead();
    }
    return undefined;
  }

  /**
   * Go's processWaiting: answers expired requests (and, at the end of the stream, one-shot
   * no_wait requests that got something), drops those without interest, sends due heartbeats,
   * re-arms the timer. Returns the messages still asked for.
   */
  private processWaiting(endOfStream: boolean): number {
    const wq = this.waiting;
    if (wq === null || wq.length === 0) return 0;
    const now = Date.now();
    let owed = 0;
    let next = 0;
    for (const wr of [...wq.all()]) {
      if ((endOfStream && wr.noWait && wr.d > 0) || (wr.expires !== 0 && now >= wr.expires)) {
        this.send(wr.reply, statusRequestTimeout(wr.n, wr.b));
        wq.remove(wr);
        continue;
      }
      if (!this.hasInterest(wr.reply)) {
        wq.remove(wr);
        continue;
      }
      owed += wr.n;
      if (wr.hbt !== 0) {
        if (now >= wr.hbt) {
          this.sendHeartbeat(wr.reply);
          wr.hbt = now + wr.hb;
        }
        if (next === 0 || wr.hbt < next) next = wr.hbt;
      }
      if (wr.expires !== 0 && (next === 0 || wr.expires < next)) next = wr.expires;
    }
    if (next !== 0) this.armWaitTimer(next, 0);
    return owed;
  }

  private armWaitTimer(a: number, b: number): void {
    let at = a === 0 ? b : b === 0 ? a : Math.min(a, b);
    if (at === 0) return;
    if (this.waitTimer !== null && this.waitTimerEnd <= at) return;
    if (this.waitTimer !== null) clearTimeout(this.waitTimer);
    this.waitTimerEnd = at;
    at = Math.max(1, at - Date.now());
    this.waitTimer = setTimeout(() => {
      this.waitTimer = null;
      if (!this.c.closed) this.processWaiting(true);
    }, Math.min(at, MAX_TIMER_MS));
    this.waitTimer.unref?.();
  }

  // ---- heartbeats and flow control (push) ----

  private sendHeartbeat(subject: string): void {
    const c = this.c;
    this.send(subject, statusIdleHeartbeat(c.dseq - 1, c.sseq - 1, this.fc?.id ?? ""));
  }

  private armHeartbeat(): void {
    const hb = (this.cfg.idle_heartbeat ?? 0) / 1e6;
    if (hb <= 0) return;
    const tick = (): void => {
      if (this.c.closed) return;
      const idle = Date.now() - this.lastSend;
      if (idle >= hb) {
        if (this.active) this.sendHeartbeat(this.cfg.deliver_subject!);
        this.lastSend = Date.now();
        this.hbTimer = setTimeout(tick, hb);
      } else {
        this.hbTimer = setTimeout(tick, hb - idle);
      }
      this.hbTimer.unref?.();
    };
    this.lastSend = Date.now();
    this.hbTimer = setTimeout(tick, hb);
    this.hbTimer.unref?.();
  }

  private sendFlowControl(): void {
    this.c.host.client.publish(this.cfg.deliver_subject!, this.fc!.newRequest(), EMPTY, STATUS_FLOW_CONTROL);
  }

  private onFlowControlReply(subject: string): void {
    if (this.fc !== null && this.fc.answered(subject)) this.kick();
  }

  // ---- interest and inactivity ----

  private becameInactive(): void {
    this.inactiveSince = Date.now();
  }

  private watchDeliverSubject(): void {
    this.unwatchInterest?.();
    this.unwatchInterest = watchDeliveryInterest(this.c.host.account, this.cfg.deliver_subject!, (t) => this.c.host.deferToCycleEnd(t), () => this.checkInterest());
  }

  private checkInterest(): void {
    if (this.c.closed || this.c.isPull) return;
    const has = this.hasInterest(this.cfg.deliver_subject!);
    if (has && !this.active) {
      this.active = true;
      this.kick();
    } else if (!has && this.active) {
      this.active = false;
      this.becameInactive();
    }
  }

  /** Deletes the consumer after inactive_threshold without interest (push) or without pull requests (pull). */
  private armInactivity(): void {
    if (this.inactiveTimer !== null) clearTimeout(this.inactiveTimer);
    this.inactiveTimer = null;
    const thresh = (this.cfg.inactive_threshold ?? 0) / 1e6;
    if (thresh <= 0) return;
    const check = (): void => {
      this.inactiveTimer = null;
      const c = this.c;
      if (c.closed) return;
      let idleFor: number;
      if (c.isPull) idleFor = this.waiting!.length > 0 ? 0 : Date.now() - this.waiting!.last;
      else if (this.active && this.hasInterest(this.cfg.deliver_subject!)) idleFor = 0;
      else {
        if (this.active) {
          this.active = false;
          this.becameInactive();
        }
        idleFor = Date.now() - this.inactiveSince;
      }
      if (idleFor >= thresh) {
        c.owner.expire(c);
        return;
      }
      this.inactiveTimer = setTimeout(check, Math.min(thresh - idleFor + 5, MAX_TIMER_MS));
      this.inactiveTimer.unref?.();
    };
    this.inactiveTimer = setTimeout(check, Math.min(thresh, MAX_TIMER_MS));
    this.inactiveTimer.unref?.();
  }
}

const EMPTY = Buffer.alloc(0);
const MAX_ACK_PENDING = "maxAckPending";
