// Syslog output as nats-server writes it (Go's log/syslog): `-s` to the
// local syslog socket, `-r udp://host:port` (or tcp://, unix://) to a remote
// one. Formats and sends messages; what to log is the Logger's business.
//
// Local messages: `<PRI>Mmm _d hh:mm:ss TAG[PID]: MSG\n` (facility daemon).
// Remote messages: `<PRI>RFC3339-TIME HOSTNAME TAG[PID]: MSG\n` (facility 0).
// Node cannot open a unix datagram socket, so a local socket that refuses a
// stream connection (the usual /dev/log) is written through the util-linux
// `logger` program, which sends the same local-format datagrams.

import { spawn, type ChildProcess } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { statSync } from "node:fs";
import { isIPv6 } from "node:net";
import { connect, type Socket } from "node:net";
import { hostname } from "node:os";
import { goQuote } from "../go-format/quote.js";

/** Syslog severities used by nats-server. */
export const Severity = { crit: 2, err: 3, warning: 4, notice: 5, debug: 7 } as const;
export type SeverityValue = (typeof Severity)[keyof typeof Severity];

const LOG_DAEMON = 3 << 3;
/** Where Go's log/syslog looks for the local syslog socket, in order. */
const LOCAL_SYSLOG_PATHS = ["/dev/log", "/var/run/syslog", "/var/run/log"];

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const p2 = (n: number) => String(n).padStart(2, "0");

/** Go's time.Stamp: `Jan _2 15:04:05` (local time). */
function stampTime(d: Date): string {
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

/** Go's time.RFC3339 in local time: `2006-01-02T15:04:05Z07:00`. */
function rfc3339Time(d: Date): string {
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? "Z" : `${off > 0 ? "+" : "-"}${p2(Math.floor(Math.abs(off) / 60))}:${p2(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}${zone}`;
}

/** One syslog message as Go's log/syslog formats it. */
function formatSyslog(pri: number, msg: string, tag: string, local: boolean, host = hostname(), now = new Date()): string {
  const nl = msg.endsWith("\n") ? "" : "\n";
  if (local) return `<${pri}>${stampTime(now)} ${tag}[${process.pid}]: ${msg}${nl}`;
  return `<${pri}>${rfc3339Time(now)} ${host} ${tag}[${process.pid}]: ${msg}${nl}`;
}

/** A syslog connection could not be set up; the message is Go's fatal text. */
export class SyslogError extends Error {}

const connectError = (detail: string) => new SyslogError(`error connecting to syslog: ${goQuote(detail)}`);

export interface SyslogWriter {
  write(severity: SeverityValue, msg: string): void;
  close(): void;
}

/** What to do when the connection fails after construction (Go: log.Fatalf). */
export type SyslogFailure = (err: SyslogError) => void;

/**
 * A stream connection (unix or tcp) that queues messages until it is up and
 * reconnects once after an error, as Go's writer retries a failed write.
 */
class StreamConn {
  private sock: Socket | null = null;
  private queue: string[] = [];
  private connected = false;
  private everConnected = false;
  private closed = false;

  constructor(
    private readonly open: () => Socket,
    private readonly onFail: (e: Error, everConnected: boolean) => void,
  ) {
    this.connect();
  }

  private connect(): void {
    const s = this.open();
    this.sock = s;
    this.connected = false;
    s.on("connect", () => {
      this.connected = this.everConnected = true;
      for (const m of this.queue) s.write(m);
      this.queue = [];
    });
    s.on("error", (e) => {
      if (this.sock === s) this.sock = null;
      if (!this.closed) this.onFail(e, this.everConnected);
    });
    s.on("close", () => {
      if (this.sock === s) this.sock = null;
    });
    s.unref();
  }

  send(m: string): void {
    if (this.closed) return;
    if (this.sock === null) this.connect();
    if (this.connected) this.sock!.write(m);
    else this.queue.push(m);
  }

  close(): void {
    this.closed = true;
    this.sock?.end();
    this.sock = null;
  }
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}

/**
 * `-s`: the local syslog daemon, facility daemon, tag = program name.
 * Throws SyslogError when there is no syslog socket at all.
 */
export class LocalSyslog implements SyslogWriter {
  private sock: Socket | null = null;
  private child: ChildProcess | null = null;
  /** Messages logged before a connection is up. */
  private pending: [number, string][] = [];
  private path = "";
  private closed = false;

  constructor(
    private readonly tag: string,
    private readonly onFailure: SyslogFailure,
    paths: readonly string[] = LOCAL_SYSLOG_PATHS,
  ) {
    const candidates = paths.filter(isSocket);
    if (candidates.length === 0) throw connectError("Unix syslog delivery error");
    this.tryPath(candidates, 0);
  }

  /** Stream first; a datagram-only socket refuses it (EPROTOTYPE), then `logger -d`. */
  private tryPath(paths: readonly string[], i: number): void {
    const path = paths[i];
    const sock = connect({ path });
    sock.unref();
    sock.on("connect", () => {
      this.path = path;
      this.sock = sock;
      for (const [pri, msg] of this.pending) sock.write(formatSyslog(pri, msg, this.tag, true));
      this.pending = [];
    });
    sock.on("error", (e) => {
      if (this.sock === sock) {
        // Broken after it worked: reconnect on the next message, as Go's writer retries.
        this.sock = null;
        return;
      }
      if (this.closed) return;
      if ((e as NodeJS.ErrnoException).code === "EPROTOTYPE") this.useLoggerProgram(path, paths, i);
      else if (i + 1 < paths.length) this.tryPath(paths, i + 1);
      else this.fail();
    });
    sock.on("close", () => {
      if (this.sock === sock) this.sock = null;
    });
  }

  private useLoggerProgram(path: string, paths: readonly string[], i: number): void {
    const child = spawn("logger", ["--prio-prefix", "-d", "-u", path, "-t", this.tag, `--id=${process.pid}`, "--socket-errors=on"], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.on("error", () => {
      if (this.child !== child) return;
      this.child = null;
      if (i + 1 < paths.length) this.tryPath(paths, i + 1);
      else this.fail();
    });
    child.on("exit", () => {
      if (this.child === child) this.child = null;
    });
    child.stdin!.on("error", () => {});
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    this.path = path;
    for (const [pri, msg] of this.pending) this.toChild(pri, msg);
    this.pending = [];
  }

  /** logger adds the `Mmm _d hh:mm:ss TAG[PID]: ` header itself; one line per message. */
  private toChild(pri: number, msg: string): void {
    this.child?.stdin?.write(`<${pri}>${msg.replace(/\n(?!$)/g, " ")}\n`);
  }

  private fail(): void {
    if (!this.closed) this.onFailure(connectError("Unix syslog delivery error"));
  }

  write(severity: SeverityValue, msg: string): void {
    if (this.closed) return;
    const pri = LOG_DAEMON | severity;
    if (this.child) this.toChild(pri, msg);
    else if (this.sock) this.sock.write(formatSyslog(pri, msg, this.tag, true));
    else {
      this.pending.push([pri, msg]);
      if (this.path && this.pending.length === 1) this.tryPath([this.path], 0);
    }
  }

  close(): void {
    this.closed = true;
    this.sock?.end();
    this.sock = null;
    this.child?.stdin?.end();
  }
}

/**
 * `-r URL`: a remote syslog over udp, tcp or a unix stream socket, facility 0.
 * Throws SyslogError for a bad URL; connection failures go to onFailure.
 */
export class RemoteSyslog implements SyslogWriter {
  private udp: UdpSocket | null = null;
  private udpHost = "";
  private udpPort = 0;
  private udpReady = false;
  private udpQueue: string[] = [];
  private udpClosing = false;
  private stream: StreamConn | null = null;
  private readonly host = hostname();

  constructor(
    url: string,
    private readonly tag: string,
    onFailure: SyslogFailure,
  ) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new SyslogError(`parse ${goQuote(url)}: invalid URL`);
    }
    const scheme = u.protocol.replace(/:$/, "");
    if (scheme === "udp") {
      this.udpHost = u.hostname.replace(/^\[|\]$/g, "");
      this.udpPort = parseInt(u.port || "514", 10);
      const udp = createSocket(isIPv6(this.udpHost) ? "udp6" : "udp4");
      this.udp = udp;
      udp.on("error", () => {});
      udp.unref();
      // Connected, a send goes out at once (no lookup per message): nothing is
      // lost when the process exits right after its last line.
      udp.connect(this.udpPort, this.udpHost, () => {
        this.udpReady = true;
        for (const m of this.udpQueue) udp.send(m);
        this.udpQueue = [];
        if (this.udpClosing) udp.close();
      });
    } else if (scheme === "tcp" || scheme === "unix") {
      const target = scheme === "tcp" ? { host: u.hostname.replace(/^\[|\]$/g, ""), port: parseInt(u.port || "514", 10) } : { path: u.pathname };
      const where = scheme === "tcp" ? `${u.hostname}:${u.port}` : u.pathname;
      this.stream = new StreamConn(
        () => connect(target as { path: string }),
        (e, everConnected) => {
          if (!everConnected) onFailure(connectError(`dial ${scheme} ${where}: ${describeSocketError(e)}`));
        },
      );
    } else {
      throw new SyslogError(`error invalid network type: ${goQuote(scheme)}`);
    }
  }

  write(severity: SeverityValue, msg: string): void {
    const line = formatSyslog(severity, msg, this.tag, false, this.host);
    if (this.udp) {
      if (this.udpReady) this.udp.send(line);
      else this.udpQueue.push(line);
    } else this.stream?.send(line);
  }

  close(): void {
    if (this.udp) {
      if (this.udpReady) this.udp.close();
      else this.udpClosing = true;
    }
    this.udp = null;
    this.stream?.close();
  }
}

function describeSocketError(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ECONNREFUSED") return "connect: connection refused";
  if (code === "ENOENT") return "connect: no such file or directory";
  return e.message;
}
