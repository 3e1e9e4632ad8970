// The `$SYS.REQ.…` request services: server-wide monitoring (STATSZ, VARZ,
// CONNZ, SUBSZ, ROUTEZ, GATEWAYZ, LEAFZ, ACCOUNTZ, JSZ, HEALTHZ, IDZ) for
// PING and for this server's id, per-account ones (CONNZ, SUBSZ, INFO,
// CONNS, JSZ, LEAFZ, STATZ), account PING STATZ/CONNZ and USER.INFO. The
// monitoring JSON comes from the HTTP endpoint handlers in src/monitor
// (request options are turned into their query parameters); this file adds
// Go's envelope and filters. It answers; system-account.ts subscribes.

import type { ClientConnection } from "../server/connection.js";
import { TargetKind, type MessageTarget } from "../server/message-target.js";
import type { Server } from "../server/server.js";
import type { MonitorServer } from "../monitor/http.js";
import type { MonitorRequest, Reply, Handler } from "../monitor/types.js";
import { handleVarz } from "../monitor/varz.js";
import { handleConnz } from "../monitor/connz.js";
import { handleSubsz } from "../monitor/subsz.js";
import { handleAccountStatz, handleAccountz } from "../monitor/accountz.js";
import { handleJsz } from "../monitor/jsz.js";
import { handleHealthz } from "../monitor/healthz.js";
import { handleGatewayz, handleLeafz, handleRoutez } from "../monitor/cluster.js";
import { accountStat } from "../monitor/accountz.js";

/** What a request handler produces: data for the envelope, an error, or nothing (filtered out). */
export type Answer = { data: unknown } | { error: { code: number; description: string } } | { raw: Record<string, unknown> } | null;

/** Request options (JSON keys as Go's *Options structs) → monitoring query parameter. */
type ParamMap = Record<string, string | ((v: unknown, q: URLSearchParams) => void)>;

const CONNZ_PARAMS: ParamMap = {
  sort: "sort",
  auth: "auth",
  subscriptions: "subs",
  subscriptions_detail: (v, q) => {
    if (v === true) q.set("subs", "detail");
  },
  offset: "offset",
  limit: "limit",
  cid: "cid",
  mqtt_client: "mqtt_client",
  state: (v, q) => q.set("state", v === 1 ? "closed" : v === 2 ? "all" : "open"),
  user: "user",
  acc: "acc",
  filter_subject: "filter_subject",
};
const SUBSZ_PARAMS: ParamMap = { offset: "offset", limit: "limit", subscriptions: "subs", account: "acc", test: "test" };
const ACCOUNTZ_PARAMS: ParamMap = { account: "acc" };
const JSZ_PARAMS: ParamMap = { account: "acc", accounts: "accounts", streams: "streams", consumer: "consumers", config: "config", leader_only: "leader-only", offset: "offset", limit: "limit" };
const LEAFZ_PARAMS: ParamMap = { subscriptions: "subs", account: "acc" };
const ROUTEZ_PARAMS: ParamMap = { subscriptions: "subs", subscriptions_detail: CONNZ_PARAMS.subscriptions_detail };
const HEALTHZ_PARAMS: ParamMap = { "js-enabled-only": "js-enabled-only", "js-server-only": "js-server-only" };

/** Go's EventFilterOptions: a request names servers by these; others stay silent. */
export function filteredOut(server: Server, o: Record<string, unknown>): boolean {
  const has = (k: string) => typeof o[k] === "string" && o[k] !== "";
  if (has("server_name") && !server.serverName.includes(o.server_name as string)) return true;
  if (has("host") && !server.opts.host.includes(o.host as string)) return true;
  if (has("cluster")) return true;
  if (Array.isArray(o.tags) && o.tags.some((t) => !server.opts.tags.includes(String(t).toLowerCase()))) return true;
  if (has("domain")) return true;
  return false;
}

function queryOf(o: Record<string, unknown>, params: ParamMap): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) {
    const p = params[k];
    if (p === undefined || v === null || v === undefined) continue;
    if (typeof p === "function") p(v, q);
    else q.set(p, String(v));
  }
  return q;
}

/** The monitoring handlers need a listener; without HTTP monitoring a stand-in answers for it. */
function monitorOf(server: Server): MonitorServer {
  const m = server.extraListener("monitoring") as MonitorServer | undefined;
  if (m) return m;
  return { host: server.opts.httpHost, reqStatsObject: () => ({}) } as unknown as MonitorServer;
}

/** Run a monitoring handler and take its JSON; a bad parameter becomes Go's error answer. */
export function runMonitor(server: Server, handler: Handler, o: Record<string, unknown>, params: ParamMap, extra: Record<string, string> = {}): Answer {
  const query = queryOf(o, params);
  for (const [k, v] of Object.entries(extra)) query.set(k, v);
  const req: MonitorRequest = { server, monitor: monitorOf(server), query, count: () => {} };
  let reply: Reply;
  try {
    reply = handler(req);
  } catch (e) {
    return { error: { code: 500, description: (e as Error).message } };
  }
  if (reply.kind !== "json") return { error: { code: 500, description: reply.body } };
  return { data: JSON.parse(reply.body) };
}

/** Go answers SUBSZ requests with its whole Subsz record, even when no subscription is listed. */
function subsz(server: Server, o: Record<string, unknown>, extra: Record<string, string>): Answer {
  const a = runMonitor(server, handleSubsz, o, SUBSZ_PARAMS, extra);
  if (a === null || !("data" in a)) return a;
  const d = a.data as Record<string, unknown>;
  if (d.server_id !== undefined) return a;
  const offset = typeof o.offset === "number" && o.offset > 0 ? o.offset : 0;
  const limit = typeof o.limit === "number" && o.limit > 0 ? o.limit : 1024;
  return { data: { server_id: server.serverId, now: new Date().toISOString(), ...d, total: 0, offset, limit } };
}

/** Server-wide services by the last subject token. */
export const SERVER_SERVICES: Record<string, (server: Server, o: Record<string, unknown>) => Answer> = {
  VARZ: (s, o) => runMonitor(s, handleVarz, o, {}),
  CONNZ: (s, o) => runMonitor(s, handleConnz, o, CONNZ_PARAMS),
  SUBSZ: (s, o) => subsz(s, o, {}),
  ROUTEZ: (s, o) => runMonitor(s, handleRoutez, o, ROUTEZ_PARAMS),
  GATEWAYZ: (s, o) => runMonitor(s, handleGatewayz, o, {}),
  LEAFZ: (s, o) => runMonitor(s, handleLeafz, o, LEAFZ_PARAMS),
  ACCOUNTZ: (s, o) => runMonitor(s, handleAccountz, o, ACCOUNTZ_PARAMS),
  JSZ: (s, o) => runMonitor(s, handleJsz, o, JSZ_PARAMS),
  HEALTHZ: (s, o) => runMonitor(s, handleHealthz, o, HEALTHZ_PARAMS),
  IDZ: (s) => ({ data: { name: s.serverName, host: s.opts.host, id: s.serverId } }),
};

/** Account services by the last subject token; `acc` is the account named in the subject. */
export const ACCOUNT_SERVICES: Record<string, (server: Server, acc: string, o: Record<string, unknown>) => Answer> = {
  CONNZ: (s, acc, o) => runMonitor(s, handleConnz, o, CONNZ_PARAMS, { acc }),
  SUBSZ: (s, acc, o) => subsz(s, o, { acc, subs: "1" }),
  LEAFZ: (s, acc, o) => runMonitor(s, handleLeafz, o, LEAFZ_PARAMS, { acc }),
  JSZ: () => ({ error: { code: 500, description: "jetstream not enabled" } }),
  INFO: (s, acc, o) => {
    const a = runMonitor(s, handleAccountz, o, {}, { acc });
    if (a !== null && "data" in a) return { data: (a.data as Record<string, unknown>).account_detail };
    return a;
  },
  STATZ: (s, acc, o) => accountStatz(s, [acc], o.include_unused === true),
  CONNS: (s, acc) => {
    const a = s.accounts.get(acc);
    return a === undefined ? null : { raw: accountStat(a) };
  },
};

/** Per-account statistics (PING.STATZ and ACCOUNT.<acc>.STATZ); nothing when no listed account is in use. */
export function accountStatz(server: Server, names: string[] | null, includeUnused: boolean): Answer {
  const q: Record<string, string> = includeUnused ? { unused: "1" } : {};
  const a = runMonitor(server, handleAccountStatz, {}, {}, q);
  if (a === null || !("data" in a)) return a;
  const body = a.data as { account_statz: { acc: string }[] };
  if (names !== null) body.account_statz = body.account_statz.filter((x) => names.includes(x.acc));
  if (body.account_statz.length === 0 && !includeUnused) return null;
  return a;
}

/** Newer Go's $SYS.REQ.USER.INFO: who the requester is. */
export function userInfo(publisher: MessageTarget | null): Answer {
  if (publisher === null || publisher.kind !== TargetKind.Client) return { error: { code: 400, description: "" } };
  const conn = publisher as ClientConnection;
  const data: Record<string, unknown> = { user: conn.authUser?.name ?? conn.opts.user, account: conn.account.name };
  const perms = userPermissions(conn);
  if (perms !== undefined) data.permissions = perms;
  // A JWT or auth callout user that expires: the time left, as Go's duration (ns).
  if (conn.expiresAt > 0) data.expires = Math.max(conn.expiresAt - Date.now(), 0) * 1e6;
  return { data };
}

/** The requester's permissions as configured (Go reports them in its Permissions shape). */
function userPermissions(conn: ClientConnection): unknown {
  const u = conn.authUser;
  if (u === undefined) return undefined;
  // Users from JWTs (operator mode, auth callout) are not in the options: their compiled permissions say it.
  if (conn.jwtUser !== null || conn.calloutAuthorized) return u.permissions?.source;
  const o = conn.server.opts;
  return u.kind === "nkey" ? o.nkeys?.find((k) => k.nkey === u.name)?.permissions : o.users?.find((x) => x.username === u.name)?.permissions;
}
