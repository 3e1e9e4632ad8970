// STREAM.SNAPSHOT and STREAM.RESTORE with Go's chunked protocol. Snapshot:
// the reply holds {config,state}; the store's snapshot bytes then go to
// deliver_subject in chunk_size pieces, each with an ack reply
// $JS.SNAPSHOT.ACK.<stream>.<id>.<len>.<index>, at most 8 MB unacknowledged,
// ending with an empty "NATS/1.0 204" message. Restore: the reply names
// $JS.SNAPSHOT.RESTORE.<stream>.<id>; each chunk published there is acked,
// an empty message ends it and is answered with the restored stream's info.
// The bytes are tsnats' own snapshot format (store/snapshot.ts).

import { randomBytes } from "node:crypto";
import { isValidSubject } from "../../protocol/subject.js";
import { restoreSnapshot, StoreError } from "../store/index.js";
import { checkStreamConfig, decodeStreamConfig, type StreamConfig } from "../stream-config.js";
import { sendSnapshotEvent, sendStreamAction } from "../advisories.js";
import type { JsAccount } from "../account-context.js";
import { ApiDispatcher, goJson, type ApiRequest } from "./dispatcher.js";
import { jsError, jsFail, JsApiError } from "./errors.js";
import { boolField, intField, objectBody, strField } from "./stream-handlers.js";

const T = "io.nats.jetstream.api.v1.";
const DEFAULT_CHUNK = 128 * 1024;
const WINDOW = 8 * 1024 * 1024;
const FLOW_TIMEOUT_MS = 2000;
const RESTORE_IDLE_MS = 10_000;

function token(): string {
  return randomBytes(11).toString("hex");
}

/** Send the snapshot bytes to `deliver`, pacing by acks as Go does. */
function streamChunks(jsa: JsAccount, stream: string, deliver: string, bytes: Buffer, chunkSize: number, done: () => void): void {
  const client = jsa.client;
  const ackBase = `$JS.SNAPSHOT.ACK.${stream}.${token()}`;
  let offset = 0;
  let index = 0;
  let outstanding = 0;
  let timer: NodeJS.Timeout | null = null;
  const ackSub = client.subscribe(`${ackBase}.>`, (subject) => {
    const len = Number(subject.split(".")[5]);
    outstanding -= Number.isFinite(len) ? len : 0;
    pump();
  });
  const finish = (hdr: Buffer | null) => {
    if (timer) clearTimeout(timer);
    client.removeSub(ackSub);
    client.publish(deliver, undefined, Buffer.alloc(0), hdr);
    done();
  };
  const pump = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    while (offset < bytes.length && outstanding <= WINDOW) {
      const chunk = bytes.subarray(offset, offset + chunkSize);
      offset += chunk.length;
      index++;
      outstanding += chunk.length;
      client.publish(deliver, `${ackBase}.${chunk.length}.${index}`, chunk);
    }
    if (offset >= bytes.length) return finish(index > 0 ? Buffer.from("NATS/1.0 204\r\n\r\n") : null);
    timer = setTimeout(() => finish(Buffer.from("NATS/1.0 408 No Flow Response\r\n\r\n")), FLOW_TIMEOUT_MS);
  };
  pump();
}

function snapshot(req: ApiRequest): Record<string, unknown> | null {
  if (req.isEmpty()) throw jsFail("badRequest");
  const stream = req.jsa.stream(req.tokens[2] ?? "");
  const o = objectBody(req);
  const deliver = strField(o, "deliver_subject");
  boolField(o, "no_consumers");
  boolField(o, "jsck");
  const chunkSize = intField(o, "chunk_size") || DEFAULT_CHUNK;
  if (!isValidSubject(deliver)) throw jsFail("snapshotDeliverSubjectInvalid");
  const log = req.jsa.engine.server.logger;
  log.notice(`Starting snapshot for stream '${req.jsa.account.name} > ${stream.name}'`);
  let bytes: Buffer;
  try {
    stream.store.flushPending();
    bytes = stream.store.snapshot();
  } catch (e) {
    log.warn(`Snapshot of stream '${req.jsa.account.name} > ${stream.name}' failed: ${(e as Error).message}`);
    throw jsFail("streamSnapshot", { err: (e as Error).message });
  }
  const state = stream.state();
  req.respond(ApiDispatcher.encode(`${T}stream_snapshot_response`, { config: stream.cfg, state }));
  sendSnapshotEvent(req.jsa, "SNAPSHOT_CREATE", stream.name, { state });
  const started = Date.now();
  streamChunks(req.jsa, stream.name, deliver, bytes, Math.max(1, chunkSize), () => {
    sendSnapshotEvent(req.jsa, "SNAPSHOT_COMPLETE", stream.name);
    log.notice(`Completed snapshot of ${bytes.length} bytes for stream '${req.jsa.account.name} > ${stream.name}' in ${Date.now() - started}ms`);
  });
  return null;
}

function restore(req: ApiRequest): Record<string, unknown> | null {
  if (req.isEmpty()) throw jsFail("badRequest");
  const o = objectBody(req);
  const name = req.tokens[2] ?? "";
  const cfgIn = decodeStreamConfig(o.config ?? {});
  if (cfgIn.name === "") cfgIn.name = name;
  const jsa = req.jsa;
  const cfg = checkStreamConfig(cfgIn, jsa.lookup());
  if (jsa.streams.has(cfg.name)) throw jsFail("streamNameExistRestoreFailed");
  const deliver = `$JS.SNAPSHOT.RESTORE.${cfg.name}.${token()}`;
  const chunks: Buffer[] = [];
  const log = jsa.engine.server.logger;
  log.notice(`Starting restore for stream '${jsa.account.name} > ${cfg.name}'`);
  sendSnapshotEvent(jsa, "RESTORE_CREATE", cfg.name);
  let idle: NodeJS.Timeout | null = null;
  const arm = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      jsa.client.removeSub(sub);
      log.warn(`Restore for stream '${jsa.account.name} > ${cfg.name}' timed out`);
    }, RESTORE_IDLE_MS);
  };
  const sub = jsa.client.subscribe(deliver, (_subject, reply, _hdr, data) => {
    if (data.length > 0) {
      chunks.push(Buffer.from(data));
      if (reply) jsa.client.publish(reply, undefined, "");
      arm();
      return;
    }
    if (idle) clearTimeout(idle);
    jsa.client.removeSub(sub);
    const answer = finishRestore(jsa, cfg, Buffer.concat(chunks));
    if (reply) jsa.client.publish(reply, undefined, answer);
  });
  arm();
  return { deliver_subject: deliver };
}

function finishRestore(jsa: JsAccount, cfg: StreamConfig, bytes: Buffer): string {
  const type = `${T}stream_create_response`;
  try {
    if (jsa.streams.has(cfg.name)) throw jsFail("streamNameExistRestoreFailed");
    let created = "";
    const store = restoreSnapshot(bytes, (meta) => {
      created = meta.created;
      return jsa.engine.createStore(jsa, { ...(meta.config as unknown as StreamConfig), name: cfg.name }, meta.created);
    });
    const restoredCfg = { ...(store.meta().config as unknown as StreamConfig), name: cfg.name };
    const stream = jsa.addStream(restoredCfg, store, created || store.meta().created);
    stream.consumers.recover();
    sendSnapshotEvent(jsa, "RESTORE_COMPLETE", cfg.name);
    sendStreamAction(jsa, cfg.name, "create");
    return ApiDispatcher.encode(type, stream.info());
  } catch (e) {
    if (e instanceof JsApiError) return ApiDispatcher.errorBody(type, e.error);
    const msg = e instanceof StoreError ? e.message : (e as Error).message;
    jsa.engine.server.logger.warn(`Restore of stream '${jsa.account.name} > ${cfg.name}' failed: ${msg}`);
    return goJson({ type, error: jsError("streamRestore", { err: msg }) });
  }
}

export function registerSnapshotApi(api: ApiDispatcher): void {
  api.register("STREAM.SNAPSHOT.*", `${T}stream_snapshot_response`, snapshot);
  api.register("STREAM.RESTORE.*", `${T}stream_restore_response`, restore);
}
