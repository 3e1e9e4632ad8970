// Keepalive: the server side of one client's PING/PONG. Owns the ping timer,
// the count of unanswered PINGs (stale detection), and the RTT measurement
// that rides on server PINGs. It must not parse or route anything: the
// connection tells it about the client's PING and PONG, and it writes only
// through the connection's sendRaw/sendErr/close.

import { ClosedState } from "./close-reason.js";
import type { ClientConnection } from "./connection.js";

const PING = Buffer.from("PING\r\n");

/** A client that never PINGs still gets its RTT PING after this long. */
const NO_RTT_PING_BEFORE_FIRST_PONG = 2000;
const RTT_MEASUREMENT_INTERVAL = 3_600_000;

export class Keepalive {
  private pingsOut = 0;
  /** When the client last sent a PING (ms epoch): its keepalive lets ours wait. */
  lastPingIn = 0;
  /** The reply to the client's first PING has gone out (clients wait for it after CONNECT). */
  firstPongSent = false;
  private rttStart = 0;
  private rttMeasuredAt = 0;
  private pingTimer: NodeJS.Timeout | null = null;

  constructor(private readonly conn: ClientConnection) {}

  /** Arm the next ping interval (none when ping_interval is 0). */
  schedule(): void {
    const interval = this.conn.server.opts.pingInterval;
    if (interval <= 0) return;
    this.pingTimer = setTimeout(() => this.onPingTimer(), interval);
    this.pingTimer.unref();
  }

  stop(): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
  }

  /** The client answered: nothing is outstanding, and the first answer after an RTT PING sets the RTT. */
  onPong(): void {
    this.pingsOut = 0;
    if (this.rttStart > 0) {
      this.conn.rtt = performance.now() - this.rttStart;
      this.rttStart = 0;
      this.rttMeasuredAt = Date.now();
    }
  }

  /** Start an RTT measurement (a PING) unless one is under way; /connz asks for one too, as Go's does. */
  sendRttPing(): void {
    const c = this.conn;
    if (this.rttStart > 0 || c.closed) return;
    if (!this.firstPongSent && Date.now() - c.start.getTime() <= NO_RTT_PING_BEFORE_FIRST_PONG) return;
    this.sendPing();
  }

  private sendPing(): void {
    const c = this.conn;
    this.pingsOut++;
    this.rttStart = performance.now();
    if (c.server.tracing) c.server.traceOut(c, "PING");
    c.sendRaw(PING);
  }

  private onPingTimer(): void {
    this.pingTimer = null;
    const c = this.conn;
    if (c.closed) return;
    const server = c.server;
    const now = Date.now();
    const interval = server.opts.pingInterval;
    const needRtt = c.rtt < 0 || now - this.rttMeasuredAt > RTT_MEASUREMENT_INTERVAL;
    // Recent traffic or a client PING proves the connection alive: no PING needed.
    const idle = now - c.lastActivity >= interval && now - this.lastPingIn >= interval;
    if (idle || needRtt) {
      if (this.pingsOut + 1 > server.opts.pingMax) {
        server.logger.debug(`${c.label} - Stale Client Connection - Closing`);
        c.sendErr("Stale Connection");
        c.close(ClosedState.StaleConnection, true);
        return;
      }
      this.sendPing();
      server.flushAll();
    }
    this.schedule();
  }
}
