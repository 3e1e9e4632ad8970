// MonitorServer: the HTTP monitoring listener (nats-server `-m`). Routes
// requests under the base path to the endpoint handlers, counts requests per
// endpoint for /varz `http_req_stats`, and writes replies the way the Go
// server does (JSON or JSONP with `callback=`, plain-text 400s, Go's 404).
// With `-ms`/`https_port` the same listener speaks HTTPS with the `tls`
// block's certificate (no client certificates asked, as Go).

import { closeHttpListener, listenOn } from "../server/listen.js";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { secureContextOptions } from "../transport/tls-options.js";
import type { Server } from "../server/server.js";
import { ListenerStartError, type ExtraListener } from "../server/extra-listener.js";
import { ParamError } from "./params.js";
import { cleanPath, joinPath, normalizeBasePath, Paths, type Handler, type MonitorRequest, type Reply } from "./types.js";
import { handleRoot } from "./root.js";
import { handleVarz } from "./varz.js";
import { handleConnz } from "./connz.js";
import { handleSubsz } from "./subsz.js";
import { handleGatewayz, handleLeafz, handleRoutez } from "./cluster.js";
import { handleAccountStatz, handleAccountz } from "./accountz.js";
import { handleJsz } from "./jsz.js";
import { handleHealthz } from "./healthz.js";

const ROUTES: [path: string, statsKey: string, handler: Handler][] = [
  [Paths.varz, Paths.varz, handleVarz],
  [Paths.connz, Paths.connz, handleConnz],
  [Paths.routez, Paths.routez, handleRoutez],
  [Paths.gatewayz, Paths.gatewayz, handleGatewayz],
  [Paths.leafz, Paths.leafz, handleLeafz],
  [Paths.subsz, Paths.subsz, handleSubsz],
  // Old name of /subsz, counted as /subsz.
  ["/subscriptionsz", Paths.subsz, handleSubsz],
  [Paths.accountz, Paths.accountz, handleAccountz],
  [Paths.accstatz, Paths.accstatz, handleAccountStatz],
  [Paths.jsz, Paths.jsz, handleJsz],
  [Paths.healthz, Paths.healthz, handleHealthz],
  // Go's internal queue report; tsnats has no such queues.
  ["/ipqueuesz", "", () => ({ kind: "json", body: "{}" })],
];

export class MonitorServer implements ExtraListener {
  readonly kind = "monitoring";
  readonly basePath: string;
  /** Requests per endpoint (Go's httpReqStats). */
  readonly reqStats = new Map<string, number>();
  private readonly routes = new Map<string, [statsKey: string, handler: Handler]>();
  private readonly http: HttpServer;
  private boundPort = 0;

  constructor(
    readonly server: Server,
    /** HTTPS (`https_port`) rather than HTTP. */
    readonly secure = false,
  ) {
    this.basePath = normalizeBasePath(server.opts.httpBasePath);
    for (const [p, key, h] of ROUTES) this.routes.set(joinPath(this.basePath, p), [key, h]);
    const onRequest = (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res);
    this.http = secure && server.opts.tls
      ? createHttpsServer({ ...secureContextOptions(server.opts.tls), maxHeaderSize: 1 << 20 }, onRequest)
      : createServer({ maxHeaderSize: 1 << 20 }, onRequest);
  }

  get scheme(): string {
    return this.secure ? "https" : "http";
  }

  get port(): number {
    return this.boundPort;
  }

  urls(): string[] {
    const h = this.host.includes(":") ? `[${this.host}]` : this.host;
    return [`${this.scheme}://${h}:${this.boundPort}`];
  }

  /** The host the listener binds: http_host, else the client host (as Go defaults it). */
  get host(): string {
    return this.server.opts.httpHost || this.server.opts.host || "0.0.0.0";
  }

  async listen(): Promise<void> {
    const configured = this.secure ? this.server.opts.httpsPort : this.server.opts.httpPort;
    const port = configured === -1 ? 0 : configured;
    const http = this.http;
    this.boundPort = await listenOn(http, this.host, port);
    http.on("error", (e) => this.server.logger.error(`monitoring: ${e.message}`));
    http.on("clientError", (_e, socket) => socket.destroy());
  }

  close(): Promise<void> {
    return closeHttpListener(this.http);
  }

  /** Requests counted so far, keys sorted as Go marshals a map. */
  reqStatsObject(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of [...this.reqStats.keys()].sort()) out[k] = this.reqStats.get(k)!;
    return out;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const raw = req.url ?? "/";
    const qi = raw.indexOf("?");
    const rawPath = qi >= 0 ? raw.slice(0, qi) : raw;
    const rawQuery = qi >= 0 ? raw.slice(qi + 1) : "";
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      this.send(res, undefined, { kind: "text", status: 400, body: "400 Bad Request" });
      return;
    }
    if (!path.startsWith("/")) path = `/${path}`;
    // Like Go's ServeMux: redirect to the clean path, keeping a trailing slash.
    let clean = cleanPath(path);
    if (path.endsWith("/") && clean !== "/") clean += "/";
    if (clean !== path) {
      const loc = clean + (rawQuery ? `?${rawQuery}` : "");
      res.writeHead(301, { Location: loc, "Content-Type": "text/html; charset=utf-8" });
      res.end(`<a href="${loc}">Moved Permanently</a>.\n\n`);
      return;
    }
    const query = new URLSearchParams(rawQuery);
    let reply: Reply;
    try {
      reply = this.dispatch(path, query);
    } catch (e) {
      if (e instanceof ParamError) {
        reply = { kind: "text", status: 400, body: e.message };
      } else {
        this.server.logger.error(`monitoring: error handling ${path}: ${(e as Error).stack ?? e}`);
        reply = { kind: "text", status: 500, body: "Internal Server Error" };
      }
    }
    this.send(res, query, reply);
  }

  private dispatch(path: string, query: URLSearchParams): Reply {
    const route = this.routes.get(path);
    const ctx = (key: string): MonitorRequest => ({
      server: this.server,
      monitor: this,
      query,
      count: () => {
        if (key) this.reqStats.set(key, (this.reqStats.get(key) ?? 0) + 1);
      },
    });
    if (route) return route[1](ctx(route[0]));
    if (path === this.basePath) return handleRoot(ctx(Paths.root));
    return NOT_FOUND;
  }

  private send(res: ServerResponse, query: URLSearchParams | undefined, reply: Reply): void {
    if (reply === NOT_FOUND) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
      res.end("404 page not found\n");
      return;
    }
    if (reply.kind === "html") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(reply.body);
      return;
    }
    const status = reply.status ?? 200;
    if (reply.kind === "text" || status !== 200) {
      // Go sets the status before the content type, so non-200 bodies are sniffed as text.
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(reply.kind === "json" ? this.jsonp(query, reply.body) : reply.body);
      return;
    }
    const callback = query?.get("callback") ?? "";
    res.writeHead(200, { "Content-Type": callback ? "application/javascript" : "application/json" });
    res.end(this.jsonp(query, reply.body));
  }

  private jsonp(query: URLSearchParams | undefined, body: string): string {
    const callback = query?.get("callback") ?? "";
    return callback ? `${callback}(${body})` : body;
  }
}

const NOT_FOUND: Reply = { kind: "text", status: 404, body: "" };

/** The monitoring listener when the options ask for one (http port not 0). */
export async function startMonitor(server: Server): Promise<MonitorServer | null> {
  if (server.opts.httpPort === 0) return null;
  return listenMonitor(new MonitorServer(server));
}

/** The HTTPS monitoring listener (https port not 0), refused as Go refuses it. */
export async function startHttpsMonitor(server: Server): Promise<MonitorServer | null> {
  const o = server.opts;
  if (o.httpsPort === 0) return null;
  if (o.httpPort !== 0) throw new ListenerStartError(`Can't start monitoring: can't specify both HTTP (${o.httpPort}) and HTTPs (${o.httpsPort}) ports`);
  if (o.tls === null) throw new ListenerStartError("Can't start monitoring: TLS cert and key required for HTTPS");
  return listenMonitor(new MonitorServer(server, true));
}

async function listenMonitor(m: MonitorServer): Promise<MonitorServer> {
  try {
    await m.listen();
  } catch (e) {
    throw new ListenerStartError(`Can't start monitoring: can't listen to the monitor port: ${(e as Error).message}`);
  }
  const h = m.host.includes(":") ? `[${m.host}]` : m.host;
  m.server.logger.notice(`Starting ${m.scheme} monitor on ${h}:${m.port}`);
  return m;
}
