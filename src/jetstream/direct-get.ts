// Direct get ($JS.API.DIRECT.GET.<stream> and .<stream>.<subject>): any
// stream with allow_direct (and a mirror with mirror_direct, for its origin)
// answers in the "_sys_" queue group with the raw message and Nats-Stream /
// Nats-Subject / Nats-Sequence / Nats-Time-Stamp headers, or a status-only
// answer (404 Message Not Found, 408 Bad/Empty/Malformed Request). Batch and
// multi_last requests (ADR-31) send each message with Nats-Num-Pending and
// Nats-Last-Sequence and end with a 204 EOB status. The newest message of one
// literal subject (every KV get) is encoded straight from the store's bytes
// into one reply buffer: no message copy, no header list.

import type { Subscription } from "../server/subscription.js";
import type { Stream } from "./stream.js";
import { newMessageRef, type MessageRef, type StoredMessage } from "./store/index.js";
import { isValidLiteralSubject, isValidSubject } from "../protocol/subject.js";
import { buildHeaders } from "./headers.js";
import { formatNanos, parseTimeNanos } from "./time.js";

const PREFIX = "$JS.API.DIRECT.GET.";
const QUEUE = "_sys_";
const EMPTY = Buffer.alloc(0);

interface DirectRequest {
  seq: number;
  last_by_subj: string;
  next_by_subj: string;
  batch: number;
  max_bytes: number;
  multi_last: string[];
  up_to_seq: number;
  up_to_time: string;
  start_time: string;
}

function status(code: string): Buffer {
  return Buffer.from(`NATS/1.0 ${code}\r\n\r\n`, "latin1");
}

function decode(data: Buffer): DirectRequest | "malformed" {
  let v: unknown;
  try {
    v = JSON.parse(data.toString("utf8"));
  } catch {
    return "malformed";
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "malformed";
  const o = v as Record<string, unknown>;
  const num = (k: string) => (o[k] === undefined || o[k] === null ? 0 : typeof o[k] === "number" && Number.isInteger(o[k]) && (o[k] as number) >= 0 ? (o[k] as number) : NaN);
  const str = (k: string) => (o[k] === undefined || o[k] === null ? "" : typeof o[k] === "string" ? (o[k] as string) : null);
  const r = {
    seq: num("seq"),
    last_by_subj: str("last_by_subj"),
    next_by_subj: str("next_by_subj"),
    batch: num("batch"),
    max_bytes: num("max_bytes"),
    up_to_seq: num("up_to_seq"),
    up_to_time: str("up_to_time"),
    start_time: str("start_time"),
    multi_last: o.multi_last === undefined || o.multi_last === null ? [] : o.multi_last,
  };
  if ([r.seq, r.batch, r.max_bytes, r.up_to_seq].some(Number.isNaN)) return "malformed";
  if ([r.last_by_subj, r.next_by_subj, r.up_to_time, r.start_time].some((x) => x === null)) return "malformed";
  if (!Array.isArray(r.multi_last) || r.multi_last.some((s) => typeof s !== "string")) return "malformed";
  return r as DirectRequest;
}

/** Header lines of a direct get answer up to the subject's value, as buildHeaders writes them (latin1). */
function streamLine(name: string): Buffer {
  return Buffer.from(`Nats-Stream: ${name}\r\nNats-Subject: `, "latin1");
}
const SEQUENCE_LINE = "\r\nNats-Sequence: ";
const TIME_LINE = "\r\nNats-Time-Stamp: ";
const NO_HEADERS = "NATS/1.0\r\n";

/** Writes s at out[at] as latin1 (what Buffer#write does), in a loop: the pieces are short. */
function putLatin1(out: Buffer, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) out[at + i] = s.charCodeAt(i) & 0xff;
  return at + n;
}

/** Copies src[start, end) to out[at]; a loop for the short headers and values of KV entries. */
function putBytes(out: Buffer, at: number, src: Buffer, start: number, end: number): number {
  const n = end - start;
  if (n > 64) return at + src.copy(out, at, start, end);
  for (let i = 0; i < n; i++) out[at + i] = src[start + i];
  return at + n;
}

export class DirectGet {
  private subs: Subscription[] = [];
  private streamLine: Buffer;
  /** Where the store puts the message it finds for lastLiteral() (reused: one lookup at a time). */
  private readonly found: MessageRef = newMessageRef();

  constructor(private readonly stream: Stream) {
    this.streamLine = streamLine(stream.name);
  }

  /** (Re)subscribe for the stream's current config. */
  configure(): void {
    this.stop();
    const s = this.stream;
    this.streamLine = streamLine(s.name);
    const client = s.client;
    const names: string[] = [];
    if (s.cfg.allow_direct) names.push(s.name);
    if (s.cfg.mirror && s.cfg.mirror_direct && !s.cfg.mirror.external) names.push(s.cfg.mirror.name);
    for (const name of names) {
      this.subs.push(client.subscribe(`${PREFIX}${name}`, (_subj, reply, _hdr, data) => this.onRequest(reply, data), QUEUE));
      this.subs.push(client.subscribe(`${PREFIX}${name}.>`, (subj, reply, _hdr, data) => this.onLastBySubject(subj, `${PREFIX}${name}.`.length, reply, data), QUEUE));
    }
  }

  stop(): void {
    for (const sub of this.subs) this.stream.client.removeSub(sub);
    this.subs = [];
  }

  private send(reply: string, hdr: Buffer, data: Buffer = EMPTY): void {
    this.stream.client.publish(reply, undefined, data, hdr);
  }

  private onLastBySubject(subject: string, prefixLen: number, reply: string | undefined, data: Buffer): void {
    if (!reply) return;
    if (data.length !== 0) return this.send(reply, status("408 Bad Request"));
    const key = subject.slice(prefixLen);
    if (isValidLiteralSubject(key)) return this.lastLiteral(reply, key);
    this.single(reply, { seq: 0, last_by_subj: key, next_by_subj: "", batch: 0, max_bytes: 0, multi_last: [], up_to_seq: 0, up_to_time: "", start_time: "" });
  }

  /** The newest message on one literal subject (the KV get). */
  private lastLiteral(reply: string, subject: string): void {
    const store = this.stream.store;
    const m = this.found;
    // A message the store cannot read is dropped as lost, and the subject's previous one is next.
    for (let seq = store.lastSeqForSubject(subject), tried = 0; seq > 0 && seq !== tried; tried = seq, seq = store.lastSeqForSubject(subject)) {
      if (store.peekMsg(seq, m)) return this.sendFound(reply, m);
    }
    this.send(reply, status("404 Message Not Found"));
  }

  /**
   * The answer for a message in place: its header block (without the blank line) or a bare
   * NATS/1.0 line, the stream, subject, sequence and time stamp lines, then the payload, all in
   * one buffer (the bytes headersFor() and the payload would give).
   */
  private sendFound(reply: string, m: MessageRef): void {
    const hdrLen = m.hdrLen >= 0 ? m.hdrLen : 0;
    const keepHdr = hdrLen >= 12;
    const seqText = String(m.seq);
    const tsText = formatNanos(m.ts);
    const dataLen = m.size - hdrLen;
    const lineBytes = this.streamLine.length + m.subject.length + SEQUENCE_LINE.length + seqText.length + TIME_LINE.length + tsText.length + 4;
    const headLen = (keepHdr ? hdrLen - 2 : NO_HEADERS.length) + lineBytes;
    const out = Buffer.allocUnsafe(headLen + dataLen);
    let at = keepHdr ? putBytes(out, 0, m.buf, m.start, m.start + hdrLen - 2) : putLatin1(out, 0, NO_HEADERS);
    at = putBytes(out, at, this.streamLine, 0, this.streamLine.length);
    at = putLatin1(out, at, m.subject);
    at = putLatin1(out, at, SEQUENCE_LINE);
    at = putLatin1(out, at, seqText);
    at = putLatin1(out, at, TIME_LINE);
    at = putLatin1(out, at, tsText);
    at = putLatin1(out, at, "\r\n\r\n");
    putBytes(out, at, m.buf, m.start + hdrLen, m.start + m.size);
    this.send(reply, out.subarray(0, headLen), out.subarray(headLen));
  }

  private onRequest(reply: string | undefined, data: Buffer): void {
    if (!reply) return;
    if (data.length === 0) return this.send(reply, status("408 Empty Request"));
    const req = decode(data);
    if (req === "malformed") return this.send(reply, status("408 Malformed Request"));
    const multi = req.multi_last.length > 0;
    if (req.seq === 0 && req.last_by_subj === "" && req.next_by_subj === "" && !multi && req.start_time === "") return this.send(reply, status("408 Empty Request"));
    if ((req.seq > 0 && req.last_by_subj !== "") || (req.last_by_subj !== "" && req.next_by_subj !== "") || (multi && (req.last_by_subj !== "" || req.next_by_subj !== ""))) {
      return this.send(reply, status("408 Bad Request"));
    }
    if (multi) return this.multiLast(reply, req);
    if (req.batch > 0) return this.batch(reply, req);
    this.single(reply, req);
  }

  private headersFor(m: StoredMessage, extra: [string, string][] = []): Buffer {
    return buildHeaders(m.hdr, [["Nats-Stream", this.stream.name], ["Nats-Subject", m.subject], ["Nats-Sequence", String(m.seq)], ["Nats-Time-Stamp", formatNanos(m.ts)], ...extra]);
  }

  private single(reply: string, req: DirectRequest): void {
    const store = this.stream.store;
    let m: StoredMessage | null = null;
    if (req.next_by_subj !== "") m = isValidSubject(req.next_by_subj) ? store.getNextBySubject(req.seq, req.next_by_subj) : null;
    else if (req.seq > 0) m = store.getMsg(req.seq);
    else if (req.start_time !== "") m = this.firstAtOrAfter(parseTimeNanos(req.start_time), ">");
    else if (isValidLiteralSubject(req.last_by_subj)) return this.lastLiteral(reply, req.last_by_subj);
    else m = isValidSubject(req.last_by_subj) ? store.getLastBySubject(req.last_by_subj) : null;
    if (m === null) return this.send(reply, status("404 Message Not Found"));
    this.send(reply, this.headersFor(m), m.data);
  }

  private firstAtOrAfter(ts: number, filter: string): StoredMessage | null {
    if (Number.isNaN(ts)) return null;
    const store = this.stream.store;
    let m = store.getNextBySubject(0, filter);
    while (m !== null && m.ts < ts) m = store.getNextBySubject(m.seq + 1, filter);
    return m;
  }

  private batch(reply: string, req: DirectRequest): void {
    const store = this.stream.store;
    const filter = req.next_by_subj !== "" ? req.next_by_subj : ">";
    if (!isValidSubject(filter)) return this.send(reply, status("404 Message Not Found"));
    let m = req.start_time !== "" ? this.firstAtOrAfter(parseTimeNanos(req.start_time), filter) : store.getNextBySubject(Math.max(req.seq, 1), filter);
    if (m === null) return this.send(reply, status("404 Message Not Found"));
    let sent = 0;
    let bytes = 0;
    let last = 0;
    while (m !== null && sent < req.batch && (req.max_bytes === 0 || bytes + m.data.length <= req.max_bytes || sent === 0)) {
      const pending = store.numPending(m.seq + 1, filter, false);
      this.send(reply, this.headersFor(m, [["Nats-Num-Pending", String(pending)], ["Nats-Last-Sequence", String(last)]]), m.data);
      bytes += m.data.length;
      last = m.seq;
      sent++;
      m = store.getNextBySubject(m.seq + 1, filter);
    }
    const remaining = m === null ? 0 : store.numPending(m.seq, filter, false);
    this.send(reply, buildHeaders(null, [["Nats-Num-Pending", String(remaining)], ["Nats-Last-Sequence", String(last)]], "204 EOB"));
  }

  private multiLast(reply: string, req: DirectRequest): void {
    const store = this.stream.store;
    if (req.multi_last.some((s) => !isValidSubject(s))) return this.send(reply, status("408 Bad Request"));
    let seqs = store.lastSeqsPerSubject(req.multi_last);
    if (req.up_to_seq > 0) seqs = seqs.filter((s) => s <= req.up_to_seq);
    const upTo = req.up_to_time !== "" ? parseTimeNanos(req.up_to_time) : Infinity;
    const msgs = seqs.map((s) => store.getMsg(s)).filter((m): m is StoredMessage => m !== null && m.ts <= upTo);
    if (msgs.length === 0) return this.send(reply, status("404 Message Not Found"));
    const limit = req.batch > 0 ? Math.min(req.batch, msgs.length) : msgs.length;
    let last = 0;
    for (let i = 0; i < limit; i++) {
      const m = msgs[i];
      this.send(reply, this.headersFor(m, [["Nats-Num-Pending", String(msgs.length - i - 1)], ["Nats-Last-Sequence", String(last)]]), m.data);
      last = m.seq;
    }
    this.send(reply, buildHeaders(null, [["Nats-Num-Pending", String(msgs.length - limit)], ["Nats-Last-Sequence", String(last)]], "204 EOB"));
  }
}
