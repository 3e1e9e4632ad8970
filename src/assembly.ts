// The composition root: a Server with every optional subsystem plugged in
// (HTTP and HTTPS monitoring, the WebSocket listener, TLS on the client
// port, the system account's events and services). index.ts (embedding) and
// cli.ts (the command) both build their servers here, so server/ never
// imports the layers above it.

import type { Options } from "./options.js";
import { Server } from "./server/server.js";
import { startHttpsMonitor, startMonitor } from "./monitor/http.js";
import { startClientTls } from "./transport/tls-upgrade.js";
import { startWebsocket } from "./transport/websocket-listener.js";
import { attachSystemServices } from "./system/system-account.js";

export function assembleServer(options: Partial<Options>): Server {
  const server = new Server(options, [startMonitor, startHttpsMonitor, startWebsocket], startClientTls);
  attachSystemServices(server);
  return server;
}
