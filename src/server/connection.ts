// ClientConnection: one client socket. Owns the connection's protocol state
// (CONNECT options, subscriptions, limits, stats, close reason), the
// per-message paths (PUB in, MSG out) and its OutboundBuffer. How CONNECT is
// authenticated and what the permissions allow is client-auth.ts; PING/PONG
// keepalive and RTT are keepalive.ts. Message routing is delegated to
// delivery.ts; listener and registry concerns belong to Server.

import { ClientProtocolParser, ParseFailure, type ProtocolHandler } from "../protocol/parser.js";
import { isValidLiteralSubject, isValidQueueName, isValidSubject, subjectText } from "../protocol/subject.js";
import type { Account } from "../accounts/account.js";
import { ClosedState, type ClosedReason } from "./close-reason.js";
import { readIntoSharedBuffer } from "./shared-read-buffer.js";
import { OutboundBuffer } from "./outbound-buffer.js";
import { Subscription } from "./subscription.js";
import { deliverMessage } from "./delivery.js";
import { TargetKind, type MessageTarget } from "./message-target.js";
import type { Server } from "./server.js";
import type { ClientSocket, ConnectionTlsInfo } from "./client-transport.js";
import { clientLabel, traceDelSub, traceMsgOut } from "./trace.js";
import type { ConfiguredUser } from "../auth/authenticator.js";
import type { ConnectionPermissions } from "../auth/permissions.js";
import { goQuote } from "../go-format/quote.js";
import { applyConnect, type ConnectOptions } from "./connect-options.js";
import type { JwtClient, JwtIdentity, JwtUserState } from "../auth/jwt/operator-auth.js";
import * as clientAuth from "./client-auth.js";
import { Keepalive } from "./keepalive.js";

export type { ConnectOptions } from "./connect-options.js";

const PONG = Buffer.from("PONG\r\n");
const OK = Buffer.from("+OK\r\n");

export class ClientConnection implements ProtocolHandler, MessageTarget, JwtClient {
  readonly kind = TargetKind.Client;
  readonly parser: ClientProtocolParser;
  readonly outbound = new OutboundBuffer();
  readonly subs = new Map<string, Subscription>();
  // Until CONNECT says otherwise Go treats a client as verbose and pedantic;
  // CONNECT changes only the fields it carries.
  opts: ConnectOptions = {
    verbose: true,
    pedantic: true,
    echo: true,
    headers: false,
    noResponders: false,
    tlsRequired: false,
    name: "",
    lang: "",
    version: "",
    protocol: 0,
    user: "",
    pass: "",
    authToken: "",
    nkey: "",
    sig: "",
    jwt: "",
    account: "",
    newAccount: false,
  };
  connectReceived = false;
  /** INFO nonce for nkey users to sign ("" when no nkey users are configured). */
  readonly nonce: string;
  /** The configured user this client authenticated as (undefined: none, or token/single user). */
  authUser: ConfiguredUser | undefined;
  /** Permission checks; null for an unrestricted client, which then pays nothing. */
  perms: ConnectionPermissions | null = null;
  /** Set only while deliveries to this client must be looked at (deny filter, allow_responses); kept by client-auth.ts. */
  deliveryCheck: ConnectionPermissions | null = null;
  /** The configured secret this client's credentials matched (a reload need not re-run bcrypt). */
  matchedSecret: string | undefined;
  /** Auth timeout until CONNECT (client-auth.ts). */
  authTimer: NodeJS.Timeout | null = null;
  /** Authenticated by the auth callout service (a reload does not re-check it against the config). */
  calloutAuthorized = false;
  /** Operator mode: the verified user JWT (null otherwise). */
  jwtUser: JwtUserState | null = null;
  /** User JWT expiry or end of its connect window (client-auth.ts). */
  expiryTimer: NodeJS.Timeout | null = null;
  /** When that is (ms epoch; 0 = never). */
  expiresAt = 0;
  /** Subscription limit: the server's, lowered by the account's or the user JWT's (Infinity = none). */
  maxSubs: number;
  /** CONNECT's echo, where delivery looks for it. */
  echo = true;
  closed = false;
  closeReason: ClosedReason | "" = "";
  /** True while queued in the server's flush list. */
  flushPending = false;

  readonly start = new Date();
  stop: Date | null = null;
  lastActivity = Date.now();
  inMsgs = 0;
  /** SUB/UNSUB ops received; with inMsgs, tells a read cycle that counts as activity. */
  private subOps = 0;
  inBytes = 0;
  outMsgs = 0;
  outBytes = 0;
  /** Round trip of a server PING, in ms (-1 = not measured); measured by the keepalive. */
  rtt = -1;
  readonly keepalive = new Keepalive(this);
  private stallTimer: NodeJS.Timeout | null = null;
  readonly host: string;
  readonly port: number;
  /** "websocket" for connections from the WebSocket listener (/connz `type`, `wid:` in log lines). */
  private transport: "nats" | "websocket" = "nats";
  /** The TLS session, once a handshake completed. */
  tls: ConnectionTlsInfo | null = null;
  /** Log/trace prefix: `ip:port - cid:N`, plus `- "v1.2.3:lang:name"` once CONNECT names the client. */
  label: string;

  constructor(
    readonly server: Server,
    /** The accepted socket; a TLS upgrade replaces it with the TLS stream. */
    public socket: ClientSocket,
    readonly cid: number,
    public account: Account,
  ) {
    this.host = socket.remoteAddress?.replace(/^::ffff:/, "") ?? "";
    this.port = socket.remotePort ?? 0;
    this.label = `${this.host}:${this.port} - cid:${cid}`;
    this.parser = new ClientProtocolParser(this, server.opts.maxControlLine);
    this.parser.maxPayload = server.opts.maxPayload;
    this.maxSubs = server.opts.maxSubscriptions > 0 ? server.opts.maxSubscriptions : Infinity;
    this.nonce = server.auth.nonceRequired ? server.auth.newNonce() : "";
  }

  get transportType(): "nats" | "websocket" {
    return this.transport;
  }

  set transportType(t: "nats" | "websocket") {
    this.transport = t;
    this.label = this.labelBase();
  }

  /** `ip:port - cid:N`; Go tags WebSocket clients `wid:` and puts a proxy's X-Forwarded-For address first. */
  private labelBase(): string {
    if (this.transport === "nats") return `${this.host}:${this.port} - cid:${this.cid}`;
    const fwd = this.socket.forwardedFor ?? "";
    return `${fwd === "" ? "" : fwd.includes(":") ? `[${fwd}]/` : `${fwd}/`}${this.host}:${this.port} - wid:${this.cid}`;
  }

  /** Called once the connection is registered: send INFO, start timers, read. */
  begin(info: Buffer): void {
    this.socket.write(info);
    this.attach(this.socket, true);
  }

  /**
   * Read from `s` (the accepted socket, or the TLS stream over it) and start
   * the keepalive. `fresh`: nothing was read from `s` yet, so a plain socket
   * may read into the shared buffer.
   */
  attach(s: ClientSocket, fresh = false): void {
    this.socket = s;
    s.setNoDelay(true);
    if (!fresh || !readIntoSharedBuffer(s, (chunk) => this.onData(chunk))) s.on("data", (chunk: Buffer) => this.onData(chunk));
    s.on("error", () => this.close(ClosedState.ReadError, false));
    s.on("end", () => this.close(ClosedState.ClientClosed, false));
    s.on("close", () => this.close(ClosedState.ClientClosed, false));
    s.on("drain", () => this.onDrain());
    clientAuth.startAuthTimer(this);
    this.keepalive.schedule();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.runParser(() => this.parser.parse(chunk));
  }

  /** One read cycle: parse (a chunk, or held input), then flush what it produced. */
  runParser(parse: () => void): void {
    const server = this.server;
    const before = this.inMsgs + this.subOps;
    server.inReadCycle = true;
    try {
      parse();
    } catch (e) {
      // A fault while handling one client's input must not take the server
      // (and every other client) down: report it and drop that client.
      server.logger.error(`${this.label} - Internal error processing client input: ${(e as Error).stack ?? e}`);
      this.close(ClosedState.ProtocolViolation, false);
    } finally {
      server.inReadCycle = false;
    }
    // Activity, as Go counts it: messages or interest changes, not PING/PONG.
    if (this.inMsgs + this.subOps !== before) this.lastActivity = Date.now();
    server.endReadCycle();
  }

  // ---- ProtocolHandler --------------------------------------------------

  onPub(subject: string, reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number): void {
    this.inMsgs++;
    this.inBytes += size;
    const server = this.server;
    if (server.tracing) server.traceIn(this, hdrLen >= 0 ? "HPUB" : "PUB", subjectText(`${subject}${reply ? " " + reply : ""}${hdrLen >= 0 ? " " + hdrLen : ""} ${size}`), buf, start, size);
    // Go reports a bad subject in pedantic mode but still processes the message.
    if (this.opts.pedantic && !isValidLiteralSubject(subject)) this.sendErr("Invalid Publish Subject");
    if (this.perms !== null && !this.perms.canPublish(subject)) {
      this.sendErr(`Permissions Violation for Publish to ${goQuote(subjectText(subject))}`);
      this.server.logger.error(`${this.label} - Publish Violation - ${clientAuth.authUserText(this)}, Subject ${goQuote(subjectText(subject))}`);
      return;
    }
    if (this.opts.verbose) this.sendOK();
    const n = deliverMessage(this.account, this, subject, reply, hdrLen, buf, start, size);
    if (n === 0 && reply !== undefined && this.opts.noResponders) this.sendNoResponders(reply);
  }

  onSub(subject: string, queue: string | undefined, sid: string): void {
    this.subOps++;
    if (this.server.tracing) this.server.traceIn(this, "SUB", subjectText(queue ? `${subject} ${queue} ${sid}` : `${subject} ${sid}`));
    if (this.perms !== null && !clientAuth.subscribeAllowed(this, subject, queue, sid)) return;
    // Go checks the limit first, even for a sid it already has.
    if (this.subs.size >= this.maxSubs) {
      this.server.logger.error(`${this.label} - maximum subscriptions exceeded`);
      this.sendErr("maximum subscriptions exceeded");
      return;
    }
    if (this.subs.has(sid)) {
      if (this.opts.verbose) this.sendOK();
      return;
    }
    if (!isValidSubject(subject) || (queue !== undefined && !isValidQueueName(queue))) {
      this.sendErr("Invalid Subject");
      return;
    }
    const sub = new Subscription(this, subject, queue, sid);
    this.subs.set(sid, sub);
    this.account.sublist.insert(sub);
    if (this.opts.verbose) this.sendOK();
  }

  onUnsub(sid: string, max: number): void {
    this.subOps++;
    if (this.server.tracing) this.server.traceIn(this, "UNSUB", max > 0 ? `${sid} ${max}` : sid);
    // Go acknowledges before removing.
    if (this.opts.verbose) this.sendOK();
    const sub = this.subs.get(sid);
    if (sub !== undefined) {
      if (max > 0 && sub.delivered < max) sub.max = max;
      else this.removeSub(sub);
    }
  }

  onPing(): void {
    if (this.server.tracing) {
      this.server.traceIn(this, "PING", "");
      this.server.traceOut(this, "PONG");
    }
    this.sendRaw(PONG);
    const keepalive = this.keepalive;
    keepalive.lastPingIn = Date.now();
    if (!this.connectReceived || keepalive.firstPongSent) return;
    keepalive.firstPongSent = true;
    // A limit changed by a reload since this client got its INFO: tell it now.
    if (this.opts.protocol >= 1 && this.parser.maxPayload !== this.server.opts.maxPayload) this.sendRaw(this.server.infoFor(this, false, true));
  }

  onPong(): void {
    if (this.server.tracing) this.server.traceIn(this, "PONG", "");
    this.keepalive.onPong();
  }

  onConnect(json: string): void {
    if (this.server.tracing) this.server.traceIn(this, "CONNECT", json);
    clientAuth.clearAuthTimer(this);
    const err = applyConnect(this.opts, json);
    if (err !== "") {
      // Go: the JSON does not decode into its options → closed without -ERR.
      this.server.logger.error(`${this.label} - ${err}`);
      this.close(ClosedState.ProtocolViolation, true);
      return;
    }
    // A browser cannot set CONNECT's jwt from a cookie it cannot read: the upgrade's jwt_cookie stands in (as Go).
    if (this.opts.jwt === "" && this.socket.cookieJwt) this.opts.jwt = this.socket.cookieJwt;
    const o = this.opts;
    this.echo = o.echo;
    this.label = clientLabel(this.labelBase(), o.version, o.lang, o.name);
    if (this.server.opts.noHeaderSupport) o.headers = false;
    this.parser.headersAllowed = o.headers;
    this.connectReceived = true;
    // Go's first RTT estimate: accept to CONNECT (so no RTT PING is needed for requests).
    if (this.rtt < 0) this.rtt = Math.max(Date.now() - this.start.getTime(), 1e-6);
    clientAuth.authenticateConnect(this);
  }

  /** The checks of CONNECT after authentication, then +OK. */
  finishConnect(): void {
    const o = this.opts;
    if (!this.server.bindAccount(this)) return;
    if (o.account !== "" || o.newAccount) return clientAuth.authViolation(this);
    if (o.protocol < 0 || o.protocol > 1) {
      this.server.logger.error(`${this.label} - invalid client protocol`);
      this.sendErr("invalid client protocol");
      this.close(ClosedState.BadClientProtocolVersion, true);
      return;
    }
    if (o.noResponders && !o.headers) {
      this.server.logger.error(`${this.label} - no responders requires headers support`);
      this.sendErr("no responders requires headers support");
      this.close(ClosedState.NoRespondersRequiresHeaders, true);
      return;
    }
    if (this.opts.verbose) this.sendOK();
    this.server.events?.clientConnected(this);
  }

  /** Move this connection (and any subscriptions it has) into `acc`. */
  moveToAccount(acc: Account): void {
    const old = this.account;
    old.clients.delete(this);
    for (const sub of this.subs.values()) old.sublist.remove(sub);
    this.account = acc;
    acc.clients.add(this);
    for (const sub of this.subs.values()) acc.sublist.insert(sub);
  }

  /** The account's limits on top of the server's (the lower one wins). */
  applyAccountLimits(): void {
    if (this.jwtUser !== null) return clientAuth.applyJwtLimits(this);
    const l = this.account.limits;
    const serverSubs = this.server.opts.maxSubscriptions > 0 ? this.server.opts.maxSubscriptions : Infinity;
    this.maxSubs = l.maxSubscriptions >= 0 ? Math.min(l.maxSubscriptions, serverSubs) : serverSubs;
    const serverPay = this.server.opts.maxPayload;
    this.parser.maxPayload = l.maxPayload >= 0 && l.maxPayload < serverPay ? l.maxPayload : serverPay;
  }

  /** Go's ClientInfo of this connection (detailed, or just account and RTT). */
  clientInfo(detailed: boolean): Record<string, unknown> {
    const rtt = this.rtt > 0 ? Math.round(this.rtt * 1e6) : 0;
    if (!detailed) return rtt > 0 ? { acc: this.account.name, rtt } : { acc: this.account.name };
    const o = this.opts;
    const ci: Record<string, unknown> = { start: this.start.toISOString(), host: this.host, id: this.cid, acc: this.account.name };
    const user = this.authUser?.name ?? o.user;
    if (user) ci.user = user;
    if (o.name) ci.name = o.name;
    if (o.lang) ci.lang = o.lang;
    if (o.version) ci.ver = o.version;
    if (rtt > 0) ci.rtt = rtt;
    ci.server = this.server.serverName;
    ci.kind = "Client";
    ci.client_type = this.transportType;
    return ci;
  }

  /** An op other than CONNECT came first: it is the no_auth_user, or it is refused. */
  onOpBeforeConnect(): void {
    clientAuth.admitWithoutConnect(this);
  }

  /** What monitoring shows of a JWT user; null for others. */
  get jwtIdentity(): JwtIdentity | null {
    return clientAuth.jwtIdentity(this);
  }

  /** JwtClient: limits changed (account update). */
  applyJwtLimits(): void {
    clientAuth.applyJwtLimits(this);
  }

  /** JwtClient: close for an operator-mode reason, with Go's -ERR. */
  closeForJwt(kind: clientAuth.JwtCloseKind): void {
    clientAuth.closeForJwt(this, kind);
  }

  /** Config reload: re-check this client's credentials and permissions against the new configuration. */
  reauthorize(): void {
    clientAuth.reauthorize(this);
  }

  onParseError(err: string, reason: ParseFailure): void {
    // As in Go: framing and argument errors are protocol violations; a client's -ERR is a parse error.
    const closeReason =
      reason === ParseFailure.MaxControlLine ? ClosedState.MaxControlLineExceeded : reason === ParseFailure.ClientError ? ClosedState.ParseError : ClosedState.ProtocolViolation;
    this.server.logger.error(`${this.label} - Client parser ERROR (${err || "bad arguments"})`);
    if (err) this.sendErr(err);
    this.close(closeReason, true);
  }

  onMaxPayload(size: number): void {
    this.server.logger.error(`${this.label} - Maximum Payload Violation: ${size} > ${this.parser.maxPayload}`);
    this.sendErr("Maximum Payload Violation");
    this.close(ClosedState.MaxPayloadExceeded, true);
  }

  // ---- delivery side ----------------------------------------------------

  /** Queue a message for this connection's subscription `sub`. */
  deliver(sub: Subscription, subject: string, reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number, _publisher?: MessageTarget | null): boolean {
    if (this.deliveryCheck !== null && !this.deliveryCheck.admitDelivery(subject, reply)) return false;
    if (hdrLen >= 0 && (!this.opts.headers || hdrLen === 0)) {
      // A client without header support gets the payload only, as a MSG; so
      // does everyone for an empty header block (Go: only hdr > 0 is HMSG).
      this.outbound.appendMsg(subject, sub.sidBytes, reply, -1, buf, start + hdrLen, size - hdrLen);
      size -= hdrLen;
    } else {
      this.outbound.appendMsg(subject, sub.sidBytes, reply, hdrLen, buf, start, size);
    }
    if (this.server.tracing) traceMsgOut(this.server.logger, this, subject, sub.sid, reply, hdrLen >= 0 && this.opts.headers ? hdrLen : -1, size);
    this.outMsgs++;
    this.outBytes += size;
    // Like the Go server, measure the RTT of a client that answers requests.
    if (reply !== undefined && this.rtt < 0 && reply.length > MIN_REPLY_LEN) this.sendRttPing();
    this.queued();
    return true;
  }

  /** MessageTarget.deliverReplyBytes: the string is made only when a permission check, the trace or an RTT ping needs it. */
  deliverReplyBytes(sub: Subscription, subject: string, reply: Buffer, replyLen: number, hdrLen: number, buf: Buffer, start: number, size: number): boolean {
    if (this.deliveryCheck !== null || this.server.tracing || this.rtt < 0) return this.deliver(sub, subject, reply.toString("latin1", 0, replyLen), hdrLen, buf, start, size);
    if (hdrLen >= 0 && (!this.opts.headers || hdrLen === 0)) {
      this.outbound.appendMsgReplyBytes(subject, sub.sidBytes, reply, replyLen, -1, buf, start + hdrLen, size - hdrLen);
      size -= hdrLen;
    } else {
      this.outbound.appendMsgReplyBytes(subject, sub.sidBytes, reply, replyLen, hdrLen, buf, start, size);
    }
    this.outMsgs++;
    this.outBytes += size;
    this.queued();
    return true;
  }

  /** Start an RTT measurement unless one is under way (/connz asks for one, as Go's does). */
  sendRttPing(): void {
    this.keepalive.sendRttPing();
  }

  /** Remove a subscription from this connection and its account. */
  removeSub(sub: Subscription): void {
    if (sub.closed) return;
    if (this.server.tracing) traceDelSub(this.server.logger, this, sub.sid);
    sub.closed = true;
    this.subs.delete(sub.sid);
    this.account.sublist.remove(sub);
  }

  /** Pending outbound bytes: queued here plus not yet taken by the kernel. */
  get pendingBytes(): number {
    return this.outbound.len + this.socket.writableLength;
  }

  private queued(): void {
    if (!this.flushPending) {
      this.flushPending = true;
      this.server.scheduleFlush(this);
    }
    // Output waits for the end of the event-loop turn (one write for many
    // reads); a large backlog goes to the socket now, and only what the
    // socket cannot take counts against max_pending.
    if (this.outbound.len >= EARLY_FLUSH_BYTES || this.pendingBytes > this.server.opts.maxPending) this.relieve();
  }

  private relieve(): void {
    this.flush();
    if (this.pendingBytes > this.server.opts.maxPending) {
      this.server.slowConsumers++;
      this.server.logger.notice(`${this.label} - Slow Consumer Detected: MaxPending of ${this.server.opts.maxPending} Exceeded`);
      this.outbound.clear();
      this.close(ClosedState.SlowConsumerPendingBytes, false);
    }
  }

  sendRaw(b: Buffer): void {
    if (this.closed) return;
    this.outbound.appendBytes(b);
    this.queued();
  }

  /** +OK for a verbose client. */
  private sendOK(): void {
    if (this.server.tracing) this.server.traceOut(this, "OK");
    this.sendRaw(OK);
  }

  sendErr(text: string): void {
    if (this.closed) return;
    if (this.server.tracing) this.server.traceOut(this, `-ERR ${text}`);
    this.outbound.appendString(`-ERR '${text}'\r\n`);
    this.queued();
  }

  private sendNoResponders(reply: string): void {
    // Deliver the 503 status to this client's own subscription on the reply subject.
    const r = this.account.sublist.match(reply);
    for (const s of r.psubs) {
      if (s.target === this) {
        this.deliver(s, reply, undefined, NO_RESPONDERS_HDR.length, NO_RESPONDERS_HDR, 0, NO_RESPONDERS_HDR.length);
        return;
      }
    }
  }

  /** Write out what is queued; called once per read cycle by the server. */
  flush(): void {
    this.flushPending = false;
    if (this.closed || this.outbound.len === 0) return;
    this.outbound.flushTo(this.socket);
    if (this.socket.writableLength > 0 && this.stallTimer === null) {
      this.stallTimer = setTimeout(() => this.onWriteDeadline(), this.server.opts.writeDeadline);
      this.stallTimer.unref();
    }
  }

  private onDrain(): void {
    if (this.stallTimer !== null) {
      clearTimeout(this.stallTimer);
      this.stallTimer = null;
    }
  }

  private onWriteDeadline(): void {
    this.stallTimer = null;
    if (this.closed || this.socket.writableLength === 0) return;
    this.server.slowConsumers++;
    this.server.logger.notice(`${this.label} - Slow Consumer Detected: WriteDeadline of ${this.server.opts.writeDeadline}ms Exceeded`);
    this.close(ClosedState.SlowConsumerWriteDeadline, false);
  }

  /**
   * Close the connection. With `flush`, queued output (an -ERR) is written
   * first. Idempotent; the first reason wins.
   */
  close(reason: ClosedReason, flush: boolean): void {
    if (this.closed) return;
    this.parser.stop();
    if (flush && this.outbound.len > 0) this.outbound.flushTo(this.socket);
    this.closed = true;
    this.closeReason = reason;
    this.stop = new Date();
    clientAuth.clearAuthTimer(this);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.keepalive.stop();
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    this.outbound.clear();
    for (const sub of this.subs.values()) {
      sub.closed = true;
      this.account.sublist.remove(sub);
    }
    this.server.removeConnection(this);
    // Go traces the removals after logging the close.
    if (this.server.tracing) for (const sub of this.subs.values()) traceDelSub(this.server.logger, this, sub.sid);
    if (flush) {
      const sock = this.socket;
      sock.once("finish", () => sock.destroy());
      sock.end();
    } else {
      this.socket.destroy();
    }
  }
}

const NO_RESPONDERS_HDR = Buffer.from("NATS/1.0 503\r\n\r\n");

/** Queued output past this is written at once instead of at the end of the turn. */
const EARLY_FLUSH_BYTES = 1024 * 1024;
/** Replies longer than this (inboxes) trigger an RTT measurement, as in the Go server. */
const MIN_REPLY_LEN = 15;
