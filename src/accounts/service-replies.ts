// Service replies: the responses travelling back through service imports.
// A request forwarded into an exporting account gets a server-made reply
// subject `_R_.<account prefix>.<id>`; one wildcard subscription per
// exporting account catches answers on them and forwards each to the
// requester's original reply in its own account. Entries expire: singleton
// after the first answer, chunked at an empty message, all of them when the
// export's response threshold passes without an answer. Service latency
// metrics are published here when a sampled request (trace-sampling.ts) is
// answered.

import { deliverMessage } from "../server/delivery.js";
import { TargetKind, type MessageTarget } from "../server/message-target.js";
import { Subscription } from "../server/subscription.js";
import { newEventId, randomToken } from "../server/nuid.js";
import type { Account } from "./account.js";
import { DEFAULT_RESPONSE_THRESHOLD_MS, type ServiceExport } from "./exports.js";
import type { ServiceImport } from "./imports.js";
import { requestInfoOf } from "./request-info.js";
import { shouldSample } from "./trace-sampling.js";

export interface PendingResponse {
  readonly subject: string;
  readonly import: ServiceImport;
  /** The requester's reply subject in the importing account. */
  readonly reply: string;
  /** Last activity (ms epoch), for the threshold sweep. */
  ts: number;
  /** Latency sampling: when the request entered, and who sent it. */
  readonly tracking: { startNs: bigint; start: Date; requestor: Record<string, unknown>; header: Record<string, string[]> | null } | null;
}

const LATENCY_TYPE = "io.nats.server.metric.v1.service_latency";

export class ServiceReplies implements MessageTarget {
  readonly kind = TargetKind.Internal;
  readonly echo = true;
  closed = false;
  /** `_R_.xxxxxx.` */
  readonly prefix = `_R_.${randomToken(6)}.`;
  readonly pending = new Map<string, PendingResponse>();
  private sub: Subscription | null = null;

  constructor(readonly account: Account) {}

  get cid(): number {
    return this.account.internalCid;
  }

  /**
   * A response entry for a request forwarded through `si` (subscribes the
   * prefix on first use); `header` is the request's header block (for
   * sampling by tracing headers).
   */
  create(si: ServiceImport, reply: string, requester: MessageTarget | null, header: Buffer | null): PendingResponse {
    if (this.sub === null) {
      this.sub = new Subscription(this, `${this.prefix}>`, undefined, "rsi");
      this.account.sublist.insert(this.sub);
    }
    let subject: string;
    do subject = this.prefix + randomToken(6);
    while (this.pending.has(subject));
    const lat = si.serviceExport?.latency ?? null;
    const sample = lat !== null && si.responseType === "Singleton" ? shouldSample(lat.sampling, header) : null;
    const tracking =
      sample !== null && sample.sampled
        ? { startNs: process.hrtime.bigint(), start: new Date(), requestor: requestInfoOf(requester, si.share) ?? { acc: si.importer.name }, header: sample.header }
        : null;
    const p: PendingResponse = { subject, import: si, reply, ts: Date.now(), tracking };
    this.pending.set(subject, p);
    if (si.serviceExport !== undefined) this.armSweep(si.serviceExport);
    return p;
  }

  remove(subject: string): void {
    this.pending.delete(subject);
  }

  deliver(_sub: Subscription, subject: string, _reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number, publisher: MessageTarget | null): boolean {
    const p = this.pending.get(subject);
    if (p === undefined) return false;
    const si = p.import;
    const delivered = deliverMessage(si.importer, publisher, p.reply, undefined, hdrLen, buf, start, size);
    if (p.tracking !== null) this.sendLatency(p, publisher);
    const rt = si.responseType;
    const empty = size - (hdrLen > 0 ? hdrLen : 0) === 0 && hdrLen <= 0;
    if (delivered === 0 || rt === "Singleton" || (rt === "Chunked" && empty)) this.pending.delete(subject);
    else p.ts = Date.now();
    return delivered > 0;
  }

  removeSub(sub: Subscription): void {
    if (sub.closed) return;
    sub.closed = true;
    this.account.sublist.remove(sub);
    if (sub === this.sub) this.sub = null;
  }

  /** Drop every pending response and the wildcard subscription. */
  close(): void {
    for (const se of this.account.serviceExports.values()) {
      if (se.sweepTimer !== null) clearTimeout(se.sweepTimer);
      se.sweepTimer = null;
    }
    this.pending.clear();
    if (this.sub !== null) this.removeSub(this.sub);
  }

  /** Go's response threshold timer: one per export, re-armed while its responses are pending. */
  private armSweep(se: ServiceExport): void {
    if (se.sweepTimer !== null) return;
    const threshold = se.responseThreshold > 0 ? se.responseThreshold : DEFAULT_RESPONSE_THRESHOLD_MS;
    se.sweepTimer = setTimeout(() => {
      se.sweepTimer = null;
      const oldest = Date.now() - threshold;
      let left = 0;
      for (const [subj, p] of this.pending) {
        if (p.import.serviceExport !== se) continue;
        if (p.ts <= oldest) this.pending.delete(subj);
        else left++;
      }
      if (left > 0) this.armSweep(se);
    }, threshold);
    se.sweepTimer.unref();
  }

  /** Go's ServiceLatency metric, published in the exporting account. */
  private sendLatency(p: PendingResponse, responder: MessageTarget | null): void {
    const lat = p.import.serviceExport?.latency;
    const t = p.tracking;
    if (!lat || t === null) return;
    const serviceNs = Number(process.hrtime.bigint() - t.startNs);
    const resp = responder?.clientInfo?.(true) ?? {};
    const reqRtt = typeof t.requestor.rtt === "number" ? t.requestor.rtt : 0;
    const respRtt = typeof resp.rtt === "number" ? resp.rtt : 0;
    // One process: no time is spent between servers ("system" latency).
    const metric = {
      type: LATENCY_TYPE,
      id: newEventId(),
      timestamp: new Date().toISOString(),
      status: 200,
      requestor: t.requestor,
      responder: resp,
      ...(t.header !== null ? { header: t.header } : {}),
      start: new Date(t.start.getTime() - reqRtt / 1e6).toISOString(),
      service: Math.max(0, serviceNs - respRtt),
      system: 0,
      total: reqRtt + serviceNs,
    };
    const body = Buffer.from(JSON.stringify(metric));
    deliverMessage(this.account, null, lat.subject, undefined, -1, body, 0, body.length);
  }
}

export function repliesOf(acc: Account): ServiceReplies {
  return (acc.replies ??= new ServiceReplies(acc));
}
