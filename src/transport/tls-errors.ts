// Node/OpenSSL TLS failures in the words of Go's crypto/tls and crypto/x509,
// so that "TLS handshake error: …" log lines read as nats-server's do.
// Pure mapping; unknown failures keep OpenSSL's reason.

import type { Socket } from "node:net";
import type { X509Certificate } from "node:crypto";

/** Go's alert descriptions for the alerts a client may send. */
const ALERTS: Record<string, string> = {
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "bad certificate",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "unknown certificate authority",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: "unknown certificate",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: "expired certificate",
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: "unsupported certificate",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: "revoked certificate",
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: "handshake failure",
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: "protocol version not supported",
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: "error decrypting message",
  ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR: "internal error",
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: "access denied",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "certificate required",
};

/** Codes OpenSSL gives for bytes that are not a TLS record at all. */
const NOT_TLS = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_HTTP_REQUEST", "ERR_SSL_HTTPS_PROXY_REQUEST", "ERR_SSL_UNKNOWN_PROTOCOL", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "ERR_SSL_RECORD_LENGTH_MISMATCH", "ERR_SSL_UNSUPPORTED_PROTOCOL_VERSION"]);

/** host:port of a socket end, as Go prints a net.Addr. */
export const socketAddress = (host: string | undefined, port: number | undefined): string => {
  const h = (host ?? "").replace(/^::ffff:/, "");
  return h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`;
};

/** A failed handshake's error as Go reports it. */
export function goHandshakeError(e: Error & { code?: string }, raw: Socket): string {
  const code = e.code ?? "";
  if (NOT_TLS.has(code)) return "tls: first record does not look like a TLS handshake";
  if (code === "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE") return "tls: client didn't provide a certificate";
  if (code === "ERR_SSL_NO_SHARED_CIPHER") return "tls: no cipher suite supported by both client and server";
  if (code === "ERR_SSL_UNSUPPORTED_PROTOCOL") return "tls: client offered only unsupported versions";
  if (code === "ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM" || code === "ERR_SSL_NO_SHARED_SIGNATURE_ALGORITHMS") return "tls: no signature algorithms supported by both client and server";
  if (ALERTS[code]) return `remote error: tls: ${ALERTS[code]}`;
  if (code === "ECONNRESET") return `read tcp ${socketAddress(raw.localAddress, raw.localPort)}->${socketAddress(raw.remoteAddress, raw.remotePort)}: read: connection reset by peer`;
  if (code.startsWith("ERR_SSL_")) return `tls: ${code.slice(8).toLowerCase().replace(/_/g, " ")}`;
  return e.message;
}

/** Go's RFC 3339 time in UTC, whole seconds. */
const goTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** A client certificate that fails verification, as Go's x509 says it. */
export function goVerifyError(err: Error & { code?: string }, peer: X509Certificate): string {
  const prefix = "tls: failed to verify client certificate: x509: ";
  switch (err.code) {
    case "CERT_HAS_EXPIRED":
      return `${prefix}certificate has expired or is not yet valid: current time ${goTime(new Date())} is after ${goTime(new Date(peer.validTo))}`;
    case "CERT_NOT_YET_VALID":
      return `${prefix}certificate has expired or is not yet valid: current time ${goTime(new Date())} is before ${goTime(new Date(peer.validFrom))}`;
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "CERT_SIGNATURE_FAILURE":
      return `${prefix}certificate signed by unknown authority`;
    case "INVALID_PURPOSE":
      return `${prefix}certificate specifies an incompatible key usage`;
  }
  return `${prefix}${err.message}`;
}
