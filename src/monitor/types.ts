// Types and path helpers shared by the monitoring listener and the endpoint
// handlers: what a request offers a handler, what a handler answers, and the
// endpoint paths (which double as the http_req_stats keys).

import { posix } from "node:path";
import type { Server } from "../server/server.js";
import type { MonitorServer } from "./http.js";

/** What a handler answers; `status` defaults to 200. */
export type Reply =
  | { kind: "json"; body: string; status?: number }
  | { kind: "html"; body: string }
  | { kind: "text"; body: string; status: number };

export interface MonitorRequest {
  readonly server: Server;
  readonly monitor: MonitorServer;
  readonly query: URLSearchParams;
  /** Count this request in http_req_stats (handlers decide when, as Go does). */
  count(): void;
}

export type Handler = (req: MonitorRequest) => Reply;

/** Endpoint paths; these (without the base path) are the http_req_stats keys. */
export const Paths = {
  root: "/",
  varz: "/varz",
  connz: "/connz",
  routez: "/routez",
  gatewayz: "/gatewayz",
  leafz: "/leafz",
  subsz: "/subsz",
  accountz: "/accountz",
  accstatz: "/accstatz",
  jsz: "/jsz",
  healthz: "/healthz",
} as const;

/** Go's path.Clean of a base path: "" → "/", leading slash added, no trailing slash. */
export function normalizeBasePath(p: string): string {
  if (p === "") return "/";
  return cleanPath(p.startsWith("/") ? p : `/${p}`);
}

export function cleanPath(p: string): string {
  const c = posix.normalize(p);
  return c.length > 1 && c.endsWith("/") ? c.slice(0, -1) : c;
}

/** Join the base path and an endpoint path, as Go's path.Join. */
export function joinPath(base: string, p: string): string {
  return cleanPath(`${base}/${p}`);
}
