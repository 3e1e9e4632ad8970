// Server: the client listener, the registry of live and recently closed
// connections, the per-read-cycle flush list, entering lame duck mode and
// shutdown. INFO's content is client-info.ts, lame duck's closing of clients
// lame-duck.ts. It must not parse protocol bytes or route messages itself.

import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { createCurve, createServer as createServerKey, type KeyPair } from "@nats-io/nkeys";
import { GLOBAL_ACCOUNT, addMessageTotals, type Account, type MessageTotals } from "../accounts/account.js";
import { AccountRegistry, type AccountsSettings } from "../accounts/registry.js";
import { resolveOptions, type Options } from "../options.js";
import { ClientConnection } from "./connection.js";
import { ClosedState } from "./close-reason.js";
import { ClosedConnectionRing } from "./closed-connection.js";
import { listenOn } from "./listen.js";
import { Logger } from "./logger.js";
import { SERVER_VERSION, TSNATS_VERSION } from "./version.js";
import { removeProcessFiles, writeProcessFiles } from "./process-files.js";
import * as trace from "./trace.js";
import type { ExtraListener, ExtraListenerFactory } from "./extra-listener.js";
import type { ClientPortStarter, ClientSocket } from "./client-transport.js";
import { Authenticator, type ConfiguredUser } from "../auth/authenticator.js";
import { InternalClient, type InternalRouting } from "./internal-client.js";
import { deliverMessage } from "./delivery.js";
import { clientInfoLine } from "./client-info.js";
import { closeClientsGradually } from "./lame-duck.js";
import { OperatorAuthenticator, type JwtClient } from "../auth/jwt/operator-auth.js";
import { resolveTrust } from "../auth/jwt/options.js";
import { AuthCallout, type AuthCalloutConfig, type CalloutHost } from "../auth/callout.js";
import type { JwtAccount } from "../auth/jwt/jwt-account.js";
import type { ServerEvents } from "./server-events.js";

/** An internal client's publication waiting to be routed. */
interface QueuedPublish {
  from: InternalClient;
  subject: string;
  reply: string | undefined;
  hdr: Buffer | null;
  data: Buffer;
}

/** Rounds of deferred work per turn; past it the rest waits for the next turn (a handler loop cannot starve sockets). */
const MAX_DEFERRED_ROUNDS = 64;

export class Server implements InternalRouting {
  opts: Options;
  readonly logger: Logger;
  readonly serverId: string;
  readonly serverName: string;
  readonly accounts: AccountRegistry;
  /** The system event publisher, when one is plugged in (src/system). */
  events: ServerEvents | null = null;
  /** Configured credentials; replaced as a whole on reload. */
  auth: Authenticator;
  /** Operator mode: trusted keys, account resolver, JWT accounts (null otherwise). */
  readonly operator: OperatorAuthenticator | null = null;
  /** Config-mode auth callout (null when not configured). */
  readonly callout: AuthCallout | null = null;
  /** The server's identity key (signs auth callout requests). */
  readonly serverKey: KeyPair;
  private readonly calloutClients = new Map<Account, InternalClient>();
  /** The server's curve key (auth callout xkey sealing). */
  private readonly curveKey: KeyPair = createCurve();
  /** The websocket block's own credentials (user, token or no_auth_user) for WebSocket clients; null: the server's apply. */
  websocketAuth: Authenticator | null = null;
  readonly clients = new Map<number, ClientConnection>();
  /** Recently closed connections, oldest first, at most maxClosedClients. */
  readonly closedClients = new ClosedConnectionRing();
  readonly startTime = new Date();
  configLoadTime = new Date();

  totalConnections = 0;
  slowConsumers = 0;
  /** Message counters of closed connections; live ones are added in messageStats(). */
  private readonly closedTotals: MessageTotals = { inMsgs: 0, outMsgs: 0, inBytes: 0, outBytes: 0 };
  /** Listeners beside the client port (monitoring, …), in start order. */
  readonly extraListeners: ExtraListener[] = [];
  /** True while a socket's chunk is being parsed; flushes wait until it ends. */
  inReadCycle = false;
  tracing: boolean;
  lameDuck = false;
  shuttingDown = false;
  /** Set by the JetStream layer once it is enabled (INFO `jetstream`). */
  jetStreamEnabled = false;
  /**
   * Starts the JetStream engine from the current options (a reload turning it on); set by the
   * composition root, so server/ never imports jetstream/. Resolves null when it stays off.
   */
  jetStreamStarter: (() => Promise<ExtraListener | null>) | null = null;

  private listener: TcpServer | null = null;
  private nextCid = 1;
  private readonly flushList: ClientConnection[] = [];
  private flushScheduled = false;
  private readonly flushAllBound = () => {
    this.flushScheduled = false;
    this.flushAll();
  };
  /** Internal publications and end-of-cycle tasks, run after the current message (see endReadCycle). */
  private readonly internalQueue: QueuedPublish[] = [];
  private readonly cycleTasks: (() => void)[] = [];
  private deferredScheduled = false;
  private readonly runDeferredBound = () => {
    this.deferredScheduled = false;
    this.runDeferred();
    this.flushAll();
  };
  private boundPort = 0;
  private closedPromise: Promise<void> | null = null;
  private resolveClosed: (() => void) | null = null;
  private markShutdownStarted!: () => void;
  /** Resolves when shutdown begins (cuts lame duck waits short). */
  private readonly shutdownStarted = new Promise<void>((r) => (this.markShutdownStarted = r));

  constructor(
    options: Partial<Options> = {},
    private readonly extraListenerFactories: readonly ExtraListenerFactory[] = [],
    /** Starts client-port connections (TLS); without it they get INFO and are read as plain TCP. */
    private readonly clientPortStarter: ClientPortStarter | null = null,
  ) {
    this.opts = resolveOptions(options);
    this.logger = new Logger(this.opts);
    this.tracing = this.opts.trace;
    this.serverKey = createServerKey();
    this.serverId = this.serverKey.getPublicKey();
    this.serverName = this.opts.serverName || this.serverId;
    this.accounts = new AccountRegistry(() => this.nextClientId(), !this.opts.disableSublistCache);
    const { errors } = this.accounts.configure(accountsSettings(this.opts));
    if (errors.length > 0) throw new Error(errors.join("\n"));
    this.auth = new Authenticator(this.opts);
    this.websocketAuth = websocketAuthenticator(this.opts);
    const trust = resolveTrust(this.opts);
    if (typeof trust === "string") throw new Error(trust);
    if (trust.keys !== null) this.operator = new OperatorAuthenticator(trust, this.operatorHost(), this.opts.resolverPreload, this.opts.resolverPinnedAccounts);
    else if (this.opts.authCallout) this.callout = new AuthCallout(this.opts.authCallout, this.calloutHost(this.opts.authCallout.xkey !== "" ? this.curveKey : null));
  }

  private calloutHost(curveKey: KeyPair | null): CalloutHost {
    return {
      serverKey: this.serverKey,
      curveKey,
      serverIdentity: () => ({ name: this.serverName, host: this.opts.host, id: this.serverId, version: SERVER_VERSION, tags: this.opts.tags }),
      lookupAccount: (name) => this.accounts.get(name),
      internalClientFor: (a) => {
        let ic = this.calloutClients.get(a);
        if (!ic) this.calloutClients.set(a, (ic = this.createInternalClient(a, "auth callout")));
        return ic;
      },
      authTimeout: () => this.opts.authTimeout,
      debug: (m) => this.logger.debug(m),
      warn: (m) => this.logger.warn(m),
    };
  }

  private operatorHost() {
    const log = this.logger;
    return {
      adoptAccount: (id: string, system: boolean) => this.accounts.adopt(id, system),
      debug: (m: string) => log.debug(m),
      error: (m: string) => log.error(m),
      notice: (m: string) => log.notice(m),
      warn: (m: string) => log.warn(m),
      createInternalClient: (a: JwtAccount) => this.createInternalClient(a.account, "$SYS"),
      serverInfo: () => this.eventServerInfo(),
      newCallout: (cfg: AuthCalloutConfig) => new AuthCallout(cfg, this.calloutHost(cfg.xkey !== "" ? this.curveKey : null)),
      claimsChanged: (a: Account) => this.accounts.claimsChanged(a),
      clientsOf: (a: JwtAccount): JwtClient[] => [...a.account.clients].sort((x, y) => x.start.getTime() - y.start.getTime()),
    };
  }

  private eventSeq = 0;

  /** The `server` object of $SYS replies and events (Go's ServerInfo). */
  eventServerInfo(): Record<string, unknown> {
    return { name: this.serverName, host: this.opts.host, id: this.serverId, ver: SERVER_VERSION, seq: ++this.eventSeq, jetstream: false, time: new Date().toISOString() };
  }

  /** New credentials from the options (reload): every client is checked against them. */
  reloadAuthorization(): void {
    const auth = (this.auth = new Authenticator(this.opts));
    this.websocketAuth = websocketAuthenticator(this.opts);
    const clients = [...this.clients.values()];
    // As Go: a client whose user (or nkey) is gone, or now in another account, is closed without an error.
    const stay = clients.filter((c) => !this.userMovedOrGone(c, auth));
    for (const c of clients) if (!stay.includes(c)) c.close(ClosedState.ClientClosed, true);
    for (const c of stay) c.reauthorize();
    this.flushAll();
  }

  private userMovedOrGone(c: ClientConnection, auth: Authenticator): boolean {
    let u: ConfiguredUser | undefined;
    if (c.calloutAuthorized || c.jwtUser !== null) return false;
    if (c.opts.nkey !== "") u = auth.lookupNkey(c.opts.nkey);
    else if (c.opts.user !== "") u = auth.lookupUser(c.opts.user);
    else return false;
    if (u === undefined) return true;
    return (u.account ?? GLOBAL_ACCOUNT) !== c.account.name;
  }

  /** A configured user by name, with its permissions (for mapping a TLS client certificate to a user). */
  lookupUser(name: string): ConfiguredUser | undefined {
    return this.auth.lookupUser(name);
  }

  get globalAccount(): Account {
    return this.accounts.global;
  }

  get systemAccount(): Account | null {
    return this.accounts.system;
  }

  /**
   * Rebuild the accounts from the options (reload), in place so their
   * subscriptions stay. Which clients must go (users removed or moved to
   * another account) is decided by reloadAuthorization, as in Go.
   */
  applyAccounts(): void {
    // Operator mode: accounts follow their JWTs, not the config.
    if (this.operator !== null) return;
    const { errors } = this.accounts.configure(accountsSettings(this.opts));
    for (const e of errors) this.logger.error(e);
    for (const c of this.clients.values()) if (c.connectReceived) c.applyAccountLimits();
    this.events?.accountsReloaded();
  }

  /**
   * Register an authenticated client with its user's account (`$G` without
   * one), applying the account's connection limit and its other limits.
   * False when the connection was refused and closed.
   */
  bindAccount(conn: ClientConnection): boolean {
    const acc = this.accounts.get(conn.authUser?.account ?? GLOBAL_ACCOUNT) ?? this.accounts.global;
    const limit = acc.limits.maxConnections;
    if (limit >= 0 && acc !== conn.account && acc.clients.size >= limit) {
      this.logger.error(`${conn.label} - maximum account active connections exceeded`);
      conn.sendErr("maximum account active connections exceeded");
      conn.close(ClosedState.MaxAccountConnectionsExceeded, true);
      return false;
    }
    if (acc !== conn.account) {
      conn.moveToAccount(acc);
      this.events?.accountConnsChanged(acc);
    }
    conn.applyAccountLimits();
    return true;
  }

  get port(): number {
    return this.boundPort;
  }

  /** URL clients can use to connect (loopback when bound to all interfaces). */
  get clientUrl(): string {
    const h = this.opts.host === "0.0.0.0" || this.opts.host === "::" || this.opts.host === "" ? "127.0.0.1" : this.opts.host;
    return `nats://${h.includes(":") ? `[${h}]` : h}:${this.boundPort}`;
  }

  async start(): Promise<void> {
    const log = this.logger;
    log.notice(`Starting nats-server`);
    log.notice(`  Version:  ${SERVER_VERSION} (tsnats ${TSNATS_VERSION})`);
    log.notice(`  Git:      [not set]`);
    log.notice(`  Name:     ${this.serverName}`);
    log.notice(`  ID:       ${this.serverId}`);
    if (this.auth.hasPlaintextPasswords()) log.warn("Plaintext passwords detected, use nkeys or bcrypt");
    if (this.opts.configFile) log.notice(`Using configuration file: ${this.opts.configFile}`);
    if (this.operator) {
      this.operator.logStartup();
      this.operator.start();
    }
    const listener = createTcpServer({ noDelay: true }, (socket) => this.accept(socket));
    this.listener = listener;
    this.boundPort = await listenOn(listener, this.opts.host || "0.0.0.0", this.opts.port, 4096);
    listener.on("error", (e) => log.error(`Error on client listener: ${e.message}`));
    log.notice(`Listening for client connections on ${this.opts.host}:${this.boundPort}`);
    try {
      for (const start of this.extraListenerFactories) {
        const extra = await start(this);
        if (extra) this.extraListeners.push(extra);
      }
    } catch (e) {
      await Promise.all([this.closeListener(), ...this.extraListeners.map((x) => x.close())]);
      throw e;
    }
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
    writeProcessFiles(this);
    this.events?.started();
    log.notice(`Server is ready`);
  }

  /** Resolves when the server has shut down. */
  done(): Promise<void> {
    return this.closedPromise ?? Promise.resolve();
  }

  /** Listener URLs by kind, as written into the ports file. */
  listenUrls(): Record<string, string[]> {
    const host = this.opts.host === "0.0.0.0" || this.opts.host === "" ? "0.0.0.0" : this.opts.host;
    const urls: Record<string, string[]> = { nats: [`nats://${host}:${this.boundPort}`] };
    for (const x of this.extraListeners) {
      const list = x.urls();
      if (list.length > 0) urls[x.kind] = list;
    }
    return urls;
  }

  /** The running extra listener of a kind (e.g. "monitoring"), if any. */
  extraListener(kind: string): ExtraListener | undefined {
    return this.extraListeners.find((x) => x.kind === kind);
  }

  /** True while the client listener accepts connections (not in lame duck mode or shutdown). */
  get acceptingClients(): boolean {
    return this.listener !== null;
  }

  /** Server-wide message counters: closed connections plus live ones, summed on demand. */
  messageStats(): MessageTotals {
    const t = { ...this.closedTotals };
    for (const c of this.clients.values()) addMessageTotals(t, c);
    return t;
  }

  private accept(socket: Socket): void {
    this.addClient(socket, this.clientPortStarter);
  }

  /**
   * Register a client connection from any listener (client port, WebSocket)
   * and start it: `start` sends INFO and attaches the stream (plain: INFO and
   * read at once). Returns null during shutdown; a connection over the
   * limit comes back already closed.
   */
  addClient<S extends ClientSocket>(
    socket: S,
    start: ((conn: ClientConnection, socket: S, info: Buffer) => void) | null,
    transportType: ClientConnection["transportType"] = "nats",
  ): ClientConnection | null {
    if (this.shuttingDown || this.lameDuck) {
      socket.destroy();
      return null;
    }
    const cid = this.nextClientId();
    const conn = new ClientConnection(this, socket, cid, this.accounts.global);
    if (transportType !== "nats") conn.transportType = transportType;
    this.totalConnections++;
    if (this.clients.size >= this.opts.maxConnections) {
      socket.on("error", () => {});
      socket.write(this.infoFor(conn));
      this.logger.error(`${conn.label} - maximum connections exceeded`);
      conn.sendErr("maximum connections exceeded");
      conn.close(ClosedState.MaxConnectionsExceeded, true);
      return conn;
    }
    this.clients.set(cid, conn);
    this.globalAccount.clients.add(conn);
    this.logger.debug(`${conn.label} - Client connection created`);
    if (start) start(conn, socket, this.infoFor(conn));
    else conn.begin(this.infoFor(conn));
    this.events?.accountConnsChanged(this.globalAccount);
    return conn;
  }

  /**
   * The INFO line for one connection; `tlsFirst`: sent after a handshake_first handshake.
   * `async`: an INFO after CONNECT (lame duck, a changed limit).
   */
  infoFor(conn: ClientConnection, tlsFirst = false, async = false): Buffer {
    return clientInfoLine(this, conn, tlsFirst, async);
  }

  nextClientId(): number {
    return this.nextCid++;
  }

  /** An in-process client of `account` (system services, JetStream). */
  createInternalClient(account: Account, name: string): InternalClient {
    return new InternalClient(this, account, name);
  }

  queueInternalPublish(from: InternalClient, subject: string, reply: string | undefined, hdr: Buffer | null, data: Buffer): void {
    this.internalQueue.push({ from, subject, reply, hdr, data });
    this.scheduleDeferred();
  }

  /**
   * Run `task` once the current read cycle's messages are routed and before
   * output is flushed (e.g. write a batch of stored messages, then ack them).
   */
  deferToCycleEnd(task: () => void): void {
    this.cycleTasks.push(task);
    this.scheduleDeferred();
  }

  /** End of a socket's read cycle: deferred work, then one flush of every dirty connection. */
  endReadCycle(): void {
    if (this.cycleTasks.length !== 0 || this.internalQueue.length !== 0) this.runDeferred();
    if (this.flushList.length !== 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAllBound);
    }
  }

  private scheduleDeferred(): void {
    if (!this.inReadCycle && !this.deferredScheduled) {
      this.deferredScheduled = true;
      setImmediate(this.runDeferredBound);
    }
  }

  private runDeferred(): void {
    const outer = this.inReadCycle;
    this.inReadCycle = true;
    try {
      for (let round = 0; round < MAX_DEFERRED_ROUNDS && (this.cycleTasks.length !== 0 || this.internalQueue.length !== 0); round++) {
        for (const task of this.cycleTasks.splice(0)) {
          try {
            task();
          } catch (e) {
            this.logger.error(`Internal error in deferred task: ${(e as Error).stack ?? e}`);
          }
        }
        for (const p of this.internalQueue.splice(0)) this.routeInternal(p);
      }
    } finally {
      this.inReadCycle = outer;
    }
    if (this.cycleTasks.length !== 0 || this.internalQueue.length !== 0) {
      // What is left outlives this read: its views of the read buffer must become copies.
      for (const p of this.internalQueue) {
        p.data = Buffer.from(p.data);
        if (p.hdr !== null) p.hdr = Buffer.from(p.hdr);
      }
      this.deferredScheduled = true;
      setImmediate(this.runDeferredBound);
    }
  }

  private routeInternal(p: QueuedPublish): void {
    if (p.from.closed) return;
    const buf = p.hdr === null ? p.data : Buffer.concat([p.hdr, p.data]);
    try {
      deliverMessage(p.from.account, p.from, p.subject, p.reply, p.hdr === null ? -1 : p.hdr.length, buf, 0, buf.length);
    } catch (e) {
      this.logger.error(`Internal error routing "${p.subject}": ${(e as Error).stack ?? e}`);
    }
  }

  /** Queue a connection for the end-of-cycle flush. */
  scheduleFlush(conn: ClientConnection): void {
    this.flushList.push(conn);
    if (!this.inReadCycle && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAllBound);
    }
  }

  flushAll(): void {
    const list = this.flushList;
    for (let i = 0; i < list.length; i++) list[i].flush();
    list.length = 0;
  }

  removeConnection(conn: ClientConnection): void {
    if (!this.clients.delete(conn.cid)) {
      // Refused at accept (max_connections): never registered, but Go lists it as closed too.
      if (conn.closeReason === ClosedState.MaxConnectionsExceeded) this.saveClosed(conn);
      return;
    }
    conn.account.clients.delete(conn);
    addMessageTotals(this.closedTotals, conn);
    addMessageTotals(conn.account.closedTotals, conn);
    if (conn.closeReason.startsWith("Slow Consumer")) conn.account.slowConsumers++;
    this.logger.debug(`${conn.label} - Client connection closed: ${conn.closeReason}`);
    this.saveClosed(conn);
    this.events?.clientClosed(conn);
  }

  /** Keep a closed connection for /connz?state=closed (at most maxClosedClients). */
  private saveClosed(conn: ClientConnection): void {
    this.closedClients.add(conn, this.opts.maxClosedClients);
  }

  traceIn(conn: ClientConnection, op: string, args: string, payload?: Buffer, start = 0, size = 0): void {
    trace.traceIn(this.logger, conn, op, op === "CONNECT" ? trace.redactConnect(args) : args, this.opts.maxTracedMsgLen, payload, start, size);
  }

  traceOut(conn: ClientConnection, line: string): void {
    trace.traceOut(this.logger, conn, line);
  }

  /**
   * Lame duck mode, as nats-server: stop accepting, then close the clients
   * gradually (lame-duck.ts) and shut down.
   */
  async enterLameDuckMode(): Promise<void> {
    if (this.lameDuck || this.shuttingDown || !this.listener) return;
    this.lameDuck = true;
    this.logger.notice("Entering lame duck mode, stop accepting new clients");
    this.events?.lameDuck();
    // Stop accepting now; close()'s callback would wait for every client to leave.
    this.listener.close();
    this.listener = null;
    if (this.shuttingDown || this.clients.size === 0) return this.shutdown();
    if (await closeClientsGradually(this, this.shutdownStarted)) await this.shutdown();
  }

  private async closeListener(): Promise<void> {
    const l = this.listener;
    this.listener = null;
    if (!l) return;
    await new Promise<void>((r) => l.close(() => r()));
  }

  /** Graceful shutdown: stop listening, flush and close every client. */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return this.done();
    this.shuttingDown = true;
    this.markShutdownStarted();
    this.logger.notice(`Initiating Shutdown...`);
    this.operator?.close();
    this.events?.shutdown();
    this.runDeferred();
    const listenerClosed = this.closeListener();
    const extrasClosed = this.extraListeners.map((x) => x.close());
    this.flushAll();
    const open = [...this.clients.values()];
    const sockets = open.map((c) => new Promise<void>((r) => (c.socket.destroyed ? r() : c.socket.once("close", () => r()))));
    for (const c of open) c.close(ClosedState.ServerShutdown, true);
    // A peer that never reads must not hold up shutdown.
    const forced = setTimeout(() => {
      for (const c of open) c.socket.destroy();
    }, 2000);
    await Promise.all([listenerClosed, ...extrasClosed, ...sockets]);
    clearTimeout(forced);
    removeProcessFiles(this);
    this.logger.notice(`Server Exiting..`);
    this.logger.close();
    this.resolveClosed?.();
  }
}

function accountsSettings(o: Options): AccountsSettings {
  // Operator mode: accounts (the system account too) come from account JWTs, registered as they are verified.
  if (o.trustedOperators.length > 0 || o.trustedKeys !== null) return { accounts: [], systemAccount: "", noSystemAccount: true, mappings: o.mappings };
  return { accounts: o.accounts, systemAccount: o.systemAccount, noSystemAccount: o.noSystemAccount, mappings: o.mappings };
}

/**
 * Go's websocket auth override: a websocket block with its own user, token or
 * no_auth_user checks WebSocket clients against those (and the server's users
 * and nkeys) instead of the server's user and token.
 */
function websocketAuthenticator(o: Options): Authenticator | null {
  const w = o.websocket;
  if (w.username === "" && w.token === "" && w.noAuthUser === "") return null;
  return new Authenticator({ ...o, username: w.username, password: w.password, authToken: w.token, noAuthUser: w.noAuthUser });
}
