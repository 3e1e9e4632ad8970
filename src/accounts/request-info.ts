// The Nats-Request-Info header Go stamps on requests that cross a service
// import ({"acc":…,"rtt":…}, with client details when the import shares
// them), and the header-block rewrite that sets one header on a message.
// Builds bytes only; no routing.

import type { MessageTarget } from "../server/message-target.js";

export const REQUEST_INFO_HEADER = "Nats-Request-Info";
const HEADER_LINE = "NATS/1.0\r\n";
const CRLF = "\r\n";

/** Who published a request, in Go's ClientInfo shape (null for the server itself). */
export function requestInfoOf(publisher: MessageTarget | null, detailed: boolean): Record<string, unknown> | null {
  if (publisher === null || publisher.clientInfo === undefined) return null;
  return publisher.clientInfo(detailed);
}

/** Remove the `key` line(s) from a header block without its final CRLF. */
function withoutHeader(block: string, key: string): string {
  const lines = block.split(CRLF);
  const lower = key.toLowerCase();
  return lines.filter((l, i) => i === 0 || !l.toLowerCase().startsWith(`${lower}:`)).join(CRLF);
}

/**
 * The message with header `key` set to `value` (replacing any previous
 * one), as one new buffer: { buf, start: 0, hdrLen, size }.
 */
export function setHeader(key: string, value: string, hdrLen: number, buf: Buffer, start: number, size: number): { buf: Buffer; start: number; hdrLen: number; size: number } {
  let head = HEADER_LINE;
  let bodyStart = start;
  if (hdrLen > CRLF.length) {
    const block = buf.toString("latin1", start, start + hdrLen - CRLF.length);
    const kept = withoutHeader(block, key);
    head = kept.endsWith(CRLF) ? kept : kept + CRLF;
    bodyStart = start + hdrLen;
  } else if (hdrLen >= 0) {
    bodyStart = start + hdrLen;
  }
  const header = Buffer.from(`${head}${key}: ${value}${CRLF}${CRLF}`, "latin1");
  const body = buf.subarray(bodyStart, start + size);
  const out = Buffer.concat([header, body]);
  return { buf: out, start: 0, hdrLen: header.length, size: out.length };
}
