// The storage contract shared by MemoryStore and FileStore: what a stream and
// its consumers may ask of their store. Everything here is synchronous because
// the stream runs on the event loop; durability is reached through
// flushPending(), which the stream calls once per event-loop turn before it
// sends any PubAck. Nothing here knows about the $JS API, clients or JSON
// error envelopes: stores throw StoreError and the stream maps it.

import type { StoreIo } from "./store-io.js";

/** Unix time in nanoseconds as a JS number (an integer; exact to ~256 ns at today's magnitude). */
export type Nanos = number;

/** The limit fields of a stream config, spelled as Go's StreamConfig JSON so the stream can pass its config as is. */
export interface StoreLimits {
  /** Stream name (also the directory name of a FileStore). */
  name: string;
  /** <= 0: unlimited. */
  max_msgs?: number;
  /** <= 0: unlimited. */
  max_bytes?: number;
  /** Nanoseconds; <= 0: unlimited. */
  max_age?: Nanos;
  /** <= 0: unlimited. */
  max_msgs_per_subject?: number;
  /** Bytes of header + payload; <= 0 (or absent): unlimited (Go turns 0 into -1). */
  max_msg_size?: number;
  discard?: "old" | "new";
  discard_new_per_subject?: boolean;
}

/** What a store persists about its stream: the full stream config (opaque beyond StoreLimits) and anything else JSON the stream wants back at startup. */
export interface StreamMeta {
  config: StoreLimits & Record<string, unknown>;
  /** RFC 3339 creation time, as Go reports it. */
  created: string;
  [extra: string]: unknown;
}

/**
 * A stored message in place (peekMsg / peekNextBySubject): buf[start, start + size) is the
 * header block (its first hdrLen bytes; hdrLen -1: none) followed by the payload. The bytes
 * belong to the store: valid only until the next call into it, never to be modified.
 */
export interface MessageRef {
  seq: number;
  subject: string;
  ts: Nanos;
  buf: Buffer;
  start: number;
  hdrLen: number;
  size: number;
}

export function newMessageRef(): MessageRef {
  return { seq: 0, subject: "", ts: 0, buf: Buffer.alloc(0), start: 0, hdrLen: -1, size: 0 };
}

export interface StoredMessage {
  subject: string;
  seq: number;
  /** Raw NATS/1.0 header block, or null when the message has none. */
  hdr: Buffer | null;
  data: Buffer;
  ts: Nanos;
}

/** Go's StreamState field meanings. */
export interface StoreState {
  msgs: number;
  /** Sum of Go's per-message store size (memStoreMsgSize / fileStoreMsgSize). */
  bytes: number;
  /** last_seq + 1 when empty. */
  first_seq: number;
  /** 0 when empty. */
  first_ts: Nanos;
  last_seq: number;
  /** ts of the last stored message, kept after it is removed (Go does). 0 when never written. */
  last_ts: Nanos;
  num_subjects: number;
  /** Sequences between first_seq and last_seq that are gone. */
  num_deleted: number;
  /** Only with state({ deleted: true }): the deleted sequences, ascending (the first 1,000,000). */
  deleted?: number[];
}

/** Go's SimpleState: messages matching a filter from a start sequence. first/last are 0 when msgs is 0. */
export interface FilteredState {
  msgs: number;
  first: number;
  last: number;
}

/** A subject filter: one subject (wildcards allowed; "" and ">" mean all) or several (a union, for filter_subjects). */
export type SubjectFilter = string | readonly string[];

export interface PurgeRequest {
  /** Only subjects matching this filter. */
  filter?: string;
  /** Remove up to, not including, this sequence (1: nothing). Without filter and keep: compact(seq). */
  seq?: number;
  /** Keep the newest N messages (of the filtered set when filter is given), as Go 2.11+ does. */
  keep?: number;
}

/** Why a message went away without the stream asking for it. */
export type RemovalReason = "limit" | "age" | "lost";

export type StoreErrorCode =
  | "max_msgs"
  | "max_bytes"
  | "max_msgs_per_subject"
  | "msg_too_large"
  | "write_failed"
  | "closed"
  | "bad_snapshot"
  | "bad_store";

/** The single error class of the storage layer; `code` is stable, `message` is Go's text where Go has one. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** The OS error code (ENOSPC, EIO, EACCES, …) for write_failed. */
  readonly errno?: string;
  constructor(code: StoreErrorCode, message: string, errno?: string) {
    super(message);
    this.name = "StoreError";
    this.code = code;
    if (errno !== undefined) this.errno = errno;
  }
}

export const STORE_ERROR_TEXT = {
  max_msgs: "maximum messages exceeded",
  max_bytes: "maximum bytes exceeded",
  max_msgs_per_subject: "maximum messages per subject exceeded",
  msg_too_large: "message size exceeds maximum allowed",
  closed: "store is closed",
  bad_snapshot: "snapshot is damaged or not a tsnats snapshot",
} as const;

export interface SequencePair {
  consumer_seq: number;
  stream_seq: number;
}

export interface PendingDelivery {
  /** Consumer sequence of the last delivery of this stream sequence. */
  sequence: number;
  ts: Nanos;
}

export interface ConsumerState {
  delivered: SequencePair;
  ack_floor: SequencePair;
  /** Stream sequence -> last delivery. */
  pending: Map<number, PendingDelivery>;
  /** Stream sequence -> number of redeliveries. */
  redelivered: Map<number, number>;
}

/** What a consumer store persists beside the state: the consumer config and creation time (opaque JSON). */
export interface ConsumerMeta {
  config: Record<string, unknown>;
  created: string;
  [extra: string]: unknown;
}

export interface ConsumerStore {
  readonly name: string;
  /** The persisted meta, or null for a consumer never given one. */
  meta(): ConsumerMeta | null;
  /** Persists the meta now (synchronous write; throws StoreError write_failed). */
  setMeta(meta: ConsumerMeta): void;
  /** The recovered (or last updated) state; null when none was ever stored. */
  state(): ConsumerState | null;
  /**
   * Records the state to persist. The store keeps the reference and encodes it at the next
   * flushPending(), so calling this on every ack is cheap; do not mutate it after flushPending
   * throws if you want the rollback to be visible.
   */
  update(state: ConsumerState): void;
  /** Writes the last update() to the OS if any; throws StoreError write_failed. Also done by the parent MessageStore.flushPending(). */
  flushPending(): void;
  /** Removes the consumer's persisted files. */
  delete(): void;
}

export interface StateOptions {
  deleted?: boolean;
}

export interface MessageStore {
  readonly kind: "memory" | "file";
  /** state().bytes without building the state: read on every publish for the account's usage. */
  readonly storedBytes: number;

  /**
   * Called for messages removed by limits (max_msgs, max_bytes, max_msgs_per_subject, discard old),
   * by max_age expiry (on a timer, without a publish), or found damaged on disk ("lost").
   * Not called for deleteMsg/purge/compact, which the stream asked for.
   */
  onRemoved: ((seq: number, subject: string, reason: RemovalReason) => void) | null;

  /**
   * Stores a message and returns its sequence. Throws StoreError max_msgs / max_bytes /
   * max_msgs_per_subject (discard new) or msg_too_large, without storing anything. With discard old
   * the oldest messages are removed (onRemoved). ts defaults to now.
   * FileStore: buffered until flushPending().
   */
  append(subject: string, hdr: Buffer | null, data: Buffer, ts?: Nanos): number;

  /** Go's SkipMsg: uses up the next sequence without storing a message; returns it. Buffered like append. */
  skipMsg(): number;
  /** Go's SkipMsgs: uses up the next `count` sequences in O(1); returns the last of them (last_seq). */
  skipMsgs(count: number): number;

  /**
   * Writes every change since the last flush (appends, removals, consumer states) to the OS in one
   * write per file. On failure throws StoreError write_failed (errno set) and rolls back in-memory
   * state to the last successful flush: sequences, per-subject state, counters and removals.
   * It also throws when a write-through operation (deleteMsg, purge, compact, updateMeta) failed
   * since the previous flushPending(): the appends of this turn are then void as well.
   * Dirty consumer states are written too, their errors swallowed (they stay dirty; a consumer that
   * must know calls its own ConsumerStore.flushPending()). MemoryStore: never throws.
   */
  flushPending(): void;

  getMsg(seq: number): StoredMessage | null;
  /** The newest message whose subject matches filter. */
  getLastBySubject(filter: SubjectFilter): StoredMessage | null;
  /** The first message at or after startSeq whose subject matches filter. */
  getNextBySubject(startSeq: number, filter: SubjectFilter): StoredMessage | null;
  /** getMsg without copying the payload (consumer deliveries): fills `out`, false when not stored. */
  peekMsg(seq: number, out: MessageRef): boolean;
  /** getNextBySubject without copying the payload: fills `out`, false when none. */
  peekNextBySubject(startSeq: number, filter: SubjectFilter, out: MessageRef): boolean;
  /** Sequence of the newest message on this exact subject, 0 when none (no disk read). */
  lastSeqForSubject(subject: string): number;
  /** Ascending sequences of the newest message of each subject matching filter (deliver last_per_subject, multi-last). */
  lastSeqsPerSubject(filter: SubjectFilter): number[];

  /** false when seq is not stored. erase: overwrite the payload on disk (FileStore). */
  deleteMsg(seq: number, erase: boolean): boolean;
  /** Go's PurgeEx: see PurgeRequest. Returns the number of messages removed. */
  purge(req?: PurgeRequest): number;
  /** Removes every message below seq; with seq > last_seq + 1 the stream becomes empty with first_seq = seq. */
  compact(seq: number): number;

  state(opts?: StateOptions): StoreState;
  filteredState(startSeq: number, filter: SubjectFilter): FilteredState;
  /** Message count per subject matching filter. */
  subjectsState(filter: SubjectFilter): Map<string, number>;
  /** Messages at or after startSeq matching filter; with lastPerSubject only each subject's newest counts. */
  numPending(startSeq: number, filter: SubjectFilter, lastPerSubject: boolean): number;

  meta(): StreamMeta;
  /** Persists the new meta and applies its limits now (removing what the new limits exclude). */
  updateMeta(meta: StreamMeta): void;

  /** Opens (creating on first use) a consumer's store. */
  consumerStore(name: string): ConsumerStore;
  /** Names of consumers that have a persisted store (recovered at startup). */
  consumerNames(): string[];

  /** Our own snapshot format: meta, messages and consumers, checksummed. */
  snapshot(): Buffer;

  /** Flushes and fsyncs what is pending, closes files and timers. The store can no longer be used. */
  stop(): void;
  /** stop() and remove every persisted byte of the stream. */
  delete(): void;
}

/** Where and how a FileStore keeps its files. */
export interface FileStoreOptions {
  /** The JetStream store dir (`-sd`); streams live under <storeDir>/jetstream/<account>/streams/<stream>/. */
  storeDir: string;
  account: string;
  /** fsync period in ms (Go's sync_interval); default 120000. Runs asynchronously, off the event loop. */
  syncIntervalMs?: number;
  /** fsync inside every flushPending (Go's sync_always). */
  syncAlways?: boolean;
  /** Block files roll at this many bytes; default 8 MiB. */
  blockSize?: number;
  /** Replaces file-system write calls (tests inject failures here). */
  io?: Partial<StoreIo>;
}

let lastNanos = 0;
let wallOffsetMs = Date.now() - performance.now();
let resyncAt = performance.now() + 1000;

/**
 * Now in Unix nanoseconds: the monotonic clock, re-anchored to the wall clock (as Go's time.Now)
 * every second, strictly increasing within the process so message timestamps never go backwards.
 */
export function nowNanos(): Nanos {
  const p = performance.now();
  if (p >= resyncAt) {
    wallOffsetMs = Date.now() - p;
    resyncAt = p + 1000;
  }
  const n = Math.floor((p + wallOffsetMs) * 1e6);
  lastNanos = n > lastNanos ? n : lastNanos + 256;
  return lastNanos;
}

/**
 * The next timestamp of a burst that already read the clock (messages of one socket read arrived
 * together): the smallest step after the last one handed out (256 ns, a float64's resolution at
 * today's Unix nanoseconds), without reading the clock again.
 */
export function nextNanos(): Nanos {
  lastNanos += 256;
  return lastNanos;
}
