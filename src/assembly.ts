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
import type { ExtraListener } from "./server/extra-listener.js";
import { jetStreamSettings } from "./options.js";

/**
 * JetStream with the layers plugged into it (consumers), loaded only when it
 * is configured: merely loading the engine's modules was measured to slow the
 * core pub/sub path of a server without JetStream (1 KB pub/sub to about half).
 */
async function startJetStream(server: Server): Promise<ExtraListener | null> {
  if (jetStreamSettings(server.opts) === null) return null;
  const [{ JetStream }, { consumersExtension }] = await Promise.all([import("./jetstream/jetstream.js"), import("./jetstream/consumer/index.js")]);
  return JetStream.start(server, [consumersExtension]);
}

export function assembleServer(options: Partial<Options>): Server {
  // JetStream first: /varz and /jsz read it, and it is up before the server reports ready.
  const server = new Server(options, [startJetStream, startMonitor, startHttpsMonitor, startWebsocket], startClientTls);
  attachSystemServices(server);
  return server;
}
