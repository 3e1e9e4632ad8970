// /jsz: JetStream information with Go's parameters (accounts, streams,
// consumers, config, acc, offset, limit, leader-only). With JetStream off
// it answers as a Go server with JetStream disabled: `disabled: true` and
// zeroed statistics. leader-only=true gets 400 "not leader": a single server
// has no meta leader.

import { formatTime, toJson } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { decodeBool, decodeInt, ParamError } from "./params.js";
import type { JetStream } from "../jetstream/jetstream.js";
import { jszJson } from "../jetstream/monitoring.js";

export function handleJsz(req: MonitorRequest): Reply {
  req.count();
  const q = req.query;
  const o = {
    accounts: decodeBool(q, "accounts"),
    streams: decodeBool(q, "streams"),
    consumers: decodeBool(q, "consumers"),
    config: decodeBool(q, "config"),
    account: q.get("acc") ?? "",
    offset: decodeInt(q, "offset"),
    limit: decodeInt(q, "limit"),
  };
  const leaderOnly = decodeBool(q, "leader-only");
  if (leaderOnly) throw new ParamError("filtered response: not leader");
  const js = req.server.extraListener("jetstream") as JetStream | undefined;
  const head = { server_id: req.server.serverId, now: formatTime(Date.now()) };
  if (!js) {
    const body = {
      ...head,
      disabled: true,
      config: { max_memory: 0, max_storage: 0 },
      memory: 0,
      storage: 0,
      reserved_memory: 0,
      reserved_storage: 0,
      accounts: 0,
      ha_assets: 0,
      api: { total: 0, errors: 0 },
      streams: 0,
      consumers: 0,
      messages: 0,
      bytes: 0,
    };
    return { kind: "json", body: toJson(body) };
  }
  return { kind: "json", body: toJson({ ...head, ...jszJson(js, o) }) };
}
