// ClosedConnection: what /connz?state=closed reports of a connection that has
// gone — a few hundred bytes copied at close, so that the ring of recently
// closed connections (max_closed_clients) holds no sockets, parsers, buffers
// or subscriptions. It must stay a plain record: no behaviour, no references
// to live objects.

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
  readonly name: string;
  readonly lang: string;
  readonly version: string;
  readonly user: string;
  readonly nkey: string;
  readonly authToken: string;
  readonly jwt: string;
}

export class ClosedConnection {
  readonly cid: number;
  readonly host: string;
  readonly port: number;
  readonly start: Date;
  readonly stop: Date;
  readonly lastActivity: number;
  readonly closeReason: string;
  readonly rtt: number;
  readonly inMsgs: number;
  readonly outMsgs: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly accountName: string;
  readonly opts: ClosedConnectInfo;
  readonly jwtIdentity: ClientConnection["jwtIdentity"];
  readonly subs: readonly ClosedSubscription[];
  readonly transportType: ClientConnection["transportType"];
  /** The TLS session (a plain record too). */
  readonly tls: ConnectionTlsInfo | null;

  constructor(c: ClientConnection) {
    this.cid = c.cid;
    this.host = c.host;
    this.port = c.port;
    this.start = c.start;
    this.stop = c.stop ?? new Date();
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
    this.opts = { name: o.name, lang: o.lang, version: o.version, user: o.user, nkey: o.nkey, authToken: o.authToken === "" ? "" : "[REDACTED]", jwt: o.jwt };
    const subs: ClosedSubscription[] = [];
    for (const s of c.subs.values()) subs.push({ subject: s.subject, queue: s.queue, sid: s.sid, delivered: s.delivered, max: s.max });
    this.subs = subs;
    this.transportType = c.transportType;
    this.tls = c.tls;
  }
}
