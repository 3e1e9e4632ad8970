// SystemServices: the server's internal client in the system account. It
// publishes Go's events ($SYS.ACCOUNT.<acc>.CONNECT / DISCONNECT /
// SERVER.CONNS, $SYS.SERVER.<id>.STATSZ / SHUTDOWN / LAMEDUCK /
// CLIENT.AUTH.ERR) and answers the $SYS.REQ services (requests.ts). Events
// nobody subscribes to are not even built. It talks to the server only
// through ServerEvents and an InternalClient.

import type { Account } from "../accounts/account.js";
import type { ClientConnection } from "../server/connection.js";
import type { InternalClient } from "../server/internal-client.js";
import type { MessageTarget } from "../server/message-target.js";
import type { Server } from "../server/server.js";
import type { ServerEvents } from "../server/server-events.js";
import { ClosedState } from "../server/close-reason.js";
import { accountConnsEvent, connectEvent, disconnectEvent, serverInfo, serverStats } from "./events.js";
import { ACCOUNT_SERVICES, SERVER_SERVICES, accountStatz, filteredOut, userInfo, type Answer } from "./requests.js";

/** First STATSZ after 250ms, then doubling up to the interval (Go's start-up back-off). */
const FIRST_STATSZ_MS = 250;
const STATSZ_INTERVAL_MS = 10_000;
/** SERVER.CONNS heartbeat of an account with connections. */
const CONNS_HEARTBEAT_MS = 30_000;

export class SystemServices implements ServerEvents {
  private client: InternalClient | null = null;
  private seq = 0;
  private statszTimer: NodeJS.Timeout | null = null;
  private statszDelay = FIRST_STATSZ_MS;
  private readonly connsTimers = new Map<Account, NodeJS.Timeout>();

  constructor(private readonly server: Server) {
    this.setup();
  }

  private get id(): string {
    return this.server.serverId;
  }

  /** (Re)create the internal client and its service subscriptions in the current system account. */
  private setup(): void {
    this.client?.close();
    this.client = null;
    const sys = this.server.systemAccount;
    if (sys === null) return;
    const c = this.server.createInternalClient(sys, "$SYS");
    this.client = c;
    c.subscribe("$SYS.REQ.SERVER.PING", (_s, reply, _h, data) => this.statszRequest(reply, data));
    for (const where of ["PING", this.id]) {
      c.subscribe(`$SYS.REQ.SERVER.${where}.STATSZ`, (_s, reply, _h, data) => this.statszRequest(reply, data));
      for (const [name, service] of Object.entries(SERVER_SERVICES)) {
        c.subscribe(`$SYS.REQ.SERVER.${where}.${name}`, (_s, reply, _h, data) => this.request(reply, data, (o) => service(this.server, o)));
      }
    }
    for (const [name, service] of Object.entries(ACCOUNT_SERVICES)) {
      c.subscribe(`$SYS.REQ.ACCOUNT.*.${name}`, (subject, reply, _h, data) => {
        const acc = subject.split(".")[3];
        // The account PING subjects have their own services.
        if (acc === "PING" && name === "STATZ") return;
        if (name === "CONNS") return this.connsRequest(reply, acc);
        this.request(reply, data, (o) => service(this.server, acc, o));
      });
    }
    c.subscribe("$SYS.REQ.ACCOUNT.PING.STATZ", (_s, reply, _h, data) =>
      this.request(reply, data, (o) => accountStatz(this.server, Array.isArray(o.accounts) ? o.accounts.map(String) : null, o.include_unused === true)),
    );
    const info = (_s: string, reply: string | undefined, _h: Buffer | null, data: Buffer, publisher: MessageTarget | null) => this.request(reply, data, () => userInfo(publisher));
    c.subscribe("$SYS.REQ.USER.INFO", info);
    c.subscribe("$SYS.REQ.USER.*.INFO", info);
  }

  /** Is anyone (a subscriber or an import) listening on `subject` in the system account? */
  private interested(subject: string): boolean {
    const sys = this.server.systemAccount;
    if (sys === null || this.client === null) return false;
    const r = sys.sublist.match(subject);
    return r.psubs.length > 0 || r.qsubs.length > 0;
  }

  private send(subject: string, body: unknown): void {
    this.client?.publish(subject, undefined, JSON.stringify(body));
  }

  private nextSeq(): number {
    return ++this.seq;
  }

  /** Decode request options, apply Go's server filters, answer in Go's envelope. */
  private request(reply: string | undefined, data: Buffer, answer: (o: Record<string, unknown>) => Answer): void {
    if (!reply) return;
    let o: Record<string, unknown> = {};
    if (data.length > 0) {
      try {
        const parsed: unknown = JSON.parse(data.toString());
        if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) o = parsed as Record<string, unknown>;
      } catch (e) {
        this.send(reply, { server: serverInfo(this.server, this.nextSeq()), error: { code: 400, description: (e as Error).message } });
        return;
      }
      if (filteredOut(this.server, o)) return;
    }
    const a = answer(o);
    if (a === null) return;
    if ("raw" in a) this.send(reply, a.raw);
    else if ("error" in a) this.send(reply, { server: serverInfo(this.server, this.nextSeq()), data: null, error: a.error });
    else this.send(reply, { server: serverInfo(this.server, this.nextSeq()), data: a.data });
  }

  private statszRequest(reply: string | undefined, data: Buffer): void {
    if (data.length > 0) {
      try {
        const o: unknown = JSON.parse(data.toString());
        if (o !== null && typeof o === "object" && filteredOut(this.server, o as Record<string, unknown>)) return;
      } catch (e) {
        this.send(reply || `$SYS.SERVER.${this.id}.STATSZ`, { server: serverInfo(this.server, this.nextSeq()), error: { code: 400, description: (e as Error).message } });
        return;
      }
    }
    this.sendStatsz(reply || `$SYS.SERVER.${this.id}.STATSZ`);
  }

  private sendStatsz(subject: string): void {
    this.send(subject, { server: serverInfo(this.server, this.nextSeq()), statsz: serverStats(this.server) });
  }

  private connsRequest(reply: string | undefined, name: string): void {
    const acc = this.server.accounts.get(name);
    if (!reply || acc === undefined) return;
    this.send(reply, accountConnsEvent(this.server, this.nextSeq(), acc));
  }

  // ---- ServerEvents ----------------------------------------------------

  started(): void {
    this.scheduleStatsz();
  }

  private scheduleStatsz(): void {
    this.statszTimer = setTimeout(() => {
      const subject = `$SYS.SERVER.${this.id}.STATSZ`;
      if (this.interested(subject)) this.sendStatsz(subject);
      this.statszDelay = Math.min(this.statszDelay * 2, STATSZ_INTERVAL_MS);
      this.scheduleStatsz();
    }, this.statszDelay);
    this.statszTimer.unref();
  }

  accountConnsChanged(acc: Account): void {
    const subjects = [`$SYS.SERVER.ACCOUNT.${acc.name}.CONNS`, `$SYS.ACCOUNT.${acc.name}.SERVER.CONNS`].filter((s) => this.interested(s));
    if (subjects.length > 0) {
      const ev = accountConnsEvent(this.server, 0, acc);
      for (const s of subjects) this.send(s, { ...ev, server: serverInfo(this.server, this.nextSeq()) });
    }
    // One heartbeat per account in use, armed once (not re-armed on every change: accepts stay cheap).
    if (acc.clients.size > 0 && !this.connsTimers.has(acc)) {
      const t = setTimeout(() => {
        this.connsTimers.delete(acc);
        this.accountConnsChanged(acc);
      }, CONNS_HEARTBEAT_MS);
      t.unref();
      this.connsTimers.set(acc, t);
    }
  }

  clientConnected(conn: ClientConnection): void {
    if (conn.account === this.server.globalAccount) return;
    const subject = `$SYS.ACCOUNT.${conn.account.name}.CONNECT`;
    if (this.interested(subject)) this.send(subject, connectEvent(this.server, this.nextSeq(), conn));
  }

  clientClosed(conn: ClientConnection): void {
    const acc = conn.account;
    // As Go: a client that never got in changes no account's count; $G has no DISCONNECT events.
    if (!conn.connectReceived || conn.closeReason === ClosedState.AuthenticationViolation) return;
    this.accountConnsChanged(acc);
    if (acc === this.server.globalAccount) return;
    const subject = `$SYS.ACCOUNT.${acc.name}.DISCONNECT`;
    if (this.interested(subject)) this.send(subject, disconnectEvent(this.server, this.nextSeq(), conn, conn.closeReason));
  }

  authenticationFailed(conn: ClientConnection): void {
    const subject = `$SYS.SERVER.${this.id}.CLIENT.AUTH.ERR`;
    if (this.interested(subject)) this.send(subject, disconnectEvent(this.server, this.nextSeq(), conn, ClosedState.AuthenticationViolation));
  }

  accountsReloaded(): void {
    this.setup();
  }

  lameDuck(): void {
    const subject = `$SYS.SERVER.${this.id}.LAMEDUCK`;
    if (this.interested(subject)) this.send(subject, serverInfo(this.server, this.nextSeq()));
  }

  shutdown(): void {
    const subject = `$SYS.SERVER.${this.id}.SHUTDOWN`;
    if (this.interested(subject)) this.send(subject, serverInfo(this.server, this.nextSeq()));
    if (this.statszTimer !== null) clearTimeout(this.statszTimer);
    this.statszTimer = null;
    for (const t of this.connsTimers.values()) clearTimeout(t);
    this.connsTimers.clear();
  }
}

/** Plug the system services into a server (composition root). */
export function attachSystemServices(server: Server): void {
  server.events = new SystemServices(server);
}
