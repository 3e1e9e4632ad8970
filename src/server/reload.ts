// Config reload: compare the running Options with newly loaded ones, refuse
// changes nats-server cannot apply live (same message shape as nats-server),
// and apply the rest to the server and its connections. It does not read
// files: the caller passes the new Options.

import type { Options } from "../options.js";
import type { Server } from "./server.js";

/** Options nats-server refuses to change on reload, with Go's field names. */
const NOT_RELOADABLE: Partial<Record<keyof Options, string>> = {
  host: "Host",
  port: "Port",
  serverName: "ServerName",
  httpHost: "HTTPHost",
  httpPort: "HTTPPort",
  httpBasePath: "HTTPBasePath",
  portsFileDir: "PortsFileDir",
  disableSublistCache: "NoSublistCache",
  noHeaderSupport: "NoHeaderSupport",
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Apply `next`; returns an error text (and changes nothing) if it cannot be applied. */
export function applyReload(server: Server, next: Options): string {
  const cur = server.opts;
  for (const [key, goName] of Object.entries(NOT_RELOADABLE) as [keyof Options, string][]) {
    if (!same(cur[key], next[key])) {
      return `config reload not supported for ${goName}: old=${String(cur[key])}, new=${String(next[key])}`;
    }
  }
  server.opts = next;
  server.logger.configure(next);
  server.tracing = next.trace;
  server.applyMappings();
  for (const c of server.clients.values()) {
    c.parser.maxPayload = next.maxPayload;
    c.parser.maxControlLine = next.maxControlLine;
  }
  server.configLoadTime = new Date();
  return "";
}
