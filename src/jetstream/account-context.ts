// JsAccount: JetStream inside one account — its limits (max_memory,
// max_storage, max_streams, max_consumers, …), its streams, its usage, its
// API counters, and the one internal client through which its streams and
// consumers subscribe and publish. Creating and deleting streams (with the
// limit and overlap checks of Go's addStream) happens here; what a stream
// does with messages is the Stream's business.

import type { Account } from "../accounts/account.js";
import type { JetStreamAccountLimits } from "../options.js";
import type { InternalClient } from "../server/internal-client.js";
import { jsError, jsFail, type ApiError } from "./api/errors.js";
import { checkStreamConfig, checkStreamUpdate, sameStreamConfig, type StreamConfig, type StreamLookup } from "./stream-config.js";
import { Stream } from "./stream.js";
import { subjectsCollide } from "../sublist/subject-trie.js";
import type { JetStream } from "./jetstream.js";
import { fileStoreMsgSize, memStoreMsgSize, nowNanos, type MessageStore } from "./store/index.js";
import { formatNanos } from "./time.js";
import { AccountTemplates } from "./templates.js";

export type AccountLimits = JetStreamAccountLimits;

/** Go's zero JetStreamAccountLimits (the top-level `limits` of a tiered account). */
const NO_LIMITS: AccountLimits = {
  max_memory: 0,
  max_storage: 0,
  max_streams: 0,
  max_consumers: 0,
  max_ack_pending: 0,
  memory_max_stream_bytes: 0,
  storage_max_stream_bytes: 0,
  max_bytes_required: false,
};

export class JsAccount {
  readonly client: InternalClient;
  readonly streams = new Map<string, Stream>();
  readonly usage = { memory: 0, storage: 0 };
  readonly api = { total: 0, errors: 0 };
  /** Tiered limits (operator mode, a JWT with `tiered_limits`); null = one default tier, `limits`. */
  tiers: Record<string, AccountLimits> | null = null;
  readonly templates: AccountTemplates = new AccountTemplates(this);

  constructor(
    readonly engine: JetStream,
    readonly account: Account,
    public limits: AccountLimits,
  ) {
    this.client = engine.server.createInternalClient(account, "JetStream");
  }

  /** The stream, or the streamNotFound error. */
  stream(name: string): Stream {
    const s = this.streams.get(name);
    if (s === undefined) throw jsFail("streamNotFound");
    return s;
  }

  consumerCount(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.consumers.count();
    return n;
  }

  lookup(): StreamLookup {
    const l = this.limits;
    return {
      config: (name) => this.streams.get(name)?.cfg,
      maxDuplicateWindow: this.engine.config.maxDuplicateWindow * 1e6,
      maxBytesRequired: l.max_bytes_required,
      maxStreamBytes: (storage) => Math.max(0, storage === "memory" ? l.memory_max_stream_bytes : l.storage_max_stream_bytes),
    };
  }

  /** Sum of max_bytes of this account's streams of a storage type (Go's reservation). */
  reserved(storage: StreamConfig["storage"], except?: Stream): number {
    let n = 0;
    for (const s of this.streams.values()) if (s !== except && s.cfg.storage === storage && s.cfg.max_bytes > 0) n += s.cfg.max_bytes;
    return n;
  }

  /** Go's checkLimits for a stream config (create or update). */
  private checkLimits(cfg: StreamConfig, except?: Stream, offset = 0): void {
    const l = this.limits;
    if (cfg.max_consumers > 0 && l.max_consumers > 0 && cfg.max_consumers > l.max_consumers) throw jsFail("maximumConsumersLimit");
    const add = (cfg.max_bytes < 0 ? 1 : cfg.max_bytes) + offset;
    const res = this.reserved(cfg.storage, except);
    const mem = cfg.storage === "memory";
    const accMax = mem ? l.max_memory : l.max_storage;
    const err = mem ? "memoryResourcesExceeded" : "storageResourcesExceeded";
    if (accMax >= 0 && res + add > accMax) throw jsFail(err);
    const serverRes = this.engine.reserved(cfg.storage, except);
    if (serverRes + add > (mem ? this.engine.maxMemory : this.engine.maxStore)) throw jsFail(err);
  }

  /** STREAM.CREATE: the stream and whether it was made now (an identical config returns the existing one). */
  createStream(input: StreamConfig): { stream: Stream; created: boolean } {
    const cfg = checkStreamConfig(input, this.lookup());
    if (cfg.num_replicas > 1) throw jsFail("streamReplicasNotSupported");
    if (this.tiers !== null && !this.tiers["R1"]) throw jsFail("noLimits");
    const existing = this.streams.get(cfg.name);
    if (existing) {
      if (sameStreamConfig(existing.cfg, cfg)) return { stream: existing, created: false };
      throw jsFail("streamNameExist");
    }
    if (cfg.template_owner && !this.templates.owns(cfg.template_owner, cfg.name)) throw jsFail("streamCreate", { err: "stream not owned by template" });
    if (this.limits.max_streams > 0 && this.streams.size >= this.limits.max_streams) throw jsFail("maximumStreamsLimit");
    this.checkLimits(cfg);
    if (this.subjectsOverlap(cfg.subjects ?? [], null)) throw jsFail("streamSubjectOverlap");
    const created = formatNanos(nowNanos());
    let store: MessageStore;
    try {
      store = this.engine.createStore(this, cfg, created);
    } catch (e) {
      this.engine.server.logger.warn(`Stream create failed for '${this.account.name} > ${cfg.name}': ${(e as Error).message}`);
      throw jsFail("streamCreate", { err: "error creating store for stream" });
    }
    if (cfg.first_seq) store.compact(cfg.first_seq);
    const stream = this.addStream(cfg, store, created);
    return { stream, created: true };
  }

  /** Register a stream whose store is open (create, recovery, restore). */
  addStream(cfg: StreamConfig, store: MessageStore, created: string): Stream {
    const stream = new Stream(this, cfg, store, created);
    this.streams.set(cfg.name, stream);
    stream.consumers = this.engine.consumersFor(stream);
    this.syncUsage(stream);
    this.engine.mirrors.streamAdded(stream);
    return stream;
  }

  updateStream(input: StreamConfig): Stream {
    const stream = this.stream(input.name);
    const cfg = checkStreamUpdate(stream.cfg, input, this.lookup());
    const old = stream.cfg;
    if (cfg.max_bytes !== old.max_bytes || cfg.max_consumers !== old.max_consumers) {
      this.checkLimits({ ...cfg, max_bytes: Math.max(0, cfg.max_bytes - Math.max(0, old.max_bytes)) }, stream, 0);
    }
    if (this.subjectsOverlap(cfg.subjects ?? [], stream)) throw jsFail("streamSubjectOverlap");
    stream.apply({ op: "config", config: cfg });
    this.engine.mirrors.streamUpdated(stream);
    this.syncUsage(stream);
    return stream;
  }

  deleteStream(name: string): void {
    const stream = this.stream(name);
    this.engine.mirrors.streamRemoved(stream);
    stream.stop(true);
    this.streams.delete(name);
    this.templates.streamRemoved(name, stream.cfg.template_owner);
    this.usage[stream.cfg.storage === "memory" ? "memory" : "storage"] -= stream.usageReported;
    this.engine.usageChanged();
  }

  private subjectsOverlap(subjects: readonly string[], self: Stream | null): boolean {
    for (const s of this.streams.values()) {
      if (s === self) continue;
      for (const a of s.cfg.subjects ?? []) for (const b of subjects) if (subjectsCollide(a, b)) return true;
    }
    return false;
  }

  /**
   * Go's wouldExceedLimits and limitsExceeded before a store: null when the message fits. Usage is
   * exact here: every stream brings its own bytes into it after each append (syncUsage), so the
   * publishes of one turn are counted one by one, as Go's store callbacks count them.
   */
  wouldExceed(storage: StreamConfig["storage"], subject: string, hdrLen: number, dataLen: number): ApiError | null {
    const mem = storage === "memory";
    const size = mem ? memStoreMsgSize(subject, hdrLen, dataLen) : fileStoreMsgSize(subject, hdrLen, dataLen);
    const used = mem ? this.usage.memory : this.usage.storage;
    const max = mem ? this.limits.max_memory : this.limits.max_storage;
    if (max >= 0 && used + size > max) return jsError("accountResourcesExceeded");
    if (this.engine.limitsExceeded(storage)) return jsError("insufficientResources");
    return null;
  }

  /**
   * Bring the account's and the server's usage up to the stream's stored bytes: after each append
   * (a few additions), and at the end of the turn for removals (acks, purges, expiry).
   */
  syncUsage(stream: Stream): void {
    const bytes = stream.store.storedBytes;
    const delta = bytes - stream.usageReported;
    if (delta === 0) return;
    stream.usageReported = bytes;
    if (stream.cfg.storage === "memory") {
      this.usage.memory += delta;
      this.engine.usage.memory += delta;
    } else {
      this.usage.storage += delta;
      this.engine.usage.storage += delta;
    }
  }

  /** Go's JetStreamAccountStats (INFO and /jsz account detail). */
  stats(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      memory: this.usage.memory,
      storage: this.usage.storage,
      reserved_memory: this.reserved("memory"),
      reserved_storage: this.reserved("file"),
      streams: this.streams.size,
      consumers: this.consumerCount(),
      limits: this.tiers === null ? { ...this.limits } : NO_LIMITS,
    };
    if (this.engine.domain) out.domain = this.engine.domain;
    out.api = { total: this.api.total, errors: this.api.errors };
    if (this.tiers !== null) out.tiers = this.tierStats(out);
    return out;
  }

  /** Go's per-tier stats: every stream is R1, so R1 holds the usage; other tiers show their limits only. */
  private tierStats(totals: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [tier, limits] of Object.entries(this.tiers!)) {
      const used = tier === "R1";
      out[tier] = {
        memory: used ? totals.memory : 0,
        storage: used ? totals.storage : 0,
        reserved_memory: used ? totals.reserved_memory : 0,
        reserved_storage: used ? totals.reserved_storage : 0,
        streams: used ? totals.streams : 0,
        consumers: used ? totals.consumers : 0,
        limits: { ...limits },
      };
    }
    return out;
  }

  /** Shutdown: stop every stream, keeping its data. */
  stop(): void {
    for (const s of this.streams.values()) s.stop(false);
    this.streams.clear();
    this.client.close();
  }
}
