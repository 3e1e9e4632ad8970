// /accountz: the account names, or with acc= one account's details (client
// count, subscriptions and its sublist statistics). /accstatz: per-account
// connection and message counters, for accounts with connections unless
// unused=1.

import type { Account } from "../accounts/account.js";
import { formatTime, toJson } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { decodeBool, ParamError } from "./params.js";
import { accountsOf, findAccount, sublistStats } from "./stats.js";

export function handleAccountz(req: MonitorRequest): Reply {
  req.count();
  const { server } = req;
  const name = req.query.get("acc") ?? "";
  const body: Record<string, unknown> = { server_id: server.serverId, now: formatTime(Date.now()) };
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
    jetstream_enabled: false,
    leafnode_connections: 0,
    client_connections: acc.clients.size,
    subscriptions: acc.sublist.size,
  };
  // Mappings as configured (Go shows its internal cumulative weights instead).
  const mappings = acc === req.server.globalAccount ? req.server.opts.mappings : [];
  if (mappings.length > 0) {
    const m: Record<string, unknown[]> = {};
    // Go marshals the map with sorted keys.
    for (const { source, destinations } of [...mappings].sort((x, y) => (x.source < y.source ? -1 : x.source > y.source ? 1 : 0))) {
      m[source] = destinations.map((dst) => (dst.cluster ? { subject: dst.subject, weight: dst.weight, cluster: dst.cluster } : { subject: dst.subject, weight: dst.weight }));
    }
    d.mappings = m;
  }
  // Exports, imports, JWT details and service responses are reported by Go
  // only when present; tsnats has none of them yet.
  d.sublist_stats = sublistStats([acc]);
  return d;
}

export function handleAccountStatz(req: MonitorRequest): Reply {
  req.count();
  const unused = decodeBool(req.query, "unused");
  const stats = accountsOf(req.server)
    .filter((a) => unused || a.clients.size > 0)
    .map((a) => {
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
    });
  const body = { server_id: req.server.serverId, now: formatTime(Date.now()), account_statz: stats };
  return { kind: "json", body: toJson(body) };
}
