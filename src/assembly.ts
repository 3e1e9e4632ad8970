// The composition root: a Server with every optional subsystem plugged in
// (HTTP and HTTPS monitoring, the WebSocket listener, TLS on the client
// port, the system account's events and services, JetStream). index.ts
// (embedding) and cli.ts (the command) both build their servers here, so
// server/ never imports the layers above it.

import type { Options } from "./options.js";
import { Server } from "./server/server.js";
import { startHttpsMonitor, startMonitor } from "./monitor/http.js";
import { startClientTls } from "./transport/tls-upgrade.js";
import { startWebsocket } from "./transport/websocket-listener.js";
import { attachSystemServices } from "./system/system-account.js";
import { JetStream, type JetStreamExtension } from "./jetstream/jetstream.js";
import { consumersExtension } from "./jetstream/consumer/index.js";

/** Layers plugged into JetStream (consumers register here). */
const JETSTREAM_EXTENSIONS: JetStreamExtension[] = [consumersExtension];

export function assembleServer(options: Partial<Options>): Server {
  // JetStream first: /varz and /jsz read it, and it is up before the server reports ready.
  const server = new Server(options, [(s) => JetStream.start(s, JETSTREAM_EXTENSIONS), startMonitor, startHttpsMonitor, startWebsocket], startClientTls);
  attachSystemServices(server);
  return server;
}
