// /routez, /gatewayz, /leafz: cluster, super-cluster and leaf node
// connections. tsnats has none of these yet, so each answers Go's shape for a
// server without them, after decoding (and validating) the same parameters.

import { formatTime, toJson } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { decodeBool, decodeSubs } from "./params.js";

export function handleRoutez(req: MonitorRequest): Reply {
  decodeSubs(req.query);
  req.count();
  const body = {
    server_id: req.server.serverId,
    // Reported since nats-server 2.10.
    server_name: req.server.serverName,
    now: formatTime(Date.now()),
    num_routes: 0,
    routes: [],
  };
  return { kind: "json", body: toJson(body) };
}

export function handleGatewayz(req: MonitorRequest): Reply {
  req.count();
  decodeBool(req.query, "accs");
  // gw_name and acc_name filter gateways and accounts; there are none.
  const body = {
    server_id: req.server.serverId,
    now: formatTime(Date.now()),
    outbound_gateways: {},
    inbound_gateways: {},
  };
  return { kind: "json", body: toJson(body) };
}

export function handleLeafz(req: MonitorRequest): Reply {
  req.count();
  decodeBool(req.query, "subs");
  // acc= filters leaf connections by account; there are none.
  const body = {
    server_id: req.server.serverId,
    now: formatTime(Date.now()),
    leafnodes: 0,
    // Go (through 2.10) reports null for an empty list.
    leafs: null,
  };
  return { kind: "json", body: toJson(body) };
}
