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

/** Go's default TLS handshake timeout, seconds (tsnats has no TLS options yet). */
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
  v.max_connections = o.maxConnections;
  if (o.maxSubscriptions > 0) v.max_subscriptions = o.maxSubscriptions;
  Object.assign(v, {
    ping_interval: o.pingInterval * MS_TO_NS,
    ping_max: o.pingMax,
    http_host: monitor.host,
    http_port: o.httpPort,
    http_base_path: o.httpBasePath,
    https_port: 0,
    auth_timeout: o.authTimeout / 1000,
    max_control_line: o.maxControlLine,
    max_payload: o.maxPayload,
    max_pending: o.maxPending,
    cluster: {},
    gateway: {},
    leaf: {},
    mqtt: {},
    websocket: {},
    jetstream: jetStreamVarz(server),
    tls_timeout: TLS_TIMEOUT_SECS,
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
  if (o.tags.length > 0) v.tags = [...o.tags];
  // Reported since nats-server 2.10.
  v.slow_consumer_stats = { clients: server.slowConsumers, routes: 0, gateways: 0, leafs: 0 };
  return v;
}
