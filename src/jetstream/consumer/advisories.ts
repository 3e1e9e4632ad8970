// JSON bodies and subjects of the consumer advisories and the ack metric
// ($JS.EVENT.ADVISORY.CONSUMER.*, $JS.EVENT.METRIC.CONSUMER.ACK.*), with Go's
// type names and field order. Built only when an event happens.

import { newEventId } from "../../server/nuid.js";
import { nowNanos } from "../store/types.js";
import { formatNanos } from "../time.js";

function typed(type: string, body: Record<string, unknown>, domain: string | undefined): string {
  const o: Record<string, unknown> = { type, id: newEventId(), timestamp: formatNanos(nowNanos()), ...body };
  if (domain) o.domain = domain;
  return JSON.stringify(o);
}

export function consumerActionAdvisory(stream: string, consumer: string, action: "create" | "delete", domain?: string): [string, string] {
  const kind = action === "create" ? "CREATED" : "DELETED";
  return [`$JS.EVENT.ADVISORY.CONSUMER.${kind}.${stream}.${consumer}`, typed("io.nats.jetstream.advisory.v1.consumer_action", { stream, consumer, action }, domain)];
}

export function maxDeliverAdvisory(stream: string, consumer: string, streamSeq: number, deliveries: number, domain?: string): [string, string] {
  return [
    `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`,
    typed("io.nats.jetstream.advisory.v1.max_deliver", { stream, consumer, stream_seq: streamSeq, deliveries }, domain),
  ];
}

export function nakAdvisory(stream: string, consumer: string, consumerSeq: number, streamSeq: number, deliveries: number, domain?: string): [string, string] {
  return [
    `$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.${stream}.${consumer}`,
    typed("io.nats.jetstream.advisory.v1.nak", { stream, consumer, consumer_seq: consumerSeq, stream_seq: streamSeq, deliveries }, domain),
  ];
}

export function terminatedAdvisory(stream: string, consumer: string, consumerSeq: number, streamSeq: number, deliveries: number, reason: string, domain?: string): [string, string] {
  const body: Record<string, unknown> = { stream, consumer, consumer_seq: consumerSeq, stream_seq: streamSeq, deliveries };
  if (reason) body.reason = reason;
  return [`$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${stream}.${consumer}`, typed("io.nats.jetstream.advisory.v1.terminated", body, domain)];
}

export function ackMetric(stream: string, consumer: string, consumerSeq: number, streamSeq: number, delayNs: number, deliveries: number, domain?: string): [string, string] {
  return [
    `$JS.EVENT.METRIC.CONSUMER.ACK.${stream}.${consumer}`,
    typed("io.nats.jetstream.metric.v1.consumer_ack", { stream, consumer, consumer_seq: consumerSeq, stream_seq: streamSeq, ack_time: delayNs, deliveries }, domain),
  ];
}
