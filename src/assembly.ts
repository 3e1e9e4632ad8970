// The composition root: a Server with every optional subsystem plugged in
// (HTTP monitoring, JetStream). index.ts (embedding) and cli.ts (the command)
// both build their servers here, so server/ never imports the layers above it.

import type { Options } from "./options.js";
import { Server } from "./server/server.js";
import { startMonitor } from "./monitor/http.js";
import { JetStream, type JetStreamExtension } from "./jetstream/jetstream.js";
import { consumersExtension } from "./jetstream/consumer/index.js";

/** Layers plugged into JetStream (consumers register here). */
const JETSTREAM_EXTENSIONS: JetStreamExtension[] = [consumersExtension];

export function assembleServer(options: Partial<Options>): Server {
  // JetStream first: /varz and /jsz read it, and it is up before the server reports ready.
  return new Server(options, [(server) => JetStream.start(server, JETSTREAM_EXTENSIONS), startMonitor]);
}
