// The WebSocket listener (`websocket {}`): an HTTP(S) server whose upgrade
// requests are checked the way nats-server checks them (method, Host,
// Upgrade, Connection, key, version, origin; Go's status codes, plain-text
// bodies and "websocket handshake error" log lines), then handed to `ws`
// (noServer mode; permessage-deflate without context takeover when
// `compression` is on). Each accepted socket becomes a client connection of
// type websocket. It does not parse NATS protocol or apply auth.

import { closeHttpListener, listenOn } from "../server/listen.js";
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { isIP, type Socket } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { Server } from "../server/server.js";
import { ListenerStartError, type ExtraListener } from "../server/extra-listener.js";
import type { Options, WebsocketOptions } from "../options.js";
import { secureContextOptions } from "./tls-options.js";
import { WebsocketClientStream } from "./websocket-stream.js";

/** How often Node looks for upgrade requests past their handshake timeout. */
const TIMEOUT_CHECK_MS = 500;

interface AllowedOrigin {
  scheme: string;
  port: string;
}

/** Go's wsGetHostAndPort: host (lower case) and port, the scheme's default port when none is given. */
function hostAndPort(secure: boolean, hostport: string): [string, string] {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  const host = (m ? m[1] : hostport).replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const port = m && m[2] !== undefined ? m[2] : secure ? "443" : "80";
  return [host, port];
}

/** Does a comma-separated header hold `value` (case-insensitive), as Go's wsHeaderContains? */
function headerContains(req: IncomingMessage, name: string, value: string): boolean {
  const raw = req.headers[name.toLowerCase()];
  const all = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return all.some((h) => h.split(",").some((t) => t.trim().toLowerCase() === value.toLowerCase()));
}

/** A cookie's value from the request's Cookie headers ("" when absent). */
function cookieValue(req: IncomingMessage, name: string): string {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
  }
  return "";
}

export class WebsocketListener implements ExtraListener {
  readonly kind = "websocket";
  private readonly http: HttpServer;
  private readonly wss: WebSocketServer;
  private readonly allowed = new Map<string, AllowedOrigin>();
  private boundPort = 0;

  constructor(
    readonly server: Server,
    private readonly w: WebsocketOptions,
  ) {
    for (const origin of w.allowedOrigins) {
      try {
        const u = new URL(origin);
        const scheme = u.protocol.replace(/:$/, "");
        const [h, p] = hostAndPort(scheme === "https", u.host);
        this.allowed.set(h, { scheme, port: p });
      } catch {
        // Go keeps only origins it can parse.
      }
    }
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // The NATS parser enforces max_payload per message; a frame may carry many.
      maxPayload: server.opts.maxPending,
      skipUTF8Validation: true,
      perMessageDeflate: w.compression ? { serverNoContextTakeover: true, clientNoContextTakeover: true, threshold: 64 } : false,
    });
    const opts = { connectionsCheckingInterval: TIMEOUT_CHECK_MS, ...(w.handshakeTimeout > 0 ? { headersTimeout: w.handshakeTimeout, requestTimeout: w.handshakeTimeout } : {}) };
    this.http = w.tls
      ? createHttpsServer({ ...secureContextOptions(w.tls), requestCert: w.tls.verify, rejectUnauthorized: w.tls.verify, ...opts })
      : createHttpServer(opts);
    this.http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head));
    this.http.on("request", (req: IncomingMessage, res: ServerResponse) => this.onPlainRequest(req, res));
    this.http.on("clientError", (_e, socket) => socket.destroy());
  }

  get secure(): boolean {
    return this.w.tls !== null;
  }

  get host(): string {
    return this.w.host || "0.0.0.0";
  }

  get port(): number {
    return this.boundPort;
  }

  urls(): string[] {
    const h = this.host.includes(":") ? `[${this.host}]` : this.host;
    return [`${this.secure ? "wss" : "ws"}://${h}:${this.boundPort}`];
  }

  async listen(): Promise<void> {
    const port = this.w.port === -1 ? 0 : this.w.port;
    const http = this.http;
    this.boundPort = await listenOn(http, this.host, port);
    http.on("error", (e) => this.server.logger.error(`websocket: ${e.message}`));
  }

  async close(): Promise<void> {
    if (!this.http.listening) return;
    await closeHttpListener(this.http);
    this.wss.close();
  }

  /** Go's checks of an upgrade request, in its order: "" or [status, reason]. */
  private check(req: IncomingMessage): [number, string] | null {
    if (req.method !== "GET") return [405, "request method must be GET"];
    if (!req.headers.host) return [400, "'Host' missing in request"];
    if (!headerContains(req, "Upgrade", "websocket")) return [400, "invalid value for header 'Upgrade'"];
    if (!headerContains(req, "Connection", "Upgrade")) return [400, "invalid value for header 'Connection'"];
    if (!req.headers["sec-websocket-key"]) return [400, "key missing"];
    if (!headerContains(req, "Sec-Websocket-Version", "13")) return [400, "invalid version"];
    const originErr = this.checkOrigin(req);
    if (originErr) return [403, `origin not allowed: ${originErr}`];
    return null;
  }

  private checkOrigin(req: IncomingMessage): string {
    if (!this.w.sameOrigin && this.allowed.size === 0) return "";
    const origin = (req.headers["origin"] as string | undefined) || (req.headers["sec-websocket-origin"] as string | undefined) || "";
    // No Origin: not a browser, the origin model does not apply.
    if (origin === "") return "";
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return `parse ${JSON.stringify(origin)}: invalid URI for request`;
    }
    const scheme = u.protocol.replace(/:$/, "");
    const [oh, op] = hostAndPort(scheme === "https", u.host);
    if (this.w.sameOrigin) {
      const [rh, rp] = hostAndPort(this.secure, req.headers.host ?? "");
      if (oh !== rh || op !== rp) return "not same origin";
    }
    if (this.allowed.size > 0) {
      const a = this.allowed.get(oh);
      if (!a || a.scheme !== scheme || a.port !== op) return "not in the allowed list";
    }
    return "";
  }

  private logRefusal(req: IncomingMessage, reason: string): void {
    const s = req.socket;
    const addr = (s.remoteAddress ?? "").replace(/^::ffff:/, "");
    this.server.logger.error(`${addr.includes(":") ? `[${addr}]` : addr}:${s.remotePort} - websocket handshake error: ${reason}`);
  }

  /** A request without an upgrade: Go answers it through the same checks. */
  private onPlainRequest(req: IncomingMessage, res: ServerResponse): void {
    const [status, reason] = this.check(req) ?? [400, "invalid value for header 'Upgrade'"];
    this.logRefusal(req, reason);
    const body = `${STATUS_CODES[status]}\n`;
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Sec-Websocket-Version": "13", "X-Content-Type-Options": "nosniff", "Content-Length": body.length });
    res.end(body);
  }

  private refuseUpgrade(socket: Socket, req: IncomingMessage, status: number, reason: string): void {
    this.logRefusal(req, reason);
    const body = `${STATUS_CODES[status]}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nSec-Websocket-Version: 13\r\nX-Content-Type-Options: nosniff\r\n` +
        `Date: ${new Date().toUTCString()}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on("error", () => {});
    const server = this.server;
    if (server.shuttingDown || server.lameDuck) {
      socket.destroy();
      return;
    }
    const refused = this.check(req);
    if (refused) {
      this.refuseUpgrade(socket, req, refused[0], refused[1]);
      return;
    }
    if (head.length > 0) {
      this.refuseUpgrade(socket, req, 400, "client sent data before handshake is complete");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const stream = new WebsocketClientStream(ws, socket);
      if (this.w.jwtCookie) stream.cookieJwt = cookieValue(req, this.w.jwtCookie);
      // Go takes the first X-Forwarded-For header as it is, when it is one IP address.
      const fwd = req.headersDistinct["x-forwarded-for"]?.[0]?.trim() ?? "";
      if (isIP(fwd) !== 0) stream.forwardedFor = fwd;
      stream.conn = server.addClient(stream, null, "websocket");
    });
  }
}

/** Go's validateWebsocketOptions, the part tsnats can check: "" or the error. */
export function checkWebsocketOptions(o: Options): string {
  const w = o.websocket;
  if (w.port === 0) return "";
  if (w.tls === null && !w.noTls) return "websocket requires TLS configuration";
  if (w.noAuthUser !== "") {
    if (o.users === null) return `no_auth_user: "${w.noAuthUser}" present, but users are not defined`;
    if (!o.users.some((u) => u.username === w.noAuthUser)) return `no_auth_user: "${w.noAuthUser}" not present as user in authorization block or account configuration`;
  }
  if ((o.users !== null && o.users.length > 0) || (o.nkeys !== null && o.nkeys.length > 0)) {
    if (w.username !== "") return "websocket authentication username not compatible with presence of users/nkeys";
    if (w.token !== "") return "websocket authentication token not compatible with presence of users/nkeys";
  }
  return "";
}

/** The WebSocket listener when `websocket.port` is set; Go's startup checks first. */
export async function startWebsocket(server: Server): Promise<WebsocketListener | null> {
  const w = server.opts.websocket;
  if (w.port === 0) return null;
  const invalid = checkWebsocketOptions(server.opts);
  if (invalid) throw new Error(invalid);
  const l = new WebsocketListener(server, w);
  try {
    await l.listen();
  } catch (e) {
    throw new ListenerStartError(`Unable to listen for websocket connections: ${(e as Error).message}`);
  }
  server.logger.notice(`Listening for websocket clients on ${l.urls()[0]}`);
  if (!l.secure) server.logger.warn("Websocket not configured with TLS. DO NOT USE IN PRODUCTION!");
  return l;
}
