// WebsocketClientStream: a `ws` WebSocket dressed as the small socket
// surface a ClientConnection reads and writes (see ClientSocket). Binary and
// text messages carry NATS protocol bytes; writes go out as binary messages
// (one per flush). Closing sends Go's close status for the connection's close
// reason; frame errors from `ws` are logged with Go's wording. No protocol
// knowledge beyond frames lives here.

import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { ClientConnection } from "../server/connection.js";
import type { ClientSocket } from "../server/client-transport.js";
import { ClosedState, type ClosedReason } from "../server/close-reason.js";

/** RFC 6455 status codes nats-server sends for each close reason. */
const CLOSE_STATUS = new Map<string, number>([
  [ClosedState.ClientClosed, 1000],
  [ClosedState.AuthenticationTimeout, 1008],
  [ClosedState.AuthenticationViolation, 1008],
  [ClosedState.SlowConsumerPendingBytes, 1008],
  [ClosedState.SlowConsumerWriteDeadline, 1008],
  [ClosedState.MaxAccountConnectionsExceeded, 1008],
  [ClosedState.MaxConnectionsExceeded, 1008],
  [ClosedState.MaxControlLineExceeded, 1008],
  [ClosedState.MaxSubscriptionsExceeded, 1008],
  [ClosedState.MissingAccount, 1008],
  [ClosedState.AuthenticationExpired, 1008],
  [ClosedState.Revocation, 1008],
  [ClosedState.TLSHandshakeError, 1015],
  [ClosedState.ParseError, 1002],
  [ClosedState.ProtocolViolation, 1002],
  [ClosedState.BadClientProtocolVersion, 1002],
  [ClosedState.MaxPayloadExceeded, 1009],
  [ClosedState.ServerShutdown, 1001],
  [ClosedState.WriteError, 1006],
  [ClosedState.ReadError, 1006],
  [ClosedState.StaleConnection, 1006],
]);
const INTERNAL_ERROR = 1011;
/** A close frame's reason text must fit a 125-byte control frame with its 2-byte status. */
const MAX_CLOSE_REASON = 123;

/** How long a closing peer may take to finish the close handshake. */
const CLOSE_LINGER_MS = 2000;

/** The close status Go sends for `reason`. */
export function closeStatusFor(reason: ClosedReason | ""): number {
  return CLOSE_STATUS.get(reason) ?? INTERNAL_ERROR;
}

/** `ws` frame errors in the words of nats-server's frame reader. */
function goFrameError(e: Error & { code?: string }): string {
  switch (e.code) {
    case "WS_ERR_EXPECTED_MASK":
      return "mask bit missing";
    case "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH":
      return "control frame length bigger than maximum allowed of 125 bytes";
    case "WS_ERR_EXPECTED_FIN":
      return "control frame does not have final bit set";
    case "WS_ERR_UNEXPECTED_RSV_1":
      return "invalid continuation frame";
    case "WS_ERR_INVALID_OPCODE": {
      const op = Number(/invalid opcode (\d+)/.exec(e.message)?.[1] ?? -1);
      if (op === 0) return "invalid continuation frame";
      if (op === 1 || op === 2) return "new message started before final frame for previous message was received";
      return `unknown opcode ${op}`;
    }
  }
  return e.message.replace(/^Invalid WebSocket frame: /, "");
}

export class WebsocketClientStream extends EventEmitter implements ClientSocket {
  /** Set once the server registered the connection; its close reason picks the close status. */
  conn: ClientConnection | null = null;
  /** The `jwt_cookie` cookie's value from the upgrade request ("" = none), for JWT authentication. */
  cookieJwt = "";
  /** The upgrade request's X-Forwarded-For address, when it is an IP ("" = none). */
  forwardedFor = "";
  private closing = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly raw: Socket,
  ) {
    super();
    ws.on("message", (data: Buffer) => this.emit("data", data));
    ws.on("close", () => {
      this.emit("end");
      this.emit("close");
    });
    ws.on("error", (e: Error & { code?: string }) => {
      const c = this.conn;
      if (c && !c.closed) c.server.logger.error(`${c.label} - read error: ${goFrameError(e)}`);
      this.emit("error", e);
    });
    raw.on("drain", () => this.emit("drain"));
  }

  get remoteAddress(): string | undefined {
    return this.raw.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.raw.remotePort;
  }

  get writableLength(): number {
    return this.ws.bufferedAmount;
  }

  get destroyed(): boolean {
    return this.raw.destroyed;
  }

  setNoDelay(noDelay = true): void {
    this.raw.setNoDelay(noDelay);
  }

  write(data: Buffer): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(data, { binary: true });
    return this.ws.bufferedAmount === 0;
  }

  /** Orderly close: what was written goes out, then the close frame. */
  end(): void {
    this.sendClose();
  }

  destroy(): void {
    const reason = this.conn?.closeReason ?? "";
    // A peer that does not read gets no close frame queued behind its backlog.
    if (reason === ClosedState.SlowConsumerPendingBytes || reason === ClosedState.SlowConsumerWriteDeadline || reason === ClosedState.WriteError) {
      this.ws.terminate();
      return;
    }
    this.sendClose();
  }

  private sendClose(): void {
    if (this.closing) return;
    this.closing = true;
    // A connection refused while being registered closes before `conn` is set: look once it is.
    queueMicrotask(() => this.closeFrame());
  }

  private closeFrame(): void {
    const reason = this.conn?.closeReason || ClosedState.ServerShutdown;
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(closeStatusFor(reason), reason.slice(0, MAX_CLOSE_REASON));
    // Go drops the TCP connection right after its close frame; give the peer a moment to answer it.
    setTimeout(() => this.ws.terminate(), CLOSE_LINGER_MS).unref();
  }
}
