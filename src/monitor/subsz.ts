// /subsz (and its old name /subscriptionsz): subscription index statistics
// summed over accounts (acc= narrows to one), and with subs=1 the
// subscriptions themselves, optionally only those a publish to `test` would
// reach, paged by offset/limit. Without a listed subscription the reply is
// the bare statistics object, as in Go.

import { isValidLiteralSubject, wireSubject } from "../protocol/subject.js";
import { subjectMatches } from "../sublist/subject-trie.js";
import type { Subscription } from "../server/subscription.js";
import { formatTime, toJson } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { decodeBool, decodeInt, ParamError } from "./params.js";
import { subDetail } from "./connz.js";
import { accountsOf, sublistStats } from "./stats.js";

const DEFAULT_SUB_LIST_SIZE = 1024;

export function handleSubsz(req: MonitorRequest): Reply {
  req.count();
  const q = req.query;
  const subs = decodeBool(q, "subs");
  let offset = decodeInt(q, "offset");
  let limit = decodeInt(q, "limit");
  const test = q.get("test") ?? "";
  const acc = q.get("acc") ?? "";
  if (offset < 0) offset = 0;
  if (limit <= 0) limit = DEFAULT_SUB_LIST_SIZE;
  if (test !== "" && !isValidLiteralSubject(test)) throw new ParamError(`invalid test subject, must be valid publish subject: ${test}`);

  const accounts = accountsOf(req.server).filter((a) => acc === "" || a.name === acc);
  const stats = sublistStats(accounts);
  if (!subs) return { kind: "json", body: toJson(stats) };

  const all: Subscription[] = [];
  for (const a of accounts) {
    for (const s of a.sublist.all()) {
      if (test !== "" && !subjectMatches(wireSubject(test), s.subject)) continue;
      all.push(s);
    }
  }
  const page = all.slice(Math.min(offset, all.length), Math.min(offset + limit, all.length));
  if (page.length === 0) return { kind: "json", body: toJson(stats) };
  const body = {
    server_id: req.server.serverId,
    now: formatTime(Date.now()),
    ...stats,
    total: all.length,
    offset,
    limit,
    subscriptions_list: page.map((s) => subDetail(s, s.target.cid, s.target.account.name)),
  };
  return { kind: "json", body: toJson(body) };
}
