// Consumers through the real @nats-io/jetstream client: fetch (batch,
// max_bytes), next, consume, ordered consumers across purge and deletion,
// push consumers with deliver group and flow control, heartbeats, 404/408
// status messages, and the exact consumer info counters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstream, AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { sleep, waitUntil, withTimeout } from "../helpers/server.js";
import { withJs } from "../helpers/jetstream.js";


async function fill(js, n, subject = (i) => `s.${i}`, data = (i) => `m${i}`) {
  for (let i = 0; i < n; i++) await js.publish(subject(i), data(i));
}

/** A raw pull request; collects what arrives on its inbox for `ms`. */
async function rawPull(nc, stream, consumer, body, ms) {
  const inbox = `_INBOX.raw${Math.random().toString(36).slice(2)}`;
  const got = [];
  const sub = nc.subscribe(inbox, { callback: (_e, m) => got.push(m) });
  await nc.flush();
  nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, typeof body === "string" ? body : JSON.stringify(body), { reply: inbox });
  await sleep(ms);
  sub.unsubscribe();
  return got;
}

for (const storage of ["memory", "file"]) {
  test(`fetch with batch and max_bytes, next, and exact info counters (${storage})`, () =>
    withJs(async ({ jsm, js }) => {
      await jsm.streams.add({ name: "S", subjects: ["s.>"], storage });
      await fill(js, 10);
      const ci = await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit });
      assert.equal(ci.num_pending, 10);
      assert.equal(ci.config.max_ack_pending, 1000);
      assert.equal(ci.config.ack_wait, 30e9);
      assert.equal(ci.config.max_waiting, 512);
      assert.equal(ci.config.max_deliver, -1);
      const c = await js.consumers.get("S", "C");
      const seen = [];
      for await (const m of await c.fetch({ max_messages: 4, expires: 2000 })) {
        seen.push([m.subject, m.seq, m.info.deliverySequence, m.info.pending, m.string()]);
        if (m.seq !== 2) m.ack();
      }
      assert.deepEqual(seen[0], ["s.0", 1, 1, 9, "m0"]);
      assert.equal(seen.length, 4);
      await sleep(50);
      let info = await c.info();
      assert.equal(info.delivered.consumer_seq, 4);
      assert.equal(info.delivered.stream_seq, 4);
      assert.equal(info.ack_floor.stream_seq, 1);
      assert.equal(info.num_ack_pending, 1);
      assert.equal(info.num_pending, 6);
      assert.equal(info.num_redelivered, 0);
      // max_bytes: a message costs subject + ack reply + payload (~50 bytes here): 70 takes one,
      // then the request ends with 409 Message Size Exceeds MaxBytes, which fetch reports.
      const byBytes = [];
      await assert.rejects(async () => {
        for await (const m of await c.fetch({ max_bytes: 70, expires: 2000 })) {
          byBytes.push(m.seq);
          m.ack();
        }
      }, /message size exceeds maxbytes/);
      assert.deepEqual(byBytes, [5]);
      const m = await c.next({ expires: 2000 });
      assert.ok(m);
      assert.equal(m.seq, 5 + byBytes.length);
      assert.equal(await m.ackAck(), true);
      info = await c.info();
      assert.equal(info.num_pending, 10 - 5 - byBytes.length);
      assert.equal(info.num_ack_pending, 1);
      assert.equal(info.ack_floor.stream_seq, 1);
    }, { storage }));
}

test("consume delivers everything and refills", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await fill(js, 250);
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit });
    const c = await js.consumers.get("S", "C");
    const msgs = await c.consume({ max_messages: 50 });
    let n = 0;
    for await (const m of msgs) {
      m.ack();
      if (++n === 250) break;
    }
    await msgs.close();
    await waitUntil(async () => (await c.info()).num_ack_pending === 0, 3000, "acks");
    const info = await c.info();
    assert.equal(info.ack_floor.stream_seq, 250);
    assert.equal(info.num_pending, 0);
  }));

test("no_wait answers 404 No Messages, expires answers 408 with pending headers, bad requests 400", () =>
  withJs(async ({ nc, jsm }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit });
    let got = await rawPull(nc, "S", "C", { batch: 3, no_wait: true }, 200);
    assert.equal(got.length, 1);
    assert.equal(got[0].headers.code, 404);
    assert.equal(got[0].headers.description, "No Messages");
    got = await rawPull(nc, "S", "C", { batch: 5, expires: 300e6 }, 600);
    assert.equal(got.length, 1);
    assert.equal(got[0].headers.code, 408);
    assert.equal(got[0].headers.description, "Request Timeout");
    assert.equal(got[0].headers.get("Nats-Pending-Messages"), "5");
    assert.equal(got[0].headers.get("Nats-Pending-Bytes"), "0");
    got = await rawPull(nc, "S", "C", "{bad", 200);
    assert.equal(got[0].headers.code, 400);
    got = await rawPull(nc, "S", "C", { batch: 1, expires: 1e9, idle_heartbeat: 800e6 }, 200);
    assert.equal(got[0].headers.code, 400);
    assert.equal(got[0].headers.description, "Bad Request - heartbeat value too large");
  }));

test("pull request heartbeats while idle carry the last sequences", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await fill(js, 2);
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.None });
    const got = await rawPull(nc, "S", "C", { batch: 5, expires: 1500e6, idle_heartbeat: 300e6 }, 1000);
    const data = got.filter((m) => !m.headers || !m.headers.code);
    const hbs = got.filter((m) => m.headers?.code === 100);
    assert.equal(data.length, 2);
    assert.ok(hbs.length >= 2, `heartbeats ${hbs.length}`);
    assert.equal(hbs[0].headers.description, "Idle Heartbeat");
    assert.equal(hbs[0].headers.get("Nats-Last-Consumer"), "2");
    assert.equal(hbs[0].headers.get("Nats-Last-Stream"), "2");
  }));

test("max_waiting bounds waiting requests with 409 Exceeded MaxWaiting; max_batch with 409", () =>
  withJs(async ({ nc, jsm }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit, max_waiting: 2, max_batch: 10 });
    const inbox = "_INBOX.mw";
    const got = [];
    nc.subscribe(inbox, { callback: (_e, m) => got.push(m) });
    await nc.flush();
    for (let i = 0; i < 3; i++) nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.C", JSON.stringify({ batch: 1, expires: 5e9 }), { reply: inbox });
    nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.C", JSON.stringify({ batch: 11, expires: 5e9 }), { reply: inbox });
    await waitUntil(() => got.length >= 2, 2000, "409s");
    const texts = got.map((m) => `${m.headers.code} ${m.headers.description}`).sort();
    assert.deepEqual(texts, ["409 Exceeded MaxRequestBatch of 10", "409 Exceeded MaxWaiting"]);
    const info = await jsm.consumers.info("S", "C");
    assert.equal(info.num_waiting, 2);
  }));

test("ordered consumer survives a stream purge and the deletion of its consumer", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await fill(js, 5);
    const oc = await js.consumers.get("S");
    // expires 2s: heartbeats every 1s, so a deleted consumer is noticed after two missed ones.
    const msgs = await oc.consume({ max_messages: 10, expires: 2000 });
    const seen = [];
    const done = (async () => {
      for await (const m of msgs) {
        seen.push(m.seq);
        if (seen.length === 9) break;
      }
    })();
    await waitUntil(() => seen.length === 5, 3000, "first five");
    await jsm.streams.purge("S");
    await fill(js, 2, (i) => `s.p${i}`);
    await waitUntil(() => seen.length === 7, 5000, "after purge");
    const names = [];
    for await (const n of jsm.consumers.list("S")) names.push(n.name);
    assert.equal(names.length, 1);
    await jsm.consumers.delete("S", names[0]);
    await fill(js, 2, (i) => `s.d${i}`);
    await withTimeout(done, 20000, "ordered consumer after deletion");
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }));

test("push consumer with a deliver group shares messages among the group members", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await jsm.consumers.add("S", { durable_name: "P", ack_policy: AckPolicy.Explicit, deliver_subject: "push.in", deliver_group: "workers" });
    const counts = [0, 0];
    const subs = [0, 1].map((k) =>
      nc.subscribe("push.in", {
        queue: "workers",
        callback: (_e, m) => {
          counts[k]++;
          m.respond();
        },
      }),
    );
    await nc.flush();
    await fill(js, 100);
    await waitUntil(() => counts[0] + counts[1] === 100, 10000, "all delivered");
    assert.ok(counts[0] > 0 && counts[1] > 0, `both members: ${counts}`);
    await waitUntil(async () => (await jsm.consumers.info("S", "P")).num_ack_pending === 0, 3000, "acked");
    const info = await jsm.consumers.info("S", "P");
    assert.equal(info.push_bound, true);
    assert.equal(info.ack_floor.stream_seq, 100);
    for (const s of subs) s.unsubscribe();
  }));

test("push consumer flow control: deliveries stall until the flow control request is answered", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await jsm.consumers.add("S", { durable_name: "F", ack_policy: AckPolicy.None, deliver_subject: "fc.in", flow_control: true, idle_heartbeat: 1e9 });
    let data = 0;
    const fcs = [];
    nc.subscribe("fc.in", {
      callback: (_e, m) => {
        if (m.headers?.code === 100 && m.headers.description === "FlowControl Request") fcs.push(m);
        else if (!m.headers?.code) data++;
      },
    });
    await nc.flush();
    const big = "x".repeat(64 * 1024);
    for (let i = 0; i < 60; i++) await js.publish(`s.${i}`, big);
    await waitUntil(() => fcs.length > 0, 3000, "a flow control request");
    await sleep(200);
    const stalledAt = data;
    assert.ok(stalledAt < 60, `stalled before the end: ${stalledAt}`);
    assert.match(fcs[0].reply, /^\$JS\.FC\.S\.F\./);
    while (data < 60) {
      const before = fcs.length;
      fcs[fcs.length - 1].respond();
      await waitUntil(() => data === 60 || fcs.length > before, 3000, "more after answering");
    }
    assert.equal(data, 60);
  }));

test("push consumer heartbeats when idle; stops without interest and resumes when it returns", () =>
  withJs(async ({ nc, jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await jsm.consumers.add("S", { durable_name: "H", ack_policy: AckPolicy.None, deliver_subject: "hb.in", idle_heartbeat: 200e6 });
    const got = [];
    let sub = nc.subscribe("hb.in", { callback: (_e, m) => got.push(m) });
    await sleep(700);
    const hbs = got.filter((m) => m.headers?.code === 100);
    assert.ok(hbs.length >= 2, `heartbeats ${hbs.length}`);
    assert.equal(hbs[0].headers.description, "Idle Heartbeat");
    sub.unsubscribe();
    await nc.flush();
    await fill(js, 3);
    await sleep(200);
    let info = await jsm.consumers.info("S", "H");
    assert.equal(info.delivered.stream_seq, 0);
    assert.equal(info.push_bound, undefined);
    const back = [];
    sub = nc.subscribe("hb.in", { callback: (_e, m) => m.headers?.code !== 100 && back.push(m.subject) });
    await waitUntil(() => back.length === 3, 3000, "resumed");
    assert.deepEqual(back, ["s.0", "s.1", "s.2"]);
    info = await jsm.consumers.info("S", "H");
    assert.equal(info.push_bound, true);
    assert.equal(info.num_pending, 0);
  }));

test("deliver policies: last, new, by_start_sequence, by_start_time, last_per_subject", () =>
  withJs(async ({ jsm, js }) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    await fill(js, 3, (i) => `s.${i % 2}`);
    await sleep(20);
    const mid = new Date().toISOString();
    await sleep(20);
    await fill(js, 3, (i) => `s.${i % 2}`);
    const first = async (cfg) => {
      const ci = await jsm.consumers.add("S", { ack_policy: AckPolicy.None, ...cfg });
      const c = await js.consumers.get("S", ci.name);
      const seqs = [];
      for await (const m of await c.fetch({ max_messages: 10, expires: 1000 })) seqs.push(m.seq);
      return [ci, seqs];
    };
    assert.deepEqual((await first({ deliver_policy: DeliverPolicy.Last }))[1], [6]);
    assert.deepEqual((await first({ deliver_policy: DeliverPolicy.New }))[1], []);
    assert.deepEqual((await first({ deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 5 }))[1], [5, 6]);
    assert.deepEqual((await first({ deliver_policy: DeliverPolicy.StartTime, opt_start_time: mid }))[1], [4, 5, 6]);
    const [ci, seqs] = await first({ deliver_policy: DeliverPolicy.LastPerSubject, filter_subject: "s.>" });
    assert.equal(ci.num_pending, 2);
    assert.deepEqual(seqs, [5, 6]);
  }));
