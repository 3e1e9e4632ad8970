// /healthz: {"status":"ok"} while the server accepts clients; otherwise
// Go's error shape with 503. js-enabled-only / js-server-only (and the
// deprecated js-enabled) are accepted; with JetStream not configured they
// change nothing, as in Go.

import { toJson } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { decodeBool } from "./params.js";

export function handleHealthz(req: MonitorRequest): Reply {
  req.count();
  const q = req.query;
  const jsEnabled = decodeBool(q, "js-enabled");
  if (jsEnabled) req.server.logger.warn(`Healthcheck: js-enabled deprecated, use js-enabled-only instead`);
  decodeBool(q, "js-enabled-only");
  decodeBool(q, "js-server-only");
  const health = healthz(req);
  if (health.error) {
    req.server.logger.warn(`Healthcheck failed: ${JSON.stringify(health.error)}`);
    return { kind: "json", status: 503, body: toJson(health, false) };
  }
  return { kind: "json", body: toJson(health, false) };
}

function healthz(req: MonitorRequest): { status: string; error?: string } {
  if (!req.server.acceptingClients) {
    // Go waits 1ms for its listeners, then names the ones not ready.
    return { status: "error", error: "failed to be ready for connections after 1ms: server" };
  }
  return { status: "ok" };
}
