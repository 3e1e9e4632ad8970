// The JSON of Go's system events, built from server and connection state:
// the server envelope (ServerInfo with its sequence number), ClientInfo of a
// connection, CONNECT / DISCONNECT / auth-error advisories, account
// connection counts (SERVER.CONNS) and server statistics (STATSZ). Builders
// only; publishing belongs to system-account.ts.

import type { Account } from "../accounts/account.js";
import type { ClientConnection } from "../server/connection.js";
import type { Server } from "../server/server.js";
import { newEventId } from "../server/nuid.js";
import { SERVER_VERSION } from "../server/version.js";
import { formatTime } from "../monitor/format.js";
import { processUsage, subscriptionCount } from "../monitor/stats.js";
import { accountStat } from "../monitor/accountz.js";

export const CONNECT_EVENT_TYPE = "io.nats.server.advisory.v1.client_connect";
export const DISCONNECT_EVENT_TYPE = "io.nats.server.advisory.v1.client_disconnect";
export const ACCOUNT_CONNS_TYPE = "io.nats.server.advisory.v1.account_connections";

/** Go's ServerInfo envelope; `seq` counts the system client's messages. */
export function serverInfo(server: Server, seq: number): Record<string, unknown> {
  const si: Record<string, unknown> = { name: server.serverName, host: server.opts.host, id: server.serverId, ver: SERVER_VERSION };
  if (server.opts.tags.length > 0) si.tags = [...server.opts.tags];
  si.seq = seq;
  si.jetstream = false;
  si.time = new Date().toISOString();
  return si;
}

const nsOf = (ms: number) => (ms > 0 ? Math.round(ms * 1e6) : 0);

/** ClientInfo as connect/disconnect events carry it (`stop` set for a closed connection). */
export function eventClientInfo(conn: ClientConnection, withRtt: boolean, stop: Date | null): Record<string, unknown> {
  const o = conn.opts;
  const ci: Record<string, unknown> = { start: formatTime(conn.start), host: conn.host, id: conn.cid, acc: conn.account.name };
  const user = conn.authUser?.name ?? o.user;
  if (user) ci.user = user;
  if (o.name) ci.name = o.name;
  if (o.lang) ci.lang = o.lang;
  if (o.version) ci.ver = o.version;
  if (withRtt && nsOf(conn.rtt) > 0) ci.rtt = nsOf(conn.rtt);
  if (stop) ci.stop = formatTime(stop);
  if (o.jwt) ci.jwt = o.jwt;
  ci.kind = "Client";
  ci.client_type = conn.transportType;
  return ci;
}

function typed(type: string, at: Date): Record<string, unknown> {
  return { type, id: newEventId(), timestamp: formatTime(at) };
}

export function connectEvent(server: Server, seq: number, conn: ClientConnection): Record<string, unknown> {
  return { ...typed(CONNECT_EVENT_TYPE, new Date()), server: serverInfo(server, seq), client: eventClientInfo(conn, false, null) };
}

/** DISCONNECT (and CLIENT.AUTH.ERR): the client's own view, sent = what it published. */
export function disconnectEvent(server: Server, seq: number, conn: ClientConnection, reason: string): Record<string, unknown> {
  const stop = conn.stop ?? new Date();
  return {
    ...typed(DISCONNECT_EVENT_TYPE, stop),
    server: serverInfo(server, seq),
    client: eventClientInfo(conn, true, stop),
    sent: { msgs: conn.inMsgs, bytes: conn.inBytes },
    received: { msgs: conn.outMsgs, bytes: conn.outBytes },
    reason,
  };
}

export function accountConnsEvent(server: Server, seq: number, acc: Account): Record<string, unknown> {
  return { ...typed(ACCOUNT_CONNS_TYPE, new Date()), server: serverInfo(server, seq), ...accountStat(acc) };
}

/** Go's ServerStats. */
export function serverStats(server: Server): Record<string, unknown> {
  const usage = processUsage();
  const totals = server.messageStats();
  let active = 0;
  for (const a of server.accounts.list()) if (a.clients.size > 0) active++;
  return {
    start: formatTime(server.startTime),
    mem: usage.mem,
    cores: usage.cores,
    cpu: usage.cpu,
    connections: server.clients.size,
    total_connections: server.totalConnections,
    active_accounts: active,
    subscriptions: subscriptionCount(server),
    sent: { msgs: totals.outMsgs, bytes: totals.outBytes },
    received: { msgs: totals.inMsgs, bytes: totals.inBytes },
    slow_consumers: server.slowConsumers,
    active_servers: 1,
  };
}
