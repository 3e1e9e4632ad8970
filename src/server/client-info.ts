// The INFO line a client connection is sent: Go's field set and order, the
// auth/TLS announcements per transport, and the async form sent after
// CONNECT. It only builds bytes: it must not write to a socket or read
// connection state beyond what INFO reports.

import type { ClientConnection } from "./connection.js";
import type { Server } from "./server.js";
import { PROTOCOL_VERSION, RUNTIME_VERSION, SERVER_VERSION } from "./version.js";

/**
 * The INFO line for `conn`; `tlsFirst`: sent after a handshake_first handshake.
 * An `async` INFO (after CONNECT: lame duck, a changed limit) carries the
 * client's own max_payload and no nonce, as Go's.
 */
export function clientInfoLine(server: Server, conn: ClientConnection, tlsFirst: boolean, async: boolean): Buffer {
  const info: Record<string, unknown> = {
    server_id: server.serverId,
    server_name: server.serverName,
    version: SERVER_VERSION,
    proto: PROTOCOL_VERSION,
    go: RUNTIME_VERSION,
    host: server.opts.host,
    port: server.port,
    headers: !server.opts.noHeaderSupport,
  };
  // With a no_auth_user a client may connect without credentials: Go does not announce auth then
  // (except to WebSocket clients, which Go tells whenever any credentials are configured).
  if (conn.transportType === "websocket" ? server.auth.required || server.websocketAuth !== null : server.auth.required && server.opts.noAuthUser === "") info.auth_required = true;
  const tls = server.opts.tls;
  if (tls) {
    const required = tlsFirst || !server.opts.allowNonTls;
    if (required) info.tls_required = true;
    if (tls.verify) info.tls_verify = true;
    if (!required) info.tls_available = true;
  }
  info.max_payload = async ? conn.parser.maxPayload : server.opts.maxPayload;
  if (server.jetStreamEnabled) info.jetstream = true;
  info.client_id = conn.cid;
  info.client_ip = conn.host;
  if (conn.nonce !== "" && !async) info.nonce = conn.nonce;
  if (server.lameDuck) info.ldm = true;
  return Buffer.from(`INFO ${JSON.stringify(info)} \r\n`);
}
