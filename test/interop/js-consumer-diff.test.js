// Differential check of consumers and KV against the Go nats-server 2.9.10:
// the same scenarios through the real clients and raw pull requests must
// give the same status codes and descriptions, the same status headers, the
// same consumer info keys and value types (recursively; fields Go added in
// 2.10 are allowed on our side), the same API errors and the same KV results.
// Skipped when nats-server is not on PATH.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, AckPolicy } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { startServer, sleep } from "../helpers/server.js";
import { goServerPath, startGoServer } from "../helpers/go-server.js";

const skip = goServerPath() ? false : "nats-server (Go) not on PATH";

/** Keys tsnats (2.10 behaviour) may add beyond Go 2.9.10's answers. */
const NEWER_KEYS = new Set(["ts", "metadata"]);

/** The shape of a JSON value: key -> shape for objects, "array<...>", or the typeof. */
function shape(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.length === 0 ? "array" : `array<${JSON.stringify(shape(v[0]))}>`;
  if (typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v).sort()) if (!NEWER_KEYS.has(k)) o[k] = shape(v[k]);
    return o;
  }
  return typeof v;
}

function status(m) {
  if (!m.headers || !m.headers.code) return { data: m.string(), subject: m.subject, replyTokens: m.reply?.split(".").length ?? 0 };
  const h = {};
  for (const k of m.headers.keys()) h[k] = m.headers.get(k);
  return { code: m.headers.code, description: m.headers.description, headers: h };
}

async function rawPull(nc, consumer, body, ms) {
  const inbox = `_INBOX.d${Math.random().toString(36).slice(2)}`;
  const got = [];
  const sub = nc.subscribe(inbox, { callback: (_e, m) => got.push(status(m)) });
  await nc.flush();
  nc.publish(`$JS.API.CONSUMER.MSG.NEXT.S.${consumer}`, typeof body === "string" ? body : JSON.stringify(body), { reply: inbox });
  await sleep(ms);
  sub.unsubscribe();
  return got;
}

function normHb(list) {
  // Heartbeat counts depend on timing; keep the first of each kind.
  const seen = new Set();
  return list.filter((s) => {
    const k = JSON.stringify(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** One run of every scenario against the server at `port`; returns comparable facts. */
async function scenarios(port) {
  const nc = await connect({ port });
  const out = {};
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    for (let i = 1; i <= 3; i++) await js.publish(`s.${i}`, `m${i}`);
    const api = async (subj, body) => (await nc.request(`$JS.API.${subj}`, body === undefined ? "" : JSON.stringify(body))).json();

    const created = await api("CONSUMER.DURABLE.CREATE.S.C", { stream_name: "S", config: { durable_name: "C", ack_policy: "explicit", ack_wait: 5e9 } });
    out.createShape = shape(created);
    out.createConfig = { ...created.config };
    out.pull = await rawPull(nc, "C", { batch: 5, expires: 400e6 }, 1500);
    out.infoAfterPull = await api("CONSUMER.INFO.S.C");
    out.infoShape = shape(out.infoAfterPull);
    out.counters = (({ delivered, ack_floor, num_ack_pending, num_redelivered, num_waiting, num_pending }) => ({
      delivered: { consumer_seq: delivered.consumer_seq, stream_seq: delivered.stream_seq },
      ack_floor: { consumer_seq: ack_floor.consumer_seq, stream_seq: ack_floor.stream_seq },
      num_ack_pending,
      num_redelivered,
      num_waiting,
      num_pending,
    }))(out.infoAfterPull);
    delete out.infoAfterPull;
    out.noWaitEmpty = await rawPull(nc, "C", { batch: 2, no_wait: true }, 500);
    out.badJson = (await rawPull(nc, "C", "{nope", 500)).map((s) => s.code);
    out.hbTooLarge = await rawPull(nc, "C", { batch: 1, expires: 1e9, idle_heartbeat: 900e6 }, 500);
    await api("CONSUMER.CREATE.S", { stream_name: "S", config: { ack_policy: "none", max_batch: 2, deliver_policy: "new" } }).then((r) => (out.ephemeralShape = shape(r)));
    await api("CONSUMER.DURABLE.CREATE.S.B", { stream_name: "S", config: { durable_name: "B", ack_policy: "none", max_batch: 2 } });
    out.maxBatch = await rawPull(nc, "B", { batch: 3, expires: 1e9 }, 500);
    out.heartbeats = normHb(await rawPull(nc, "B", { batch: 1, expires: 1500e6, idle_heartbeat: 300e6 }, 1200));

    out.errors = {};
    const errs = {
      wildcardDeliver: { durable_name: "X", deliver_subject: "a.*" },
      cycle: { durable_name: "X", deliver_subject: "s.x" },
      smallHb: { durable_name: "X", deliver_subject: "d", idle_heartbeat: 50e6 },
      hbPull: { durable_name: "X", idle_heartbeat: 1e9 },
      fcNoHb: { durable_name: "X", deliver_subject: "d", flow_control: true },
      startSeqMissing: { durable_name: "X", deliver_policy: "by_start_sequence" },
      startTimeMissing: { durable_name: "X", deliver_policy: "by_start_time" },
      lastPerSubjectNoFilter: { durable_name: "X", deliver_policy: "last_per_subject" },
      maxPendingNoAck: { durable_name: "X", deliver_subject: "d", max_ack_pending: 5, ack_policy: "none" },
      pushMaxWaiting: { durable_name: "X", deliver_subject: "d", max_waiting: 5 },
      backoffTooLong: { durable_name: "X", ack_policy: "explicit", backoff: [1e9, 2e9], max_deliver: 1 },
      badDurable: { durable_name: "a.b" },
      badPolicy: { durable_name: "X", ack_policy: "weird" },
    };
    for (const [k, cfg] of Object.entries(errs)) {
      const subj = cfg.durable_name === "a.b" ? "CONSUMER.CREATE.S" : `CONSUMER.DURABLE.CREATE.S.${cfg.durable_name}`;
      const body = cfg.durable_name === "a.b" ? { stream_name: "S", config: { ...cfg, durable_name: undefined, name: undefined } } : { stream_name: "S", config: cfg };
      if (cfg.durable_name === "a.b") body.config.durable_name = "a.b";
      out.errors[k] = (await api(subj, body)).error;
    }
    out.errors.updateAck = (await api("CONSUMER.DURABLE.CREATE.S.C", { stream_name: "S", config: { durable_name: "C", ack_policy: "none" } })).error;
    out.errors.mismatch = (await api("CONSUMER.DURABLE.CREATE.S.C", { stream_name: "T", config: { durable_name: "C" } })).error;
    out.errors.notFound = (await api("CONSUMER.INFO.S.nope")).error;
    out.errors.streamNotFound = (await api("CONSUMER.INFO.T.C")).error;
    out.errors.stepdown = (await api("CONSUMER.LEADER.STEPDOWN.S.C", {})).error;
    const names = await api("CONSUMER.NAMES.S", {});
    out.names = { total: names.total, offset: names.offset, limit: names.limit, n: names.consumers.length, type: names.type };
    const list = await api("CONSUMER.LIST.S", {});
    out.list = { total: list.total, limit: list.limit, shape: shape(list.consumers.find((x) => x.name === "C")), type: list.type };
    out.deleted = await api("CONSUMER.DELETE.S.B");

    // Consumer deleted while a pull request waits.
    await api("CONSUMER.DURABLE.CREATE.S.Z", { stream_name: "S", config: { durable_name: "Z", ack_policy: "explicit", deliver_policy: "new" } });
    const inbox = "_INBOX.zdel";
    const zgot = [];
    nc.subscribe(inbox, { callback: (_e, m) => zgot.push(status(m)) });
    await nc.flush();
    nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.Z", JSON.stringify({ batch: 4, expires: 5e9 }), { reply: inbox });
    await sleep(200);
    await api("CONSUMER.DELETE.S.Z");
    await sleep(500);
    out.consumerDeleted = zgot;
    out.pullMissingConsumer = await rawPull(nc, "Z", { batch: 1, expires: 1e9 }, 500);

    // Acks: double ack answered; redelivery count in the reply subject.
    const c = await js.consumers.get("S", "C");
    const m = await c.next({ expires: 2000 });
    out.redelivered = m ? [m.seq, m.info.deliveryCount] : null;
    out.ackAck = m ? await m.ackAck() : null;

    // KV.
    const kv = await new Kvm(nc).create("K", { history: 3 });
    const r1 = await kv.put("a", "1");
    await kv.put("a", "2");
    out.kv = {
      r1,
      get: (await kv.get("a"))?.string(),
      createErr: await kv.create("a", "x").then(() => "ok", (e) => e.message),
      updateErr: await kv.update("a", "x", r1).then(() => "ok", (e) => e.message),
      deleted: await kv.delete("a").then(async () => (await kv.get("a"))?.operation),
      purged: await kv.purge("a").then(async () => (await kv.get("a"))?.operation),
      missing: await kv.get("zzz"),
      streamConfig: shape((await jsm.streams.info("KV_K")).config),
    };
  } finally {
    await nc.close();
  }
  return out;
}

test("consumers and KV answer as the Go nats-server", { skip, timeout: 120000 }, async () => {
  const goDir = mkdtempSync(join(tmpdir(), "go-js-"));
  const tsDir = mkdtempSync(join(tmpdir(), "ts-js-"));
  const go = await startGoServer(["-js", "-sd", goDir]);
  const ts = await startServer({ jetstream: true, storeDir: tsDir });
  try {
    const [a, b] = [await scenarios(go.port), await scenarios(ts.port)];
    // Stream config keys differ between 2.9 and 2.10 (new stream fields); compared by the streams tests.
    delete a.kv.streamConfig;
    delete b.kv.streamConfig;
    // Go 2.10 names legacy ephemerals in their config too (2.9 does not).
    delete b.ephemeralShape.config.name;
    const differ = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    for (const k of differ) assert.deepEqual({ [k]: b[k] }, { [k]: a[k] }, `scenario ${k} (also differing: ${differ.join(", ")})`);
  } finally {
    await go.stop();
    await ts.shutdown();
    rmSync(goDir, { recursive: true, force: true });
    rmSync(tsDir, { recursive: true, force: true });
  }
});
