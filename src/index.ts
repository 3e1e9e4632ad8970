// Public embedding API: `await NatsServer.start(options)` runs a server in
// this Node process. A thin facade over Server; no behaviour of its own.

import { Server } from "./server/server.js";
import type { Options } from "./options.js";

export type { Options } from "./options.js";
export { defaultOptions } from "./options.js";
export { SERVER_VERSION, TSNATS_VERSION } from "./server/version.js";

export class NatsServer {
  private constructor(readonly server: Server) {}

  /**
   * Start a server; resolves once it accepts connections. Embedded servers
   * are silent unless `quiet: false` (as an embedded Go server logs nothing
   * until a logger is configured).
   */
  static async start(options: Partial<Options> = {}): Promise<NatsServer> {
    const server = new Server({ quiet: true, ...options });
    await server.start();
    return new NatsServer(server);
  }

  get port(): number {
    return this.server.port;
  }

  /** `nats://127.0.0.1:PORT` (or the bound host when it is not a wildcard). */
  get url(): string {
    return this.server.clientUrl;
  }

  /** Graceful shutdown: flushes pending output, closes clients, releases the port. */
  shutdown(): Promise<void> {
    return this.server.shutdown();
  }

  /** Resolves when the server has stopped (after shutdown or lame duck mode). */
  done(): Promise<void> {
    return this.server.done();
  }
}
