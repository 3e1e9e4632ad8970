// Protocol tracing (-V) in nats-server's format: `<label> - <<- [PUB foo 5]`,
// `<<- MSG_PAYLOAD: ["hello"]`, `->> [MSG foo 1 5]`, `<-> [DELSUB 1]`, and
// the client label `ip:port - cid:N - "v1.2.3:lang:name"`. Only formatting:
// callers check `server.tracing` first, so nothing here runs when trace is off.

import type { ClientConnection } from "./connection.js";
import type { Logger } from "./logger.js";
import { subjectText } from "../protocol/subject.js";

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

function escapeCodePoint(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (PRINTABLE.test(ch)) return ch;
  return cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\U${cp.toString(16).padStart(8, "0")}`;
}

const ASCII_ESCAPES: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\" };

/** Go's %q of a byte slice: printable UTF-8 kept, everything else escaped, bad bytes as \xNN. */
function goQuoteBytes(b: Uint8Array, start = 0, end = b.length): string {
  let out = '"';
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      const esc = ASCII_ESCAPES[c];
      if (esc !== undefined) out += esc;
      else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
      else out += String.fromCharCode(c);
      i++;
      continue;
    }
    let n = 0;
    let cp = 0;
    let min = 0;
    if (c >= 0xc2 && c <= 0xdf) [n, cp, min] = [1, c & 0x1f, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, cp, min] = [2, c & 0x0f, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, cp, min] = [3, c & 0x07, 0x10000];
    let ok = n > 0 && i + n < end;
    for (let k = 1; ok && k <= n; k++) {
      const cc = b[i + k];
      if (cc < 0x80 || cc > 0xbf) ok = false;
      else cp = (cp << 6) | (cc & 0x3f);
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      out += `\\x${c.toString(16).padStart(2, "0")}`;
      i++;
      continue;
    }
    out += escapeCodePoint(cp);
    i += n + 1;
  }
  return out + '"';
}

/** Go's %q of a string (the client name part of a log label). */
function goQuoteString(s: string): string {
  return goQuoteBytes(Buffer.from(s, "utf8"));
}

/** The label nats-server puts before a client's log lines once CONNECT named it. */
export function clientLabel(base: string, version: string, lang: string, name: string): string {
  let ncs = version ? `v${version}` : "";
  if (lang) ncs = version ? `${ncs}:${lang}` : lang;
  if (name) ncs = version || lang ? `${ncs}:${name}` : name;
  return ncs ? `${base} - ${goQuoteString(ncs)}` : base;
}

/** Go's trace of CONNECT hides the password: the first `pass...` value becomes [REDACTED]. */
export function redactConnect(json: string): string {
  if (!json.includes("pass")) return json;
  const m = /"?\s*pass\S*?"?\s*[:=]\s*"?(([^",\r\n}])*)/.exec(json);
  if (!m) return json;
  const start = m.index + m[0].length - m[1].length;
  return json.slice(0, start) + "[REDACTED]" + json.slice(start + m[1].length);
}

/** `<<- [OP args]` and, for a message, `<<- MSG_PAYLOAD: ["..."]` (cut at maxTracedMsgLen). */
export function traceIn(log: Logger, conn: ClientConnection, op: string, args: string, maxLen: number, payload?: Buffer, start = 0, size = 0): void {
  log.trace(`${conn.label} - <<- [${args ? `${op} ${args}` : op}]`);
  if (payload) {
    if (maxLen > 0 && size > maxLen) {
      const q = goQuoteBytes(payload, start, start + maxLen);
      log.trace(`${conn.label} - <<- MSG_PAYLOAD: ["${q.slice(1, maxLen + 1)}..."]`);
    } else {
      log.trace(`${conn.label} - <<- MSG_PAYLOAD: [${goQuoteBytes(payload, start, start + size)}]`);
    }
  }
}

/** `->> [LINE]` for a protocol line the server sends (MSG header, PONG, -ERR text, OK). */
export function traceOut(log: Logger, conn: ClientConnection, line: string): void {
  log.trace(`${conn.label} - ->> [${line}]`);
}

/** `->> [MSG subject sid [reply] size]` (wire-form subjects shown as text) or `->> [HMSG subject sid [reply] hdr size]`. */
export function traceMsgOut(log: Logger, conn: ClientConnection, subject: string, sid: string, reply: string | undefined, hdrLen: number, size: number): void {
  const r = reply ? ` ${reply}` : "";
  traceOut(log, conn, subjectText(hdrLen >= 0 ? `HMSG ${subject} ${sid}${r} ${hdrLen} ${size}` : `MSG ${subject} ${sid}${r} ${size}`));
}

/** `<-> [DELSUB sid]`: a subscription removed (UNSUB, auto-unsubscribe, close). */
export function traceDelSub(log: Logger, conn: ClientConnection, sid: string): void {
  log.trace(`${conn.label} - <-> [DELSUB ${sid}]`);
}
