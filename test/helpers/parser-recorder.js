// Test helper: a ClientProtocolParser wired to a fake handler that records
// every callback as an array, for unit tests of the parser.
import { ClientProtocolParser } from "../../dist/protocol/parser.js";

export function recorder({ maxControlLine = 4096, maxPayload = 1024 * 1024, headers = true } = {}) {
  const ops = [];
  const handler = {
    onPub: (subject, reply, hdrLen, buf, start, size) => ops.push(["pub", subject, reply, hdrLen, buf.toString("latin1", start, start + size)]),
    onSub: (s, q, sid) => ops.push(["sub", s, q, sid]),
    onUnsub: (sid, max) => ops.push(["unsub", sid, max]),
    onPing: () => ops.push(["ping"]),
    onPong: () => ops.push(["pong"]),
    onConnect: (j) => ops.push(["connect", j]),
    onParseError: (err, reason) => ops.push(["error", err, reason]),
    onMaxPayload: (size) => ops.push(["maxpayload", size]),
  };
  const parser = new ClientProtocolParser(handler, maxControlLine);
  parser.maxPayload = maxPayload;
  parser.headersAllowed = headers;
  return { parser, ops };
}
