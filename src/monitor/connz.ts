// /connz: open and recently closed client connections, with Go's filters
// (cid, state, user, acc, filter_subject, mqtt_client), sort keys, paging,
// subscription lists (subs=1, subs=detail) and auth details (auth=1).
//
// Where nats-server 2.9.10 has since-fixed or odd behaviour, tsnats follows
// the sensible reading: sort=idle orders by time since last activity (fixed
// in Go 2.9.22), sort=rtt exists (Go 2.9.17), `total` counts the connections
// that pass the filters, cid with state=all looks at open and closed
// connections, an unknown acc gives an empty list, and a token is reported as
// "[REDACTED]". Go reads filter_subject only in $SYS requests; here it is
// also an HTTP parameter, with the same rule (needs acc).

import type { ClientConnection } from "../server/connection.js";
import type { Subscription } from "../server/subscription.js";
import { ClosedConnection, type ClosedSubscription } from "../server/closed-connection.js";
import { GLOBAL_ACCOUNT } from "../accounts/account.js";
import { formatTime, rttString, toJson, uptime } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { decodeBool, decodeInt, decodeSubs, decodeUint64, ParamError } from "./params.js";
import { findAccount } from "./stats.js";
import { subjectsCollide } from "../sublist/subject-trie.js";
import { subjectText } from "../protocol/subject.js";

const DEFAULT_CONN_LIST_SIZE = 1024;

const enum ConnState {
  Open,
  Closed,
  All,
}

interface ConnzOptions {
  sort: string;
  auth: boolean;
  subs: boolean;
  subsDetail: boolean;
  offset: number;
  limit: number;
  cid: number;
  state: ConnState;
  user: string;
  acc: string;
  filterSubject: string;
  mqttClient: string;
}

/** Sort keys; `cid` and `start` ascend, `uptime` and `reason` ascend, the rest descend. */
const SORT_KEYS = new Set(["cid", "start", "subs", "pending", "msgs_to", "msgs_from", "bytes_to", "bytes_from", "last", "idle", "uptime", "stop", "reason", "rtt"]);

export interface SubDetailJson {
  account?: string;
  subject: string;
  qgroup?: string;
  sid: string;
  msgs: number;
  max?: number;
  cid: number;
}

/** One subscription's detail; `account` is given for closed connections (Go keeps theirs with it). */
export function subDetail(sub: Subscription | ClosedSubscription, cid: number, account?: string): SubDetailJson {
  const d = {} as SubDetailJson;
  if (account !== undefined) d.account = account;
  d.subject = subjectText(sub.subject);
  if (sub.queue !== undefined && sub.queue !== "") d.qgroup = subjectText(sub.queue);
  d.sid = sub.sid;
  d.msgs = sub.delivered;
  if (sub.max > 0) d.max = sub.max;
  d.cid = cid;
  return d;
}

function decodeState(q: URLSearchParams): ConnState {
  const s = q.get("state") ?? "";
  if (s === "") return ConnState.Open;
  switch (s.toLowerCase()) {
    case "open":
      return ConnState.Open;
    case "closed":
      return ConnState.Closed;
    case "any":
    case "all":
      return ConnState.All;
  }
  throw new ParamError(`Error decoding state for ${s}`);
}

export function handleConnz(req: MonitorRequest): Reply {
  const q = req.query;
  const auth = decodeBool(q, "auth");
  const { subs, detail } = decodeSubs(q);
  const offset = decodeInt(q, "offset");
  const limit = decodeInt(q, "limit");
  const cid = decodeUint64(q, "cid");
  const state = decodeState(q);
  req.count();
  const opts: ConnzOptions = {
    sort: q.get("sort") ?? "",
    auth,
    subs,
    subsDetail: detail,
    offset,
    limit,
    cid,
    state,
    user: q.get("user") ?? "",
    acc: q.get("acc") ?? "",
    filterSubject: q.get("filter_subject") ?? "",
    mqttClient: q.get("mqtt_client") ?? "",
  };
  return { kind: "json", body: toJson(connz(req, opts)) };
}

export { subjectsCollide } from "../sublist/subject-trie.js";

/** A live connection, or the record of a closed one. */
type ConnView = ClientConnection | ClosedConnection;

function accountOf(c: ConnView): string {
  return c instanceof ClosedConnection ? c.accountName : c.account.name;
}

function subsOf(c: ConnView): readonly (Subscription | ClosedSubscription)[] {
  return c instanceof ClosedConnection ? c.subs : [...c.subs.values()];
}

function subCount(c: ConnView): number {
  return c instanceof ClosedConnection ? c.subs.length : c.subs.size;
}

interface Entry {
  conn: ConnView;
  closed: boolean;
  /** Values the sort keys need, numeric. */
  start: number;
  last: number;
  stop: number;
  rtt: number;
}

function connz(req: MonitorRequest, o: ConnzOptions): Record<string, unknown> {
  const { server } = req;
  const sort = o.sort === "" ? "cid" : o.sort;
  if (!SORT_KEYS.has(sort)) throw new ParamError(`invalid sorting option: ${o.sort}`);
  if (sort === "stop" && o.state !== ConnState.Closed) throw new ParamError("sort by stop only valid on closed connections");
  if (sort === "reason" && o.state !== ConnState.Closed) throw new ParamError("sort by reason only valid on closed connections");
  let filter = "";
  if (o.filterSubject !== "" && o.filterSubject !== ">") {
    if (o.acc === "") throw new ParamError("filter by subject only valid with account filtering");
    filter = o.filterSubject;
  }
  const offset = Math.max(0, o.offset);
  const limit = o.cid > 0 ? 1 : o.limit > 0 ? o.limit : DEFAULT_CONN_LIST_SIZE;
  const nowMs = Date.now();
  const result = { server_id: server.serverId, now: formatTime(nowMs), num_connections: 0, total: 0, offset, limit, connections: [] as Record<string, unknown>[] };
  if (o.acc !== "" && !findAccount(server, o.acc)) return result;

  const wantOpen = o.state !== ConnState.Closed;
  const wantClosed = o.state !== ConnState.Open;
  const matches = (c: ConnView): boolean => {
    if (o.cid > 0 && c.cid !== o.cid) return false;
    if (o.acc !== "" && accountOf(c) !== o.acc) return false;
    if (o.user !== "" && c.opts.user !== o.user) return false;
    // No MQTT clients yet: a client id filter matches nothing.
    if (o.mqttClient !== "") return false;
    return true;
  };
  const picked: { conn: ConnView; closed: boolean }[] = [];
  if (wantOpen) {
    for (const c of server.clients.values()) {
      if (!matches(c)) continue;
      if (filter !== "" && !hasCollidingSub(c, filter)) continue;
      picked.push({ conn: c, closed: false });
    }
  }
  if (wantClosed && !(o.cid > 0 && picked.length > 0)) {
    for (const c of server.closedClients) if (matches(c)) picked.push({ conn: c, closed: true });
  }

  const entries: Entry[] = picked.map(({ conn, closed }) => ({
    conn,
    closed,
    start: conn.start.getTime(),
    last: conn.lastActivity,
    stop: conn.stop?.getTime() ?? nowMs,
    rtt: conn.rtt > 0 ? conn.rtt : 0,
  }));
  sortEntries(entries, sort, nowMs);
  const page = entries.slice(Math.min(offset, entries.length), Math.min(offset + limit, entries.length));
  result.total = entries.length;
  result.num_connections = page.length;
  result.connections = page.map((e) => connInfo(e.conn, e.closed ? e.stop : nowMs, e.closed, o));
  // Like Go, ask real clients (they send a lang) without an RTT yet for one, for the next look.
  for (const e of page) if (!(e.conn instanceof ClosedConnection) && e.conn.rtt < 0 && e.conn.opts.lang) e.conn.sendRttPing();
  return result;
}

function hasCollidingSub(c: ClientConnection, filter: string): boolean {
  for (const s of c.subs.values()) if (subjectsCollide(filter, s.subject)) return true;
  return false;
}

function sortEntries(entries: Entry[], sort: string, nowMs: number): void {
  const uptimeOf = (e: Entry) => (e.closed ? e.stop : nowMs) - e.start;
  const num = (f: (e: Entry) => number, desc: boolean) => (a: Entry, b: Entry) => (desc ? f(b) - f(a) : f(a) - f(b)) || a.conn.cid - b.conn.cid;
  const cmp: Record<string, (a: Entry, b: Entry) => number> = {
    cid: num((e) => e.conn.cid, false),
    start: num((e) => e.conn.cid, false),
    subs: num((e) => subCount(e.conn), true),
    pending: num((e) => pending(e.conn), true),
    msgs_to: num((e) => e.conn.outMsgs, true),
    msgs_from: num((e) => e.conn.inMsgs, true),
    bytes_to: num((e) => e.conn.outBytes, true),
    bytes_from: num((e) => e.conn.inBytes, true),
    last: num((e) => e.last, true),
    idle: num((e) => nowMs - e.last, true),
    uptime: num(uptimeOf, false),
    stop: num((e) => e.stop, true),
    rtt: num((e) => e.rtt, true),
    reason: (a, b) => (a.conn.closeReason < b.conn.closeReason ? -1 : a.conn.closeReason > b.conn.closeReason ? 1 : a.conn.cid - b.conn.cid),
  };
  entries.sort(cmp[sort]);
}

function pending(c: ConnView): number {
  return c instanceof ClosedConnection ? 0 : c.pendingBytes;
}

/** The user a client authenticated as (nkey, user name, or a redacted token). */
function authorizedUser(c: ConnView): string {
  const o = c.opts;
  // Go keeps only the user name of a closed connection.
  if (c instanceof ClosedConnection) return o.user;
  if (o.nkey) return o.nkey;
  if (o.user) return o.user;
  if (o.authToken) return "[REDACTED]";
  return "";
}

/** One connection in Go's ConnInfo shape; `at` is now, or the stop time of a closed one. */
function connInfo(c: ConnView, at: number, closed: boolean, o: Pick<ConnzOptions, "auth" | "subs" | "subsDetail">): Record<string, unknown> {
  const ci: Record<string, unknown> = {
    cid: c.cid,
    kind: "Client",
    type: c.transportType,
    ip: c.host,
    port: c.port,
    start: formatTime(c.start),
    last_activity: formatTime(c.lastActivity),
  };
  if (closed) {
    ci.stop = formatTime(c.stop ?? at);
    ci.reason = c.closeReason;
  }
  ci.rtt = rttString(c.rtt);
  ci.uptime = uptime(at - c.start.getTime());
  ci.idle = uptime(at - c.lastActivity);
  ci.pending_bytes = pending(c);
  ci.in_msgs = c.inMsgs;
  ci.out_msgs = c.outMsgs;
  ci.in_bytes = c.inBytes;
  ci.out_bytes = c.outBytes;
  const subs = subsOf(c);
  ci.subscriptions = subs.length;
  if (c.opts.name) ci.name = c.opts.name;
  if (c.opts.lang) ci.lang = c.opts.lang;
  if (c.opts.version) ci.version = c.opts.version;
  if (c.tls) {
    ci.tls_version = c.tls.version;
    ci.tls_cipher_suite = c.tls.cipherSuite;
    // Go 2.9 lists the client's certificates only with auth=1.
    if (o.auth && c.tls.peerCerts.length > 0) ci.tls_peer_certs = c.tls.peerCerts;
  }
  if (o.auth) {
    const user = authorizedUser(c);
    if (user) ci.authorized_user = user;
    if (accountOf(c) !== GLOBAL_ACCOUNT) ci.account = accountOf(c);
  }
  if (subs.length > 0) {
    const account = closed ? accountOf(c) : undefined;
    if (o.subsDetail) ci.subscriptions_list_detail = subs.map((s) => subDetail(s, c.cid, account));
    else if (o.subs) ci.subscriptions_list = subs.map((s) => subjectText(s.subject));
  }
  if (o.auth && c.opts.jwt) ci.jwt = c.opts.jwt;
  const id = c.jwtIdentity;
  if (o.auth && id) {
    ci.issuer_key = id.issuerKey;
    if (id.nameTag) ci.name_tag = id.nameTag;
    if (id.tags.length > 0) ci.tags = id.tags;
  }
  return ci;
}
