// The small surface a ClientConnection needs from the stream under it, and
// the hooks through which transports (TLS, WebSocket) hand connections to
// the server. A plain TCP client uses its net.Socket directly (no wrapper,
// no copy); a TLS client its tls.TLSSocket; a WebSocket client an adapter.
// Nothing here knows how a transport works.

import type { Socket } from "node:net";
import type { ClientConnection } from "./connection.js";

/** The part of net.Socket a client connection uses. */
export interface ClientSocket {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  /** Bytes accepted by write() and not yet handed to the kernel. */
  readonly writableLength: number;
  readonly destroyed: boolean;
  /** A proxy's X-Forwarded-For client address (WebSocket), shown in log lines. */
  readonly forwardedFor?: string;
  /** The WebSocket upgrade's `jwt_cookie` value: the user JWT when CONNECT carries none. */
  readonly cookieJwt?: string;
  write(data: Buffer): boolean;
  end(): unknown;
  destroy(): unknown;
  setNoDelay(noDelay?: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
  on(event: "error" | "end" | "close" | "drain" | "finish", listener: () => void): unknown;
  once(event: "error" | "end" | "close" | "drain" | "finish", listener: () => void): unknown;
}

/** One certificate the client presented, as /connz shows it. */
export interface PeerCertInfo {
  subject: string;
  spki_sha256: string;
  cert_sha256: string;
}

/** The negotiated TLS session of a connection (kept after it closes, for /connz). */
export interface ConnectionTlsInfo {
  /** "1.2", "1.3". */
  version: string;
  /** Go's (IANA) cipher suite name. */
  cipherSuite: string;
  peerCerts: PeerCertInfo[];
  /** With verify_and_map: the names the client certificate offers as its user. */
  identity: CertIdentity | null;
}

/** One attribute of a distinguished name: Go's short type name and the escaped value. */
export type Rdn = readonly [type: string, value: string];

/** The names a client certificate offers to verify_and_map. */
export interface CertIdentity {
  emails: string[];
  dnsNames: string[];
  uris: string[];
  /** Subject attributes in certificate order. */
  rdns: Rdn[];
  /** The subject as Go's RDNSequence.String() prints the raw subject (last attribute first). */
  rdnSequence: string;
}

/**
 * Takes over a connection accepted on the client port once it is registered:
 * sends INFO and performs any TLS handshake the options ask for, then calls
 * conn.attach(socket) with the stream the connection reads from (or closes it).
 */
export type ClientPortStarter = (conn: ClientConnection, socket: Socket, info: Buffer) => void;
