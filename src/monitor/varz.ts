// /varz: general server information, limits, and runtime counters, with the
// field names and units of the Go server (durations in nanoseconds, timeouts
// in seconds). Subsystems tsnats lacks so far report Go's empty values.

import { PROTOCOL_VERSION, RUNTIME_VERSION, SERVER_VERSION } from "../server/version.js";
import { formatTime, toJson, uptime } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { processUsage, subscriptionCount } from "./stats.js";
import type { Server } from "../server/server.js";
import type { JetStream } from "../jetstream/jetstream.js";
import { configJson, statsJson } from "../jetstream/monitoring.js";

/** Go's JetStreamVarz: config and stats when enabled, {} when not. */
function jetStreamVarz(server: Server): Record<string, unknown> {
  const js = server.extraListener("jetstream") as JetStream | undefined;
  return js ? { config: configJson(js), stats: statsJson(js) } : {};
}

/** Go's default TLS handshake timeout, seconds. */
const TLS_TIMEOUT_SECS = 2;
const MS_TO_NS = 1_000_000;

export function handleVarz(req: MonitorRequest): Reply {
  req.count();
  return { kind: "json", body: toJson(varz(req)) };
}

function varz(req: MonitorRequest): Record<string, unknown> {
  const { server, monitor } = req;
  const o = server.opts;
  const usage = processUsage();
  const totals = server.messageStats();
  const now = Date.now();
  const v: Record<string, unknown> = {
    server_id: server.serverId,
    server_name: server.serverName,
    version: SERVER_VERSION,
    proto: PROTOCOL_VERSION,
    go: RUNTIME_VERSION,
    host: o.host,
    port: server.port,
  };
  if (server.auth.required) v.auth_required = true;
  if (o.tls && !o.allowNonTls) v.tls_required = true;
  if (o.tls?.verify) v.tls_verify = true;
  v.max_connections = o.maxConnections;
  if (o.maxSubscriptions > 0) v.max_subscriptions = o.maxSubscriptions;
  Object.assign(v, {
    ping_interval: o.pingInterval * MS_TO_NS,
    ping_max: o.pingMax,
    http_host: monitor.host,
    http_port: o.httpPort,
    http_base_path: o.httpBasePath,
    https_port: o.httpsPort,
    auth_timeout: o.authTimeout / 1000,
    max_control_line: o.maxControlLine,
    max_payload: o.maxPayload,
    max_pending: o.maxPending,
    cluster: {},
    gateway: {},
    leaf: {},
    mqtt: {},
    websocket: websocketVarz(req),
    jetstream: jetStreamVarz(server),
    tls_timeout: o.tls ? o.tls.timeout / 1000 : TLS_TIMEOUT_SECS,
    write_deadline: o.writeDeadline * MS_TO_NS,
    start: formatTime(server.startTime),
    now: formatTime(now),
    uptime: uptime(now - server.startTime.getTime()),
    mem: usage.mem,
    cores: usage.cores,
    // One JavaScript thread runs the server.
    gomaxprocs: 1,
    cpu: usage.cpu,
    connections: server.clients.size,
    total_connections: server.totalConnections,
    routes: 0,
    remotes: 0,
    leafnodes: 0,
    in_msgs: totals.inMsgs,
    out_msgs: totals.outMsgs,
    in_bytes: totals.inBytes,
    out_bytes: totals.outBytes,
    slow_consumers: server.slowConsumers,
    subscriptions: subscriptionCount(server),
    http_req_stats: monitor.reqStatsObject(),
    config_load_time: formatTime(server.configLoadTime),
  });
  if (server.systemAccount !== null) v.system_account = server.systemAccount.name;
  if (o.tags.length > 0) v.tags = [...o.tags];
  // Reported since nats-server 2.10.
  v.slow_consumer_stats = { clients: server.slowConsumers, routes: 0, gateways: 0, leafs: 0 };
  return v;
}

/** Go's WebsocketOptsVarz: the configured fields, empty ones left out; the bound port once listening. */
function websocketVarz(req: MonitorRequest): Record<string, unknown> {
  const w = req.server.opts.websocket;
  const out: Record<string, unknown> = {};
  if (w.port === 0) return out;
  const listener = req.server.extraListener("websocket");
  if (listener) out.host = listener.host;
  else if (w.host) out.host = w.host;
  const port = listener ? listener.port : w.port;
  if (port !== 0) out.port = port;
  if (w.advertise) out.advertise = w.advertise;
  if (w.noAuthUser) out.no_auth_user = w.noAuthUser;
  if (w.jwtCookie) out.jwt_cookie = w.jwtCookie;
  if (w.handshakeTimeout > 0) out.handshake_timeout = w.handshakeTimeout * MS_TO_NS;
  if (w.authTimeout > 0) out.auth_timeout = w.authTimeout;
  if (w.noTls) out.no_tls = true;
  if (w.tls?.map) out.tls_map = true;
  if (w.sameOrigin) out.same_origin = true;
  if (w.allowedOrigins.length > 0) out.allowed_origins = [...w.allowedOrigins];
  if (w.compression) out.compression = true;
  return out;
}
