// StreamConsumers: the consumers of one stream. Creates (with Go's create /
// update / workqueue rules), recovers, deletes and looks them up; fans stream
// events (stored, removed, purged) out to them; answers the stream's
// retention questions; flushes dirty consumer states once per turn and only
// then sends the replies of double acks. The stream owns one instance.

import { randomBytes } from "node:crypto";
import { formatNanos } from "../time.js";
import { jsFail } from "../api/errors.js";
import { nowNanos, type ConsumerMeta, type ConsumerStore } from "../store/types.js";
import { consumerActionAdvisory } from "./advisories.js";
import {
  applyConsumerDefaults,
  checkConsumerConfig,
  checkConsumerUpdate,
  configsEqual,
  consumerConfigJSON,
  decodeConsumerConfig,
  filtersOf,
  isValidConsumerName,
  nameTooLong,
  type ConsumerConfig,
  type ServerConsumerLimits,
} from "./config.js";
import { Consumer, type ConsumerOwner } from "./consumer.js";
import type { ConsumerStreamHost } from "./host.js";
import { subjectsCollide } from "../../sublist/subject-trie.js";
import { MemoryConsumerStore } from "../store/memory-consumer-store.js";

export type CreateAction = "" | "create" | "update";

/** Account-level limits a consumer create must respect (-1 or 0 = none). */
export interface ConsumerAccountLimits {
  maxConsumers(): number;
  maxAckPending(): number;
  /** Server-wide jetstream { limits { max_ack_pending, max_request_batch } }. */
  server(): ServerConsumerLimits;
}

/** Longest a plain ack or a delivery waits before its state is written. */
const FLUSH_DELAY_MS = 25;
const NAME_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export class StreamConsumers implements ConsumerOwner {
  private readonly consumers = new Map<string, Consumer>();
  private readonly dirty = new Set<Consumer>();
  private readonly ackReplies: string[] = [];
  private flushScheduled = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly flushBound = (): void => this.flush();

  constructor(
    readonly host: ConsumerStreamHost,
    private readonly limits: ConsumerAccountLimits,
  ) {}

  // ---- what the stream calls ----

  onStored(seq: number, subject: string): void {
    for (const c of this.consumers.values()) c.onStored(seq, subject);
  }

  onRemoved(seq: number, subject: string): void {
    for (const c of this.consumers.values()) c.onRemoved(seq, subject);
  }

  onPurged(): void {
    for (const c of this.consumers.values()) c.onPurged();
  }

  /** Interest retention at store time: does any consumer's filter take this subject? */
  retainFor(_seq: number, subject: string): boolean {
    for (const c of this.consumers.values()) if (c.filters.matches(subject)) return true;
    return false;
  }

  count(): number {
    return this.consumers.size;
  }

  /** /jsz consumer_detail: each consumer's info, its config only when asked for. */
  details(withConfig: boolean): Record<string, unknown>[] {
    const now = nowNanos();
    return this.list().map((c) => {
      const info = c.info(now);
      if (!withConfig) delete info.config;
      return info;
    });
  }

  recover(): void {
    const store = this.host.store;
    for (const name of store.consumerNames()) {
      if (this.consumers.has(name)) continue;
      const cs = store.consumerStore(name);
      const meta = cs.meta();
      if (meta === null) {
        cs.delete();
        continue;
      }
      let cfg: ConsumerConfig;
      try {
        cfg = decodeConsumerConfig(meta.config);
      } catch {
        continue;
      }
      const c = new Consumer(this, name, cfg, meta.created, cs, cs.state());
      this.consumers.set(name, c);
      c.start();
    }
  }

  stop(): void {
    this.flush();
    for (const c of this.consumers.values()) c.stop();
  }

  deleteAll(): void {
    for (const c of [...this.consumers.values()]) {
      c.delivery.releaseWaiting();
      c.stop();
      c.cstore.delete();
    }
    this.consumers.clear();
    this.dirty.clear();
  }

  // ---- what the API calls ----

  get(name: string): Consumer | undefined {
    return this.consumers.get(name);
  }

  /** Sorted by name, as Go lists them. */
  list(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Go's addConsumerWithAction. cfg is decoded but without defaults. Throws JsApiError. */
  create(cfg: ConsumerConfig, action: CreateAction): Consumer {
    const scfg = this.host.config();
    const accMaxAck = this.limits.maxAckPending();
    const srv = this.limits.server();
    applyConsumerDefaults(cfg, scfg, srv, accMaxAck);
    checkConsumerConfig(cfg, scfg, srv);
    if (accMaxAck > 0 && (cfg.max_ack_pending ?? 0) > accMaxAck) throw jsFail("consumerMaxPendingAckExcess", { limit: accMaxAck });
    const wq = scfg.retention === "workqueue";
    const name = cfg.durable_name || cfg.name || "";
    if (name !== "") {
      const existing = this.consumers.get(name);
      if (existing !== undefined) {
        if (action === "create" && !configsEqual(cfg, existing.cfg)) throw jsFail("consumerAlreadyExists");
        if (wq && !this.partitionUnique(name, filtersOf(cfg))) throw jsFail("consumerWQConsumerNotUnique");
        const err = checkConsumerUpdate(existing.cfg, cfg, (s) => this.host.account.sublist.hasInterest(s));
        if (err !== null) throw jsFail("consumerCreate", { err });
        if (!configsEqual(cfg, existing.cfg)) {
          existing.updateConfig(cfg);
          existing.cstore.setMeta(this.meta(existing));
        }
        return existing;
      }
    }
    if (action === "update") throw jsFail("consumerDoesNotExist");
    let maxc = scfg.max_consumers ?? -1;
    const accMax = this.limits.maxConsumers();
    if (maxc <= 0 || (accMax > 0 && accMax < maxc)) maxc = accMax;
    if (maxc > 0 && this.consumers.size >= maxc) throw jsFail("maximumConsumersLimit");
    if (wq && !cfg.direct) {
      if (cfg.ack_policy !== "explicit") throw jsFail("consumerWQRequiresExplicitAck");
      if (this.consumers.size > 0) {
        const filters = filtersOf(cfg);
        if (filters.length === 0) throw jsFail("consumerWQMultipleUnfiltered");
        if (!this.partitionUnique(name, filters)) throw jsFail("consumerWQConsumerNotUnique");
      }
      if (cfg.deliver_policy !== "all") throw jsFail("consumerWQConsumerNotDeliverAll");
    }
    let cname = name;
    if (cfg.durable_name && nameTooLong(cfg.durable_name)) throw jsFail("consumerNameTooLong", { max: 255 });
    if (cname === "") {
      do cname = generatedName();
      while (this.consumers.has(cname));
      cfg.name = cname;
    }
    if (!isValidConsumerName(cname)) throw jsFail("consumerBadDurableName");
    const created = formatNanos(nowNanos());
    let cs: ConsumerStore;
    try {
      cs = cfg.mem_storage && this.host.store.kind === "file" ? new MemoryConsumerStore(cname) : this.host.store.consumerStore(cname);
      cs.setMeta({ config: consumerConfigJSON(cfg), created });
    } catch (e) {
      throw jsFail("consumerStoreFailed", { err: (e as Error).message });
    }
    const c = new Consumer(this, cname, cfg, created, cs, null);
    this.consumers.set(cname, c);
    c.syncState();
    this.markDirty(c);
    c.start();
    this.advise(cname, "create");
    return c;
  }

  /** CONSUMER.DELETE and inactivity. */
  delete(name: string, advisory = true): boolean {
    const c = this.consumers.get(name);
    if (c === undefined) return false;
    this.consumers.delete(name);
    this.dirty.delete(c);
    c.delivery.releaseWaiting();
    c.stop();
    c.cstore.delete();
    if (advisory) this.advise(name, "delete");
    if (this.host.config().retention === "interest") this.dropUninterested();
    return true;
  }

  private advise(name: string, action: "create" | "delete"): void {
    const [subj, body] = consumerActionAdvisory(this.host.name, name, action, this.host.jsDomain);
    if (this.host.account.sublist.hasInterest(subj)) this.host.client.publish(subj, undefined, body);
  }

  private meta(c: Consumer): ConsumerMeta {
    return { config: consumerConfigJSON(c.cfg), created: c.created };
  }

  /** Go's partitionUnique: no other consumer's filters collide with these. */
  private partitionUnique(name: string, filters: string[]): boolean {
    for (const f of filters) {
      for (const [n, o] of this.consumers) {
        if (n === name) continue;
        if (o.filters.subjects.length === 0) return false;
        for (const of of o.filters.subjects) if (subjectsCollide(f, of)) return false;
      }
    }
    return true;
  }

  // ---- ConsumerOwner ----

  released(c: Consumer, seq: number): void {
    const retention = this.host.config().retention;
    if (retention === "workqueue") {
      this.host.removeMsg(seq);
      return;
    }
    if (retention !== "interest") return;
    let subject: string | null = null;
    for (const o of this.consumers.values()) {
      if (o === c) continue;
      if (!o.filters.all && subject === null) {
        const m = this.host.store.getMsg(seq);
        if (m === null) return;
        subject = m.subject;
      }
      if (o.needsAck(seq, subject)) return;
    }
    this.host.removeMsg(seq);
  }

  /** After a consumer leaves an interest stream: remove what nobody needs any more. */
  private dropUninterested(): void {
    const store = this.host.store;
    const st = store.state();
    if (st.msgs === 0) return;
    const doomed: number[] = [];
    for (let m = store.getNextBySubject(st.first_seq, ""); m !== null; m = store.getNextBySubject(m.seq + 1, "")) {
      let needed = false;
      for (const o of this.consumers.values()) {
        if (o.needsAck(m.seq, m.subject)) {
          needed = true;
          break;
        }
      }
      if (!needed) doomed.push(m.seq);
    }
    for (const seq of doomed) this.host.removeMsg(seq);
  }

  /**
   * State written within FLUSH_DELAY_MS, or at the end of this turn when a double ack waits
   * for its answer (or at a graceful stop): plain acks and deliveries of many turns share one write.
   */
  markDirty(c: Consumer, ackReply?: string): void {
    this.dirty.add(c);
    if (ackReply !== undefined) {
      this.ackReplies.push(ackReply);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.host.deferToCycleEnd(this.flushBound);
      }
    } else if (this.flushTimer === null && !this.flushScheduled) {
      this.flushTimer = setTimeout(this.flushBound, FLUSH_DELAY_MS);
      this.flushTimer.unref?.();
    }
  }

  expire(c: Consumer): void {
    if (this.consumers.get(c.name) === c) this.delete(c.name);
  }

  /** Writes dirty consumer states; answers double acks only once their state is written. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    let ok = true;
    for (const c of this.dirty) {
      try {
        c.cstore.flushPending();
      } catch {
        ok = false;
      }
    }
    this.dirty.clear();
    const replies = this.ackReplies.splice(0);
    if (!ok) return;
    const client = this.host.client;
    for (const r of replies) client.publish(r, undefined, EMPTY);
  }
}

const EMPTY = Buffer.alloc(0);

/** An 8-character random name, as Go's createConsumerName. */
function generatedName(): string {
  const b = randomBytes(8);
  let s = "";
  for (let i = 0; i < 8; i++) s += NAME_ALPHABET[b[i] % 62];
  return s;
}
