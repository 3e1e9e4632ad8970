// /jsz: JetStream information. JetStream is not part of tsnats yet, so this
// answers as a Go server with JetStream disabled does: `disabled: true` with
// zeroed statistics, and 400 "filtered response: not leader" for
// leader-only=true. All of Go's parameters are decoded and validated.

import { formatTime, toJson } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { decodeBool, decodeInt, ParamError } from "./params.js";

export function handleJsz(req: MonitorRequest): Reply {
  req.count();
  const q = req.query;
  for (const p of ["accounts", "streams", "consumers", "config"]) decodeBool(q, p);
  decodeInt(q, "offset");
  decodeInt(q, "limit");
  const leaderOnly = decodeBool(q, "leader-only");
  if (leaderOnly) throw new ParamError("filtered response: not leader");
  const body = {
    server_id: req.server.serverId,
    now: formatTime(Date.now()),
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
