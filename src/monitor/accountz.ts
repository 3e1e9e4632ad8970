// /accountz: the account names, or with acc= one account's details (client
// count, subscriptions and its sublist statistics). /accstatz: per-account
// connection and message counters, for accounts with connections unless
// unused=1.

import type { Account } from "../accounts/account.js";
import { formatTime, toJson } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { decodeBool, ParamError } from "./params.js";
import { accountsOf, findAccount, sublistStats } from "./stats.js";
import { subjectText } from "../protocol/subject.js";
import type { JetStream } from "../jetstream/jetstream.js";

/** The running JetStream engine, if any (a type-only import: monitoring does not load it). */
function jetStreamOf(req: MonitorRequest): JetStream | undefined {
  return req.server.extraListener("jetstream") as JetStream | undefined;
}

export function handleAccountz(req: MonitorRequest): Reply {
  req.count();
  const { server } = req;
  const name = req.query.get("acc") ?? "";
  const body: Record<string, unknown> = { server_id: server.serverId, now: formatTime(Date.now()) };
  if (server.systemAccount !== null) body.system_account = server.systemAccount.name;
  if (name === "") {
    body.accounts = accountsOf(server).map((a) => a.name);
  } else {
    const acc = findAccount(server, name);
    if (!acc) throw new ParamError(`Account ${name} does not exist`);
    body.account_detail = accountDetail(req, acc);
  }
  return { kind: "json", body: toJson(body) };
}

function accountDetail(req: MonitorRequest, acc: Account): Record<string, unknown> {
  const d: Record<string, unknown> = {
    account_name: acc.name,
    update_time: formatTime(acc.updated),
    expired: false,
    complete: true,
    jetstream_enabled: jetStreamOf(req)?.accounts.has(acc) ?? false,
    leafnode_connections: 0,
    client_connections: acc.clients.size,
    subscriptions: acc.sublist.size,
  };
  // Mappings as configured (Go shows its internal cumulative weights instead).
  const mappings = acc === req.server.globalAccount ? req.server.opts.mappings : (req.server.opts.accounts.find((a) => a.name === acc.name)?.mappings ?? []);
  if (mappings.length > 0) {
    const m: Record<string, unknown[]> = {};
    // Go marshals the map with sorted keys.
    for (const { source, destinations } of [...mappings].sort((x, y) => (x.source < y.source ? -1 : x.source > y.source ? 1 : 0))) {
      m[source] = destinations.map((dst) => (dst.cluster ? { subject: dst.subject, weight: dst.weight, cluster: dst.cluster } : { subject: dst.subject, weight: dst.weight }));
    }
    d.mappings = m;
  }
  // Go lists service exports, then stream exports; each only when present
  // (an account token position is not shown, as in Go 2.9).
  const exports: Record<string, unknown>[] = [];
  for (const se of acc.serviceExports.values()) {
    const e: Record<string, unknown> = { subject: subjectText(se.subject), type: "service", response_type: se.responseType };
    if (se.latency) e.service_latency = { sampling: se.latency.sampling, results: se.latency.subject };
    if (se.auth.approved) e.approved_accounts = [...se.auth.approved];
    exports.push(e);
  }
  for (const ex of acc.streamExports.values()) {
    const e: Record<string, unknown> = { subject: subjectText(ex.subject), type: "stream" };
    if (ex.auth.approved) e.approved_accounts = [...ex.auth.approved];
    exports.push(e);
  }
  if (exports.length > 0) d.exports = exports;
  const imports: Record<string, unknown>[] = [];
  // As Go: a stream import names the exporter's subject and its local one, a service import the local subject and the exporter's.
  for (const si of acc.streamImports) {
    imports.push({ subject: subjectText(si.from), account: si.exporter.name, local_subject: subjectText(si.to), type: "stream", invalid: false, share: false, tracking: false });
  }
  for (const si of acc.serviceImports.values()) {
    const lat = si.serviceExport?.latency;
    const e: Record<string, unknown> = { subject: subjectText(si.from), account: si.exporter.name, to: subjectText(si.to), type: "service", invalid: false, share: si.share, tracking: false };
    if (lat) e.latency = { sampling: lat.sampling, results: lat.subject };
    imports.push(e);
  }
  if (imports.length > 0) d.imports = imports;
  const pending = acc.replies?.pending.size ?? 0;
  if (pending > 0) d.responses = [...acc.replies!.pending.values()].map((p) => ({ subject: subjectText(p.subject), account: p.import.importer.name, to: subjectText(p.reply), type: "service", invalid: false, share: false, tracking: false }));
  d.sublist_stats = sublistStats([acc]);
  return d;
}

export function handleAccountStatz(req: MonitorRequest): Reply {
  req.count();
  const unused = decodeBool(req.query, "unused");
  const stats = accountsOf(req.server)
    .filter((a) => unused || a.clients.size > 0)
    .map(accountStat);
  const body = { server_id: req.server.serverId, now: formatTime(Date.now()), account_statz: stats };
  return { kind: "json", body: toJson(body) };
}

/** Go's AccountStat of one account (an /accstatz entry; also the body of SERVER.CONNS events). */
export function accountStat(a: Account): Record<string, unknown> {
  const t = a.messageTotals();
  return {
    acc: a.name,
    conns: a.clients.size,
    leafnodes: 0,
    total_conns: a.clients.size,
    sent: { msgs: t.outMsgs, bytes: t.outBytes },
    received: { msgs: t.inMsgs, bytes: t.inBytes },
    slow_consumers: a.slowConsumers,
  };
}
