// Ack semantics through the real client: +ACK, double ack, -NAK (with
// delay), +WPI, +TERM (advisory), +NXT, ack-all, redelivery on ack_wait and
// along backoff, max_deliver with its advisory, workqueue and interest
// retention, and the consumer create/update rules with Go's errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, AckPolicy } from "@nats-io/jetstream";
import { startServer, sleep, waitUntil } from "../helpers/server.js";
import { withJs } from "../helpers/jetstream.js";


/** Collect JSON events published on `subject`. */
function collect(nc, subject) {
  const out = [];
  nc.subscribe(subject, { callback: (_e, m) => out.push({ subject: m.subject, ...m.json() }) });
  return out;
}

async function pullAll(c, n, expires = 1500) {
  const out = [];
  for await (const m of await c.fetch({ max_messages: n, expires })) out.push(m);
  return out;
}

test("ack kinds: +ACK, double ack answered, -NAK redelivers, +TERM with reason and advisory, +WPI delays, +NXT", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "file" });
    for (let i = 1; i <= 5; i++) await js.publish(`s.${i}`, `m${i}`);
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit, ack_wait: 1e9 });
    const terms = collect(nc, "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.S.C");
    const naks = collect(nc, "$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.S.C");
    await nc.flush();
    const c = await js.consumers.get("S", "C");
    const [m1, m2, m3, m4] = await pullAll(c, 4);
    m1.ack();
    assert.equal(await m2.ackAck(), true);
    m3.nak();
    m4.term("not for me");
    const again = await pullAll(c, 2);
    assert.deepEqual(again.map((m) => [m.seq, m.info.deliveryCount]), [
      [3, 2],
      [5, 1],
    ]);
    assert.equal(again[0].redelivered, true);
    again[0].working();
    await sleep(600);
    again[0].working();
    await sleep(600);
    // 1.2 s after delivery with ack_wait 1 s: +WPI kept it from coming back.
    let info = await c.info();
    assert.equal(info.num_ack_pending, 2);
    assert.equal(info.num_redelivered, 1);
    again[0].ack();
    // +NXT: ack and ask for the next one in one message.
    const inbox = "_INBOX.nxt";
    const next = [];
    nc.subscribe(inbox, { callback: (_e, m) => next.push(m) });
    await nc.flush();
    await js.publish("s.6", "m6");
    nc.publish(again[1].msg.reply, "+NXT", { reply: inbox });
    await waitUntil(() => next.length === 1, 2000, "+NXT delivery");
    assert.equal(next[0].subject, "s.6");
    await waitUntil(() => terms.length === 1 && naks.length === 1, 2000, "advisories");
    assert.equal(terms[0].type, "io.nats.jetstream.advisory.v1.terminated");
    assert.equal(terms[0].reason, "not for me");
    assert.equal(terms[0].stream_seq, 4);
    assert.equal(naks[0].type, "io.nats.jetstream.advisory.v1.nak");
    assert.equal(naks[0].stream_seq, 3);
    info = await c.info();
    assert.equal(info.ack_floor.stream_seq, 5);
    assert.equal(info.num_ack_pending, 1);
  }));

test("-NAK with a delay redelivers after the delay, not at once", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await js.publish("s.1", "x");
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit, ack_wait: 10e9 });
    const c = await js.consumers.get("S", "C");
    const [m] = await pullAll(c, 1);
    const t0 = Date.now();
    m.nak(1800);
    assert.deepEqual(await pullAll(c, 1, 1000), []);
    const [r] = await pullAll(c, 1, 3000);
    assert.equal(r.seq, 1);
    assert.ok(Date.now() - t0 >= 1700, "waited for the delay");
  }));

test("ack_wait redelivery, backoff spacing and max_deliver advisory", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await js.publish("s.1", "x");
    const adv = collect(nc, "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.S.C");
    await nc.flush();
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit, backoff: [200e6, 600e6], max_deliver: 3 });
    const c = await js.consumers.get("S", "C");
    const times = [];
    const t0 = Date.now();
    const msgs = await c.consume({ max_messages: 10, expires: 3000 });
    (async () => {
      for await (const m of msgs) times.push([Date.now() - t0, m.info.deliveryCount]);
    })();
    await waitUntil(() => adv.length === 1, 5000, "max deliveries advisory");
    await msgs.close();
    assert.deepEqual(times.map((t) => t[1]), [1, 2, 3]);
    assert.ok(times[1][0] >= 150, `first redelivery after ~200ms: ${times[1][0]}`);
    assert.ok(times[2][0] - times[1][0] >= 500, `second after ~600ms: ${times[2][0] - times[1][0]}`);
    assert.equal(adv[0].type, "io.nats.jetstream.advisory.v1.max_deliver");
    assert.equal(adv[0].stream_seq, 1);
    assert.equal(adv[0].deliveries, 3);
    const info = await c.info();
    assert.equal(info.num_ack_pending, 0);
    assert.equal(info.num_redelivered, 1);
  }));

test("ack all acknowledges everything up to the acked message", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    for (let i = 1; i <= 5; i++) await js.publish(`s.${i}`, "x");
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.All });
    const c = await js.consumers.get("S", "C");
    const got = await pullAll(c, 5);
    got[3].ack();
    await waitUntil(async () => (await c.info()).num_ack_pending === 1, 2000, "ack all");
    const info = await c.info();
    assert.equal(info.ack_floor.stream_seq, 4);
    assert.equal(info.ack_floor.consumer_seq, 4);
  }));

test("sample_freq publishes ack metrics", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await js.publish("s.1", "x");
    const metrics = collect(nc, "$JS.EVENT.METRIC.CONSUMER.ACK.S.C");
    await nc.flush();
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit, sample_freq: "100%" });
    const c = await js.consumers.get("S", "C");
    const [m] = await pullAll(c, 1);
    await m.ackAck();
    await waitUntil(() => metrics.length === 1, 2000, "metric");
    assert.equal(metrics[0].type, "io.nats.jetstream.metric.v1.consumer_ack");
    assert.equal(metrics[0].stream_seq, 1);
    assert.equal(metrics[0].deliveries, 1);
    assert.equal(typeof metrics[0].ack_time, "number");
  }));

test("workqueue retention removes acked messages and refuses overlapping consumers", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "W", subjects: ["w.>"], retention: "workqueue", storage: "file" });
    for (let i = 1; i <= 4; i++) await js.publish(`w.${i % 2}`, "x");
    await jsm.consumers.add("W", { durable_name: "A", ack_policy: AckPolicy.Explicit, filter_subject: "w.1" });
    await assert.rejects(jsm.consumers.add("W", { durable_name: "B", ack_policy: AckPolicy.Explicit, filter_subject: "w.*" }), /filtered consumer not unique on workqueue stream/);
    await assert.rejects(jsm.consumers.add("W", { durable_name: "B", ack_policy: AckPolicy.Explicit }), /multiple non-filtered consumers not allowed on workqueue stream/);
    await assert.rejects(jsm.consumers.add("W", { durable_name: "B", ack_policy: AckPolicy.None, filter_subject: "w.0" }), /consumer in pull mode requires/);
    const c = await js.consumers.get("W", "A");
    for (const m of await pullAll(c, 5)) await m.ackAck();
    const si = await jsm.streams.info("W");
    assert.equal(si.state.messages, 2);
    assert.equal(si.state.first_seq, 2);
  }));

test("interest retention keeps a message until every interested consumer acked it", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "I", subjects: ["i.>"], retention: "interest", storage: "memory" });
    await js.publish("i.1", "nobody listens");
    assert.equal((await jsm.streams.info("I")).state.messages, 0);
    await jsm.consumers.add("I", { durable_name: "A", ack_policy: AckPolicy.Explicit });
    await jsm.consumers.add("I", { durable_name: "B", ack_policy: AckPolicy.Explicit });
    await js.publish("i.2", "x");
    await js.publish("i.3", "y");
    const a = await js.consumers.get("I", "A");
    const b = await js.consumers.get("I", "B");
    for (const m of await pullAll(a, 2)) await m.ackAck();
    assert.equal((await jsm.streams.info("I")).state.messages, 2);
    const [first] = await pullAll(b, 1);
    await first.ackAck();
    assert.equal((await jsm.streams.info("I")).state.messages, 1);
    // Deleting B drops what only B still needed.
    await jsm.consumers.delete("I", "B");
    await waitUntil(async () => (await jsm.streams.info("I")).state.messages === 0, 2000, "interest gone");
  }));

test("create and update rules answer Go's errors", () =>
  withJs(async ({ nc, jsm }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    const api = async (subj, body) => (await nc.request(`$JS.API.${subj}`, JSON.stringify(body))).json();
    let r = await api("CONSUMER.CREATE.S.C", { stream_name: "S", config: { durable_name: "C", ack_policy: "explicit" }, action: "create" });
    assert.equal(r.name, "C");
    r = await api("CONSUMER.CREATE.S.C", { stream_name: "S", config: { durable_name: "C", ack_policy: "explicit", max_deliver: 5 }, action: "create" });
    assert.deepEqual(r.error, { code: 400, err_code: 10148, description: "consumer already exists" });
    r = await api("CONSUMER.CREATE.S.C", { stream_name: "S", config: { durable_name: "C", ack_policy: "none" } });
    assert.deepEqual(r.error, { code: 500, err_code: 10012, description: "ack policy can not be updated" });
    r = await api("CONSUMER.CREATE.S.C", { stream_name: "S", config: { durable_name: "C", ack_policy: "explicit", max_deliver: 5, description: "d" } });
    assert.equal(r.config.max_deliver, 5);
    assert.equal(r.config.description, "d");
    r = await api("CONSUMER.CREATE.S.X", { stream_name: "S", config: { ack_policy: "explicit" }, action: "update" });
    assert.deepEqual(r.error, { code: 400, err_code: 10149, description: "consumer does not exist" });
    r = await api("CONSUMER.CREATE.S.X", { stream_name: "T", config: {} });
    assert.equal(r.error.err_code, 10056);
    r = await api("CONSUMER.CREATE.S.X.s.a", { stream_name: "S", config: { filter_subject: "s.b" } });
    assert.equal(r.error.err_code, 10131);
    r = await api("CONSUMER.CREATE.S", { stream_name: "S", config: { durable_name: "D" } });
    assert.equal(r.error.err_code, 10020);
    r = await api("CONSUMER.DURABLE.CREATE.S.D", { stream_name: "S", config: { durable_name: "E" } });
    assert.equal(r.error.err_code, 10017);
    r = await api("CONSUMER.CREATE.S.X", { stream_name: "S", config: { deliver_policy: "by_start_sequence" } });
    assert.deepEqual(r.error, { code: 400, err_code: 10094, description: "consumer delivery policy is deliver by start sequence, but optional start sequence is not set" });
    r = await api("CONSUMER.CREATE.S.X", { stream_name: "S", config: { idle_heartbeat: 1e9 } });
    assert.equal(r.error.err_code, 10088);
    r = await api("CONSUMER.CREATE.S.X", { stream_name: "S", config: { deliver_subject: "d", flow_control: true } });
    assert.equal(r.error.err_code, 10108);
    r = await api("CONSUMER.CREATE.S.X", { stream_name: "S", config: { deliver_subject: "s.x" } });
    assert.equal(r.error.err_code, 10081);
    r = await api("CONSUMER.CREATE.S.X", { stream_name: "S", config: { ack_policy: "sometimes" } });
    assert.equal(r.error.err_code, 10025);
    r = await api("CONSUMER.INFO.S.nope", undefined);
    assert.deepEqual(r.error, { code: 404, err_code: 10014, description: "consumer not found" });
    r = await api("CONSUMER.INFO.T.C", undefined);
    assert.equal(r.error.err_code, 10059);
    r = await api("CONSUMER.NAMES.S", {});
    assert.deepEqual([r.total, r.offset, r.limit, r.consumers], [1, 0, 1024, ["C"]]);
    r = await api("CONSUMER.LIST.S", {});
    assert.deepEqual([r.total, r.limit, r.consumers[0].name], [1, 256, "C"]);
    r = await api("CONSUMER.LEADER.STEPDOWN.S.C", {});
    assert.equal(r.error.err_code, 10010);
    r = await api("CONSUMER.DELETE.S.C", undefined);
    assert.deepEqual(r, { type: "io.nats.jetstream.api.v1.consumer_delete_response", success: true });
  }));

test("malformed acks and a tight create/delete loop leave other consumers unaffected", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await js.publish("s.1", "x");
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit });
    for (const subj of ["$JS.ACK.S.C", "$JS.ACK.S.C.x.1.1.1.1", "$JS.ACK.S.C.1.1.1.1", "$JS.ACK.S.C.1.99.1.1.0", "$JS.ACK.S.nope.1.1.1.1.0", "$JS.ACK.S.C.1.1.1.1.0.extra"]) {
      nc.publish(subj, "+ACK");
    }
    for (let i = 0; i < 200; i++) {
      const ci = await jsm.consumers.add("S", { ack_policy: AckPolicy.None });
      await jsm.consumers.delete("S", ci.name);
    }
    const c = await js.consumers.get("S", "C");
    const [m] = await pullAll(c, 1);
    assert.equal(m.seq, 1);
    const names = [];
    for await (const n of jsm.consumers.list("S")) names.push(n.name);
    assert.deepEqual(names, ["C"]);
  }));

test("thousands of pull requests and absurd values stay bounded by max_waiting and answer as Go", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit });
    const inbox = "_INBOX.flood";
    const codes = new Map();
    nc.subscribe(inbox, {
      callback: (_e, m) => {
        const k = `${m.headers?.code} ${m.headers?.description}`;
        codes.set(k, (codes.get(k) ?? 0) + 1);
      },
    });
    await nc.flush();
    for (let i = 0; i < 3000; i++) nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.C", JSON.stringify({ batch: 1e9, expires: 9e18 }), { reply: inbox });
    nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.C", JSON.stringify({ batch: "x" }), { reply: inbox });
    await waitUntil(() => (codes.get("409 Exceeded MaxWaiting") ?? 0) === 3000 - 512 && codes.size === 2, 5000, "answers");
    const info = await jsm.consumers.info("S", "C");
    assert.equal(info.num_waiting, 512);
    assert.equal(codes.get("400 Bad Request - json: cannot unmarshal string into Go struct field JSApiConsumerGetNextRequest.batch of type int"), 1);
    // The waiting requests still get messages, up to max_ack_pending.
    for (let i = 0; i < 3; i++) await js.publish(`s.${i}`, "x");
    await waitUntil(async () => (await jsm.consumers.info("S", "C")).num_ack_pending === 3, 2000, "delivered to waiting requests");
  }));

test("server limits max_ack_pending and max_request_batch default and bound consumer configs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-jsl-"));
  const s = await startServer({ jetstream: { storeDir: dir, maxAckPending: 50, maxRequestBatch: 10 } });
  const nc = await connect({ port: s.port });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    const ci = await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit });
    assert.equal(ci.config.max_ack_pending, 50);
    assert.equal(ci.config.max_batch, 10);
    await assert.rejects(jsm.consumers.add("S", { durable_name: "D", ack_policy: AckPolicy.Explicit, max_ack_pending: 51 }), /consumer max ack pending exceeds system limit of 50/);
    await assert.rejects(jsm.consumers.add("S", { durable_name: "D", ack_policy: AckPolicy.Explicit, max_batch: 11 }), /consumer max request batch exceeds server limit of 10/);
  } finally {
    await nc.close();
    await s.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
});
