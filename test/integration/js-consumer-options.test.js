// Consumer options through the real client: filter_subjects, headers_only,
// replay_policy original, inactive_threshold for ephemerals (with the delete
// advisory), max_ack_pending stalling, and consumer state after a stream
// purge, a message delete and a stream delete; headers and payloads delivered
// intact to clients and to an in-process target (a stream capturing the deliver subject).
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, headers } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, AckPolicy, ReplayPolicy } from "@nats-io/jetstream";
import { sleep, waitUntil } from "../helpers/server.js";
import { startMonitored, getJson } from "./monitor-helpers.js";
import { withJs } from "../helpers/jetstream.js";


async function pullAll(c, n, expires = 1000) {
  const out = [];
  for await (const m of await c.fetch({ max_messages: n, expires })) out.push(m);
  return out;
}

test("filter_subjects delivers the union; num_pending counts only matching messages", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["a.>", "b.>", "c.>"], storage: "file" });
    for (const s of ["a.1", "b.1", "c.1", "a.2", "c.2", "b.2"]) await js.publish(s, s);
    const ci = await jsm.consumers.add("S", { durable_name: "F", ack_policy: AckPolicy.None, filter_subjects: ["a.>", "b.*"] });
    assert.equal(ci.num_pending, 4);
    const c = await js.consumers.get("S", "F");
    assert.deepEqual((await pullAll(c, 10)).map((m) => m.subject), ["a.1", "b.1", "a.2", "b.2"]);
    await js.publish("c.3", "x");
    await js.publish("a.3", "x");
    assert.equal((await c.info()).num_pending, 1);
    await assert.rejects(jsm.consumers.add("S", { durable_name: "G", filter_subjects: ["a.>", "a.1"] }), /consumer subject filters cannot overlap/);
  }));

test("headers_only sends the headers and Nats-Msg-Size without the payload", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await js.publish("s.1", "twelve bytes");
    await jsm.consumers.add("S", { durable_name: "H", ack_policy: AckPolicy.None, headers_only: true });
    const [m] = await pullAll(await js.consumers.get("S", "H"), 1);
    assert.equal(m.data.length, 0);
    assert.equal(m.headers.get("Nats-Msg-Size"), "12");
  }));

for (const storage of ["memory", "file"]) {
  test(`deliveries carry the stored headers and payload, to a client and to a stream capturing the deliver subject (${storage})`, () =>
    withJs(async ({ jsm, js }) => {
      await jsm.streams.add({ name: "S", subjects: ["s.>"], storage });
      await jsm.streams.add({ name: "COPY", subjects: ["out.>"], storage });
      const n = 300;
      for (let i = 0; i < n; i++) {
        const h = headers();
        h.set("X-Seq", String(i));
        await js.publish(`s.${i % 7}`, `payload ${i} ${"x".repeat(i % 50)}`, i % 2 === 0 ? { headers: h } : {});
      }
      const check = (m, i, label) => {
        assert.equal(m.string(), `payload ${i} ${"x".repeat(i % 50)}`, label);
        assert.equal(m.headers?.get("X-Seq") ?? null, i % 2 === 0 ? String(i) : null, label);
      };
      await jsm.consumers.add("S", { durable_name: "P", ack_policy: AckPolicy.None });
      const pulled = await pullAll(await js.consumers.get("S", "P"), n);
      assert.equal(pulled.length, n);
      pulled.forEach((m, i) => check(m, i, `pulled ${i}`));
      // A push consumer whose deliver subject is a stream's subject: an in-process target.
      await jsm.consumers.add("S", { durable_name: "PUSH", ack_policy: AckPolicy.None, deliver_subject: "out.copy" });
      await waitUntil(async () => (await jsm.streams.info("COPY")).state.messages === n, 5000, "all captured");
      for (let i = 0; i < n; i++) {
        const sm = await jsm.streams.getMessage("COPY", { seq: i + 1 });
        assert.equal(new TextDecoder().decode(sm.data), `payload ${i} ${"x".repeat(i % 50)}`, `captured ${i}`);
        assert.equal(sm.header?.get("X-Seq") || null, i % 2 === 0 ? String(i) : null, `captured header ${i}`);
      }
    }));
}

test("replay_policy original paces deliveries like the original publishes", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    for (let i = 0; i < 3; i++) {
      await js.publish(`s.${i}`, "x");
      await sleep(300);
    }
    await jsm.consumers.add("S", { durable_name: "R", ack_policy: AckPolicy.None, replay_policy: ReplayPolicy.Original });
    const c = await js.consumers.get("S", "R");
    const t0 = Date.now();
    const got = await pullAll(c, 3, 3000);
    assert.deepEqual(got.map((m) => m.seq), [1, 2, 3]);
    assert.ok(Date.now() - t0 >= 500, `paced: ${Date.now() - t0} ms`);
  }));

test("an ephemeral consumer without activity is deleted after inactive_threshold, with its advisory", () =>
  withJs(async ({ nc, jsm }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    const deleted = [];
    nc.subscribe("$JS.EVENT.ADVISORY.CONSUMER.DELETED.S.*", { callback: (_e, m) => deleted.push(m.json()) });
    await nc.flush();
    const ci = await jsm.consumers.add("S", { name: "eph", ack_policy: AckPolicy.Explicit, inactive_threshold: 500e6 });
    assert.equal(ci.config.inactive_threshold, 500e6);
    const durable = await jsm.consumers.add("S", { durable_name: "dur", ack_policy: AckPolicy.Explicit });
    assert.equal(durable.config.inactive_threshold, undefined);
    await waitUntil(() => deleted.length === 1, 4000, "inactivity delete");
    assert.equal(deleted[0].consumer, "eph");
    assert.equal(deleted[0].action, "delete");
    await assert.rejects(jsm.consumers.info("S", "eph"), /consumer not found/);
    assert.equal((await jsm.consumers.info("S", "dur")).name, "dur");
  }));

test("max_ack_pending stalls delivery until acks make room", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    for (let i = 0; i < 5; i++) await js.publish(`s.${i}`, "x");
    await jsm.consumers.add("S", { durable_name: "M", ack_policy: AckPolicy.Explicit, max_ack_pending: 2 });
    const c = await js.consumers.get("S", "M");
    const first = await pullAll(c, 5);
    assert.deepEqual(first.map((m) => m.seq), [1, 2]);
    first[0].ack();
    const next = await pullAll(c, 5);
    assert.deepEqual(next.map((m) => m.seq), [3]);
  }));

test("stream purge and message delete update consumer state; stream delete removes consumers", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "file" });
    for (let i = 1; i <= 6; i++) await js.publish(`s.${i}`, "x");
    await jsm.consumers.add("S", { durable_name: "P", ack_policy: AckPolicy.Explicit });
    const c = await js.consumers.get("S", "P");
    const got = await pullAll(c, 3);
    assert.equal(got.length, 3);
    await jsm.streams.deleteMessage("S", 2);
    let info = await c.info();
    assert.equal(info.num_ack_pending, 2);
    assert.equal(info.num_pending, 3);
    await jsm.streams.deleteMessage("S", 5);
    info = await c.info();
    assert.equal(info.num_pending, 2);
    await jsm.streams.purge("S");
    info = await c.info();
    assert.equal(info.num_ack_pending, 0);
    assert.equal(info.num_pending, 0);
    assert.equal(info.ack_floor.stream_seq, 6);
    await js.publish("s.7", "x");
    assert.deepEqual((await pullAll(c, 5)).map((m) => m.seq), [7]);
    // A pull request waiting when the stream goes away is told the consumer is gone.
    const inbox = "_INBOX.sdel";
    const got409 = [];
    nc.subscribe(inbox, { callback: (_e, m) => got409.push(`${m.headers?.code} ${m.headers?.description}`) });
    await nc.flush();
    nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.P", JSON.stringify({ batch: 2, expires: 5e9 }), { reply: inbox });
    await sleep(100);
    await jsm.streams.delete("S");
    await waitUntil(() => got409.length === 1, 2000, "409 on stream delete");
    assert.equal(got409[0], "409 Consumer Deleted");
  }));

test("rate_limit_bps paces a push consumer", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    for (let i = 0; i < 8; i++) await js.publish(`s.${i}`, "x".repeat(500));
    const times = [];
    nc.subscribe("rl.in", { callback: () => times.push(Date.now()) });
    await nc.flush();
    const t0 = Date.now();
    // 16000 bit/s = 2000 bytes/s: ~2000 bytes at once, the rest at 2000 bytes per second.
    await jsm.consumers.add("S", { durable_name: "RL", ack_policy: AckPolicy.None, deliver_subject: "rl.in", rate_limit_bps: 16000 });
    await waitUntil(() => times.length === 8, 6000, "all delivered");
    assert.ok(times[7] - t0 >= 1000, `paced: ${times[7] - t0} ms`);
  }));

test("/jsz?consumers=true lists consumer detail, with config only when asked", async () => {
  const server = await startMonitored({ jetstream: true });
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await jetstream(nc).publish("s.1", "x");
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit });
    const j = await getJson(server, "/jsz?accounts=true&streams=true&consumers=true");
    const cd = j.account_details[0].stream_detail[0].consumer_detail;
    assert.equal(cd.length, 1);
    assert.equal(cd[0].name, "C");
    assert.equal(cd[0].num_pending, 1);
    assert.equal(cd[0].config, undefined);
    const withCfg = await getJson(server, "/jsz?accounts=true&streams=true&consumers=true&config=true");
    assert.equal(withCfg.account_details[0].stream_detail[0].consumer_detail[0].config.ack_policy, "explicit");
  } finally {
    await nc.close();
    await server.shutdown();
  }
});

test("an ephemeral push consumer lives while subscribed and goes inactive_threshold after its subscriber left", () =>
  withJs(async ({ nc, jsm }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    const sub = nc.subscribe("eph.push");
    await nc.flush();
    await jsm.consumers.add("S", { name: "ep", ack_policy: AckPolicy.None, deliver_subject: "eph.push", inactive_threshold: 600e6 });
    await sleep(1300);
    assert.equal((await jsm.consumers.info("S", "ep")).push_bound, true);
    sub.unsubscribe();
    await nc.flush();
    const gone = Date.now();
    await waitUntil(async () => (await jsm.consumers.list("S").next()).length === 0, 4000, "deleted");
    assert.ok(Date.now() - gone >= 400, `waited for the threshold: ${Date.now() - gone} ms`);
  }));
