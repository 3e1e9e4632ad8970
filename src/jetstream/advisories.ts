// JetStream advisories of the stream layer: the API audit on
// $JS.EVENT.ADVISORY.API and the stream actions
// $JS.EVENT.ADVISORY.STREAM.CREATED|DELETED|UPDATED.<stream>, with Go's
// type names and fields. Built only when the account has a listener.

import type { JsAccount } from "./account-context.js";
import { newEventId } from "../server/nuid.js";
import { formatNanos } from "./time.js";
import { nowNanos } from "./store/index.js";

const AUDIT_SUBJECT = "$JS.EVENT.ADVISORY.API";

function publishEvent(jsa: JsAccount, subject: string, type: string, body: Record<string, unknown>): void {
  if (!jsa.account.sublist.hasInterest(subject)) return;
  const o: Record<string, unknown> = { type, id: newEventId(), timestamp: formatNanos(nowNanos()), ...body };
  if (jsa.engine.domain) o.domain = jsa.engine.domain;
  jsa.client.publish(subject, undefined, JSON.stringify(o));
}

export function sendApiAudit(jsa: JsAccount, subject: string, request: Buffer, response: string): void {
  if (!jsa.account.sublist.hasInterest(AUDIT_SUBJECT)) return;
  const server = jsa.engine.server;
  publishEvent(jsa, AUDIT_SUBJECT, "io.nats.jetstream.advisory.v1.api_audit", {
    server: server.serverName,
    client: { acc: jsa.account.name, server: server.serverName },
    subject,
    request: request.toString("utf8"),
    response,
  });
}

export type StreamAction = "create" | "delete" | "modify";

const ACTION_SUBJECT: Record<StreamAction, string> = {
  create: "$JS.EVENT.ADVISORY.STREAM.CREATED.",
  delete: "$JS.EVENT.ADVISORY.STREAM.DELETED.",
  modify: "$JS.EVENT.ADVISORY.STREAM.UPDATED.",
};

export function sendStreamAction(jsa: JsAccount, stream: string, action: StreamAction): void {
  publishEvent(jsa, ACTION_SUBJECT[action] + stream, "io.nats.jetstream.advisory.v1.stream_action", { stream, action });
}

/** Snapshot and restore advisories ($JS.EVENT.ADVISORY.STREAM.SNAPSHOT_CREATE|… .<stream>). */
export function sendSnapshotEvent(jsa: JsAccount, kind: "SNAPSHOT_CREATE" | "SNAPSHOT_COMPLETE" | "RESTORE_CREATE" | "RESTORE_COMPLETE", stream: string, extra: Record<string, unknown> = {}): void {
  const type = kind.startsWith("SNAPSHOT") ? (kind === "SNAPSHOT_CREATE" ? "snapshot_create" : "snapshot_complete") : kind === "RESTORE_CREATE" ? "restore_create" : "restore_complete";
  publishEvent(jsa, `$JS.EVENT.ADVISORY.STREAM.${kind}.${stream}`, `io.nats.jetstream.advisory.v1.${type}`, { stream, client: { acc: jsa.account.name }, ...extra });
}
