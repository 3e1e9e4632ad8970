// Pull requests ($JS.API.CONSUMER.MSG.NEXT): decoding the request body as Go
// does (empty = one message, a bare number = batch, or the JSON form), the
// checks against the consumer's request limits with Go's 400/409 answers, and
// the bounded FIFO of waiting requests, served round-robin one message at a
// time. What a request gets depends on the consumer: that is delivery.ts.

import { formatGoDuration } from "../../go-format/duration.js";
import type { ConsumerConfig } from "./config.js";
import { status409, statusBadRequest } from "./status.js";

export interface PullRequest {
  reply: string;
  /** Messages still owed. */
  n: number;
  /** Messages delivered so far. */
  d: number;
  /** Bytes still allowed; 0 = no byte limit. */
  b: number;
  noWait: boolean;
  /** ms since epoch; 0 = never. */
  expires: number;
  /** Heartbeat interval in ms; 0 = none. */
  hb: number;
  /** Next heartbeat due (ms). */
  hbt: number;
  received: number;
}

export type ParsedPull = { ok: true; batch: number; maxBytes: number; noWait: boolean; expiresNs: number; hbNs: number } | { ok: false; error: string };

const FIELD_TYPES: Record<string, "int" | "bool"> = { expires: "int", batch: "int", max_bytes: "int", no_wait: "bool", idle_heartbeat: "int" };

export function parsePullRequest(body: Buffer): ParsedPull {
  const text = body.toString("utf8").trim();
  if (text === "") return { ok: true, batch: 1, maxBytes: 0, noWait: false, expiresNs: 0, hbNs: 0 };
  if (text[0] !== "{") {
    const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
    return { ok: true, batch: Number.isSafeInteger(n) ? n : 1, maxBytes: 0, noWait: false, expiresNs: 0, hbNs: 0 };
  }
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text);
  } catch {
    return { ok: false, error: "invalid character in request" };
  }
  if (j === null || typeof j !== "object" || Array.isArray(j)) return { ok: false, error: "json: cannot unmarshal into Go value of type server.JSApiConsumerGetNextRequest" };
  for (const [k, kind] of Object.entries(FIELD_TYPES)) {
    const v = j[k];
    if (v === undefined || v === null) continue;
    const goType = kind === "bool" ? "bool" : k === "expires" || k === "idle_heartbeat" ? "time.Duration" : "int";
    if (kind === "bool" ? typeof v === "boolean" : typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 2 ** 63) continue;
    // Go names the number when it does not fit the field (a fraction, out of int64), not when the type is wrong.
    const what = typeof v === "string" ? "string" : typeof v === "number" ? (kind === "bool" ? "number" : `number ${String(v)}`) : typeof v === "boolean" ? "bool" : Array.isArray(v) ? "array" : "object";
    return { ok: false, error: `json: cannot unmarshal ${what} into Go struct field JSApiConsumerGetNextRequest.${k} of type ${goType}` };
  }
  const expiresNs = (j.expires as number) ?? 0;
  const hbNs = (j.idle_heartbeat as number) ?? 0;
  if (hbNs > 0 && hbNs * 2 > expiresNs) return { ok: false, error: "heartbeat value too large" };
  return { ok: true, batch: (j.batch as number) ?? 0, maxBytes: (j.max_bytes as number) ?? 0, noWait: (j.no_wait as boolean) ?? false, expiresNs, hbNs };
}

/**
 * A pull request decoded and checked against the consumer's limits: the
 * waiting entry it becomes (n <= 0 asks for nothing), or the status to answer.
 */
export function admitPullRequest(reply: string, body: Buffer, cfg: ConsumerConfig, now: number): PullRequest | Buffer {
  const req = parsePullRequest(body);
  if (!req.ok) return statusBadRequest(req.error);
  if (cfg.max_batch && req.batch > cfg.max_batch) return status409(`Exceeded MaxRequestBatch of ${cfg.max_batch}`);
  if (req.expiresNs > 0 && cfg.max_expires && req.expiresNs > cfg.max_expires) return status409(`Exceeded MaxRequestExpires of ${formatGoDuration(BigInt(cfg.max_expires))}`);
  if (req.maxBytes > 0 && cfg.max_bytes && req.maxBytes > cfg.max_bytes) return status409(`Exceeded MaxRequestMaxBytes of ${cfg.max_bytes}`);
  const hbMs = req.hbNs / 1e6;
  return {
    reply,
    n: req.batch,
    d: 0,
    b: req.maxBytes,
    noWait: req.noWait,
    expires: req.expiresNs !== 0 ? now + req.expiresNs / 1e6 : 0,
    hb: hbMs,
    hbt: hbMs > 0 ? now + hbMs : 0,
    received: now,
  };
}

export class WaitQueue {
  private items: PullRequest[] = [];
  /** Last time a request arrived (ms), for the inactivity check. */
  last = 0;

  constructor(readonly max: number) {}

  get length(): number {
    return this.items.length;
  }

  isFull(): boolean {
    return this.items.length >= this.max;
  }

  add(wr: PullRequest): boolean {
    if (this.isFull()) return false;
    this.items.push(wr);
    this.last = wr.received;
    return true;
  }

  peek(): PullRequest | undefined {
    return this.items[0];
  }

  /** Takes one message's worth from the head request; a request still owed messages moves to the back. */
  pop(): PullRequest | undefined {
    const wr = this.items[0];
    if (wr === undefined) return undefined;
    wr.d++;
    wr.n--;
    if (wr.n > 0 && this.items.length > 1) {
      this.items.shift();
      this.items.push(wr);
    } else if (wr.n <= 0) {
      this.items.shift();
    }
    return wr;
  }

  /** Puts a request back at the head (a send that was postponed). */
  unshift(wr: PullRequest): void {
    this.items.unshift(wr);
  }

  removeHead(): void {
    this.items.shift();
  }

  remove(wr: PullRequest): void {
    const i = this.items.indexOf(wr);
    if (i >= 0) this.items.splice(i, 1);
  }

  all(): readonly PullRequest[] {
    return this.items;
  }

  clear(): PullRequest[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}
