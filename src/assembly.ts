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
import type { ExtraListenerFactory } from "./server/extra-listener.js";
import { jetStreamSettings, resolveOptions } from "./options.js";

/**
 * The JetStream engine with the layers plugged into it (consumers), loaded
 * only when JetStream is configured: merely loading its modules was measured
 * to slow the core pub/sub path of a server without JetStream (1 KB pub/sub
 * to about half). Loaded before the server starts, so that JetStream is up
 * before the first client is accepted, as in Go.
 */
async function loadJetStream(): Promise<ExtraListenerFactory> {
  const [{ JetStream }, { consumersExtension }] = await Promise.all([import("./jetstream/jetstream.js"), import("./jetstream/consumer/index.js")]);
  return (server) => JetStream.start(server, [consumersExtension]);
}

export async function assembleServer(options: Partial<Options>): Promise<Server> {
  const jetstream = jetStreamSettings(resolveOptions(options)) === null ? null : await loadJetStream();
  // JetStream first: /varz and /jsz read it, and it is up before the server reports ready.
  const extras: ExtraListenerFactory[] = [startMonitor, startHttpsMonitor, startWebsocket];
  if (jetstream !== null) extras.unshift(jetstream);
  const server = new Server(options, extras, startClientTls);
  // A reload may turn JetStream on later (loaded then, not before: see above).
  server.jetStreamStarter = async () => (await loadJetStream())(server);
  attachSystemServices(server);
  return server;
}
