// Bad input that nats-server 2.9.10 does not survive or that needs load:
// negative paging offsets (Go panics) are read as 0; thousands of waiting pull
// requests are bounded by max_waiting with Go's 409 and expire with 408;
// consumers created and deleted in a tight loop leave nothing behind; API
// payloads over max_payload are refused by the protocol layer; in every case
// the server keeps serving other streams and clients. Non-ASCII names work.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, AckPolicy } from "@nats-io/jetstream";
import { startServer, waitUntil } from "../helpers/server.js";

const req = async (nc, subject, body, timeout = 2000) => JSON.parse((await nc.request(subject, body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body), { timeout })).string());

test("negative offsets are read as 0 (Go 2.9.10 panics on them)", { timeout: 20_000 }, async () => {
  const server = await startServer({ jetstream: true });
  const nc = await connect({ servers: server.url });
  try {
    await req(nc, "$JS.API.STREAM.CREATE.O", { name: "O", subjects: ["o.>"], storage: "memory" });
    await nc.request("o.a", "x");
    for (const [subject, body] of [
      ["$JS.API.STREAM.NAMES", { offset: -5 }],
      ["$JS.API.STREAM.LIST", { offset: -1 }],
      ["$JS.API.STREAM.INFO.O", { offset: -5, subjects_filter: ">" }],
      ["$JS.API.CONSUMER.NAMES.O", { offset: -3 }],
      ["$JS.API.STREAM.TEMPLATE.NAMES", { offset: -1 }],
    ]) {
      const a = await req(nc, subject, body);
      assert.equal(a.error, undefined, `${subject}: ${JSON.stringify(a)}`);
      assert.equal(a.offset, 0, subject);
    }
    assert.equal((await req(nc, "$JS.API.INFO")).streams, 1);
  } finally {
    await nc.close();
    await server.shutdown();
  }
});

test("thousands of waiting pull requests: max_waiting bounds them with 409, the rest expire with 408, a fetch still works", { timeout: 60_000 }, async () => {
  const server = await startServer({ jetstream: true });
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "W", subjects: ["w"], storage: "memory" });
    await jsm.consumers.add("W", { durable_name: "c", ack_policy: AckPolicy.Explicit, max_waiting: 100 });
    const codes = new Map();
    const sub = nc.subscribe("_INBOX.many.*", {
      callback: (_e, m) => {
        const k = `${m.headers?.code} ${m.headers?.description}`;
        codes.set(k, (codes.get(k) ?? 0) + 1);
      },
    });
    await nc.flush();
    for (let i = 0; i < 3000; i++) nc.publish("$JS.API.CONSUMER.MSG.NEXT.W.c", JSON.stringify({ batch: 10, expires: 1e9 }), { reply: `_INBOX.many.${i}` });
    await nc.flush();
    await waitUntil(() => (codes.get("409 Exceeded MaxWaiting") ?? 0) + (codes.get("408 Request Timeout") ?? 0) === 3000, 20_000);
    assert.equal(codes.get("409 Exceeded MaxWaiting"), 2900);
    assert.equal(codes.get("408 Request Timeout"), 100);
    sub.unsubscribe();
    assert.equal((await jsm.consumers.info("W", "c")).num_waiting, 0);
    await jetstream(nc).publish("w", "after");
    const iter = await (await jetstream(nc).consumers.get("W", "c")).fetch({ max_messages: 1, expires: 2000 });
    const got = [];
    for await (const m of iter) got.push(m.string());
    assert.deepEqual(got, ["after"]);
  } finally {
    await nc.close();
    await server.shutdown();
  }
});

test("consumers created and deleted in a tight loop leave nothing behind; other consumers unaffected", { timeout: 60_000 }, async () => {
  const server = await startServer({ jetstream: true });
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "L", subjects: ["l.>"] });
    await jsm.consumers.add("L", { durable_name: "steady", ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    for (let i = 0; i < 10; i++) await js.publish(`l.${i}`, `m${i}`);
    const subsBefore = server.server.globalAccount.sublist.size;
    for (let round = 0; round < 300; round++) {
      const name = `tmp${round}`;
      const created = await req(nc, `$JS.API.CONSUMER.CREATE.L.${name}`, { stream_name: "L", config: { name, ack_policy: "explicit", ...(round % 2 ? { deliver_subject: `dl.${round}` } : {}) } });
      assert.equal(created.error, undefined, JSON.stringify(created));
      const deleted = await req(nc, `$JS.API.CONSUMER.DELETE.L.${name}`);
      assert.equal(deleted.success, true, JSON.stringify(deleted));
    }
    const names = await req(nc, "$JS.API.CONSUMER.NAMES.L", {});
    assert.deepEqual(names.consumers, ["steady"]);
    assert.equal(server.server.globalAccount.sublist.size, subsBefore, "no subscription left behind");
    const steady = await js.consumers.get("L", "steady");
    const iter = await steady.fetch({ max_messages: 10, expires: 2000 });
    let n = 0;
    for await (const m of iter) {
      m.ack();
      n++;
    }
    assert.equal(n, 10);
  } finally {
    await nc.close();
    await server.shutdown();
  }
});

test("an API payload over max_payload is refused by the protocol; the server keeps serving", { timeout: 20_000 }, async () => {
  const server = await startServer({ jetstream: true, maxPayload: 4096 });
  const nc = await connect({ servers: server.url });
  try {
    await assert.rejects(nc.request("$JS.API.STREAM.CREATE.BIG", JSON.stringify({ name: "BIG", description: "x".repeat(10_000) }), { timeout: 1000 }));
    const other = await connect({ servers: server.url });
    assert.equal((await req(other, "$JS.API.STREAM.CREATE.OK", { name: "OK", storage: "memory" })).config.name, "OK");
    await other.close();
  } finally {
    await nc.close().catch(() => {});
    await server.shutdown();
  }
});

test("non-ASCII stream and consumer names (Go accepts them): create, publish, pull, ack, push", { timeout: 20_000 }, async () => {
  const server = await startServer({ jetstream: true });
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "ström", subjects: ["u.>"] });
    await jetstream(nc).publish("u.a", "x");
    assert.equal((await jsm.streams.info("ström")).state.messages, 1);
    await jsm.consumers.add("ström", { durable_name: "kö", ack_policy: AckPolicy.Explicit });
    const m = await (await jetstream(nc).consumers.get("ström", "kö")).next({ expires: 2000 });
    assert.equal(m?.string(), "x");
    assert.ok(m.reply.startsWith("$JS.ACK.ström.kö.1.1.1."), m.reply);
    assert.equal(await m.ackAck(), true);
    assert.equal((await jsm.consumers.info("ström", "kö")).ack_floor.stream_seq, 1);
  } finally {
    await nc.close();
    await server.shutdown();
  }
});
