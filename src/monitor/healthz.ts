// /healthz: {"status":"ok"} while the server accepts clients; otherwise
// Go's error shape with 503. js-enabled-only / js-server-only (and the
// deprecated js-enabled) are accepted. JetStream configured but not running
// is unhealthy; a single server has no meta group or replicas to wait for,
// so a running JetStream is healthy, as in Go.

import { toJson } from "./format.js";
import type { MonitorRequest, Reply } from "./types.js";
import { decodeBool } from "./params.js";
import { jetStreamSettings } from "../options.js";

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
  if (jetStreamSettings(req.server.opts) !== null && !req.server.jetStreamEnabled) {
    return { status: "unavailable", error: "JetStream not enabled" };
  }
  return { status: "ok" };
}
