// Public embedding API: `await NatsServer.start(options)` runs a server in
// this Node process. A thin facade over Server; no behaviour of its own.

import type { Server } from "./server/server.js";
import type { MonitorServer } from "./monitor/http.js";
import { assembleServer } from "./assembly.js";
import { resolveOptions, type Options } from "./options.js";
import { checkTlsOptions } from "./transport/tls-options.js";
import { checkWebsocketOptions } from "./transport/websocket-listener.js";
import { validateAccountOptions, validateAuthOptions } from "./server/reload.js";
import { probeResolver } from "./auth/jwt/options.js";
import { authorizationFromPlain, type AuthorizationBlock } from "./config/authorization.js";
import { accountsFromPlain } from "./config/accounts-map.js";
import type { AccountConfig } from "./accounts/config-types.js";

export type { Options, JetStreamOptions, TlsOptions, WebsocketOptions, User, NkeyUser, Permissions, SubjectPermission, ResponsePermission } from "./options.js";
export type { AuthorizationBlock, AuthorizationUserBlock, PermissionsBlock } from "./config/authorization.js";
export type { AccountConfig } from "./accounts/config-types.js";

/**
 * What NatsServer.start takes: Options, plus `authorization` shaped like the
 * config file's block, and `accounts` either as AccountConfig data or
 * shaped like the config file's block (`{ A: { users: [...], exports: [...] } }`).
 */
export type StartOptions = Omit<Partial<Options>, "accounts"> & { authorization?: AuthorizationBlock; accounts?: AccountConfig[] | Record<string, unknown> };
export { defaultOptions, defaultTlsOptions, defaultWebsocketOptions } from "./options.js";
export { SERVER_VERSION, TSNATS_VERSION } from "./server/version.js";

export class NatsServer {
  private constructor(readonly server: Server) {}

  /**
   * Start a server; resolves once it accepts connections. Embedded servers
   * are silent unless `quiet: false` (as an embedded Go server logs nothing
   * until a logger is configured).
   */
  static async start(options: StartOptions = {}): Promise<NatsServer> {
    const { authorization, accounts, ...rest } = options;
    const resolved: Partial<Options> = authorization ? { ...rest, ...authorizationFromPlain(authorization) } : rest;
    if (Array.isArray(accounts)) resolved.accounts = accounts;
    else if (accounts !== undefined) {
      const read = accountsFromPlain(accounts);
      resolved.accounts = read.accounts;
      if (read.users.length > 0) resolved.users = [...(resolved.users ?? []), ...read.users];
      if (read.nkeys.length > 0) resolved.nkeys = [...(resolved.nkeys ?? []), ...read.nkeys];
    }
    // The command's startup checks (an unknown no_auth_user or system account, unusable TLS or websocket settings) apply here too.
    const full = resolveOptions(resolved);
    const invalid = validateAccountOptions(full) || validateAuthOptions(full) || checkTlsOptions(full) || checkWebsocketOptions(full) || (await probeResolver(full));
    if (invalid) throw new Error(invalid);
    // An embedded JetStream without a directory gets a temporary store, removed at shutdown.
    const js = resolved.jetstream;
    if (js !== undefined && js !== false) {
      const settings = js === true ? {} : js;
      if (!settings.storeDir && !resolved.storeDir) resolved.jetstream = { ...settings, removeStoreAtShutdown: true };
    }
    const server = await assembleServer({ quiet: true, ...resolved });
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

  /** Bound HTTP monitoring port; 0 when monitoring is off (httpPort 0). */
  get monitorPort(): number {
    return this.server.extraListener("monitoring")?.port ?? 0;
  }

  /** `http(s)://127.0.0.1:PORT` of the monitoring endpoints (loopback for wildcard hosts); "" when off. */
  get monitorUrl(): string {
    const m = this.server.extraListener("monitoring") as MonitorServer | undefined;
    if (!m) return "";
    const h = m.host === "0.0.0.0" || m.host === "::" || m.host === "" ? "127.0.0.1" : m.host;
    return `${m.scheme}://${h.includes(":") ? `[${h}]` : h}:${m.port}${m.basePath === "/" ? "" : m.basePath}`;
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
