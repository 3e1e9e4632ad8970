// ClosedConnection: what /connz?state=closed reports of a connection that has
// gone — a few hundred bytes copied at close, so that the ring of recently
// closed connections (max_closed_clients) holds no sockets, parsers, buffers
// or subscriptions. It must stay a plain record (filled from a connection, no
// other behaviour) and hold no references to live objects.

import type { ClientConnection } from "./connection.js";
import type { ConnectionTlsInfo } from "./client-transport.js";

/** A closed connection's subscription, as /connz lists it. */
export interface ClosedSubscription {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly sid: string;
  readonly delivered: number;
  readonly max: number;
}

/** The CONNECT fields monitoring shows. */
export interface ClosedConnectInfo {
  name: string;
  lang: string;
  version: string;
  user: string;
  nkey: string;
  authToken: string;
  jwt: string;
}

const NO_SUBS: readonly ClosedSubscription[] = [];

export class ClosedConnection {
  cid = 0;
  host = "";
  port = 0;
  readonly start = new Date(0);
  readonly stop = new Date(0);
  lastActivity = 0;
  closeReason = "";
  rtt = 0;
  inMsgs = 0;
  outMsgs = 0;
  inBytes = 0;
  outBytes = 0;
  accountName = "";
  readonly opts: ClosedConnectInfo = { name: "", lang: "", version: "", user: "", nkey: "", authToken: "", jwt: "" };
  jwtIdentity: ClientConnection["jwtIdentity"] = null;
  subs: readonly ClosedSubscription[] = NO_SUBS;
  transportType: ClientConnection["transportType"] = "nats";
  /** The TLS session (a plain record too). */
  tls: ConnectionTlsInfo | null = null;

  constructor(c: ClientConnection) {
    this.fill(c);
  }

  /**
   * Copy what monitoring shows of `c` into this record. The ring reuses the
   * record it evicts: closed connections then leave no garbage behind in the
   * old generation, where V8 would let it pile up until a full collection.
   */
  fill(c: ClientConnection): void {
    this.cid = c.cid;
    this.host = c.host;
    this.port = c.port;
    this.start.setTime(c.start.getTime());
    this.stop.setTime(c.stop === null ? Date.now() : c.stop.getTime());
    this.lastActivity = c.lastActivity;
    this.closeReason = c.closeReason;
    this.rtt = c.rtt;
    this.inMsgs = c.inMsgs;
    this.outMsgs = c.outMsgs;
    this.inBytes = c.inBytes;
    this.outBytes = c.outBytes;
    this.accountName = c.account.name;
    this.jwtIdentity = c.jwtIdentity;
    const o = c.opts;
    const r = this.opts;
    r.name = o.name;
    r.lang = o.lang;
    r.version = o.version;
    r.user = o.user;
    r.nkey = o.nkey;
    r.authToken = o.authToken === "" ? "" : "[REDACTED]";
    r.jwt = o.jwt;
    if (c.subs.size === 0) {
      this.subs = NO_SUBS;
    } else {
      const subs: ClosedSubscription[] = [];
      for (const s of c.subs.values()) subs.push({ subject: s.subject, queue: s.queue, sid: s.sid, delivered: s.delivered, max: s.max });
      this.subs = subs;
    }
    this.transportType = c.transportType;
    this.tls = c.tls;
  }
}

/**
 * The most recent closed connections, oldest first, at most `capacity`
 * (max_closed_clients). A fixed ring of reused records: closing a connection
 * allocates nothing once the ring is full (an array with shift/push would
 * reallocate its backing store again and again under connection churn).
 */
export class ClosedConnectionRing {
  private slots: ClosedConnection[] = [];
  /** Index of the oldest record once the ring is full. */
  private head = 0;

  get length(): number {
    return this.slots.length;
  }

  /** Record `c`, evicting the oldest when `capacity` is reached (capacity <= 0 keeps nothing). */
  add(c: ClientConnection, capacity: number): void {
    if (capacity <= 0) {
      this.slots = [];
      this.head = 0;
      return;
    }
    if (this.slots.length !== capacity && (this.slots.length > capacity || this.head !== 0)) this.resize(capacity);
    if (this.slots.length < capacity) {
      this.slots.push(new ClosedConnection(c));
      return;
    }
    this.slots[this.head].fill(c);
    this.head = (this.head + 1) % capacity;
  }

  /** Keep the newest `capacity` records, in order (max_closed_clients changed by a reload). */
  private resize(capacity: number): void {
    const ordered = [...this];
    this.slots = ordered.slice(Math.max(0, ordered.length - capacity));
    this.head = 0;
  }

  *[Symbol.iterator](): IterableIterator<ClosedConnection> {
    const n = this.slots.length;
    for (let i = 0; i < n; i++) yield this.slots[(this.head + i) % n];
  }
}
