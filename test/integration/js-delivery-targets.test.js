// Consumer deliveries reach every kind of receiver with the right ack reply
// subject: a client whose permissions admit its acks only through
// allow_responses (each delivery's reply must be granted as it is delivered)
// and a traced server (both take the reply as text, not the bytes fast path),
// and a stream import into another account (routed on into the importer).
// Each receiver acks, and the consumer's state shows the acks landed on the
// messages they name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, AckPolicy } from "@nats-io/jetstream";
import { startWithAccounts } from "../helpers/accounts.js";
import { sleep, waitUntil, withTimeout } from "../helpers/server.js";

const ACK_REPLY = /^\$JS\.ACK\.S\.C\.1\.(\d+)\.(\d+)\.\d{19}\.(\d+)$/;

/** Publishes 5 messages, delivers them to `receive`'s subscription, checks each reply and acks it. */
async function deliverAndAck(nc, jsm, js, push, receive) {
  await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "file" });
  for (let i = 1; i <= 5; i++) await js.publish(`s.${i}`, `m${i}`);
  const got = [];
  if (push) {
    const sub = receive.subscribe("dlv.S", { callback: (_e, m) => got.push(m) });
    await receive.flush();
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit, deliver_subject: "dlv.S" });
    await waitUntil(() => got.length === 5, 5000, "5 push deliveries");
    sub.unsubscribe();
  } else {
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit });
    const c = await jetstream(receive).consumers.get("S", "C");
    for await (const m of await c.fetch({ max_messages: 5, expires: 2000 })) got.push(m);
  }
  assert.equal(got.length, 5);
  got.forEach((m, i) => {
    const r = ACK_REPLY.exec(m.reply);
    assert.ok(r, `reply ${m.reply}`);
    assert.equal(Number(r[1]), i + 1, "stream sequence");
    assert.equal(Number(r[2]), i + 1, "consumer sequence");
    assert.equal(Number(r[3]), 4 - i, "pending");
    assert.equal(m.subject, `s.${i + 1}`);
    assert.equal(new TextDecoder().decode(m.data), `m${i + 1}`);
  });
  for (const m of got.slice(0, 3)) receive.publish(m.reply, "+ACK");
  await receive.flush();
  await waitUntil(async () => (await jsm.consumers.info("S", "C")).num_ack_pending === 2, 5000, "3 acks applied");
  const info = await jsm.consumers.info("S", "C");
  assert.equal(info.ack_floor.stream_seq, 3);
  assert.equal(info.delivered.stream_seq, 5);
}

async function withAccounts(conf, extra, fn) {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-js-targets-"));
  const s = await startWithAccounts(conf, { jetstream: { storeDir: dir }, ...extra });
  try {
    await withTimeout(fn(s), 30000, "test body");
  } finally {
    await s.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

const PERMISSIONED = `accounts {
  A: {
    jetstream: enabled
    users: [
      { user: admin, password: admin }
      { user: limited, password: limited, permissions: {
          publish: { allow: ["$JS.API.>"] }
          subscribe: { allow: ["_INBOX.>", "dlv.>"] }
          allow_responses: true } }
    ]
  }
}`;

for (const push of [true, false]) {
  const kind = push ? "push" : "pull";
  test(`${kind} deliveries to a client with allow_responses carry exact ack replies, and its acks land`, () =>
    withAccounts(PERMISSIONED, {}, async (s) => {
      const admin = await connect({ port: s.port, user: "admin", pass: "admin" });
      const limited = await connect({ port: s.port, user: "limited", pass: "limited" });
      try {
        await deliverAndAck(admin, await jetstreamManager(admin), jetstream(admin), push, limited);
      } finally {
        await limited.close();
        await admin.close();
      }
    }));

  test(`${kind} deliveries on a traced server carry exact ack replies, and acks land`, () =>
    withAccounts(`accounts { A: { jetstream: enabled, users: [{ user: a, password: a }] } }`, { trace: true, quiet: true }, async (s) => {
      const nc = await connect({ port: s.port, user: "a", pass: "a" });
      try {
        await deliverAndAck(nc, await jetstreamManager(nc), jetstream(nc), push, nc);
      } finally {
        await nc.close();
      }
    }));
}

/** Accounts A (JetStream, exporting dlv.>) and B (importing it with `importOpts`), a client of each. */
function withImporter(importOpts, fn) {
  return withAccounts(
    `accounts {
      A: { jetstream: enabled, users: [{ user: a, password: a }], exports: [{ stream: "dlv.>" }] }
      B: { users: [{ user: b, password: b }], imports: [{ stream: { account: A, subject: "dlv.>" }${importOpts} }] }
    }`,
    {},
    async (s) => {
      const a = await connect({ port: s.port, user: "a", pass: "a" });
      const b = await connect({ port: s.port, user: "b", pass: "b" });
      try {
        await fn(a, b, await jetstreamManager(a), jetstream(a));
      } finally {
        await b.close();
        await a.close();
      }
    },
  );
}

test("push deliveries through a stream import reach the other account with exact ack replies", () =>
  withImporter("", async (a, b, jsm, js) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "file" });
    for (let i = 1; i <= 5; i++) await js.publish(`s.${i}`, `m${i}`);
    const inB = [];
    b.subscribe("dlv.S", { callback: (_e, m) => inB.push(m) });
    await b.flush();
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit, deliver_subject: "dlv.S" });
    await waitUntil(() => inB.length === 5, 5000, "5 deliveries in B");
    inB.forEach((m, i) => {
      const r = ACK_REPLY.exec(m.reply);
      assert.ok(r, `reply ${m.reply}`);
      assert.equal(Number(r[1]), i + 1);
      assert.equal(m.subject, `s.${i + 1}`);
      assert.equal(new TextDecoder().decode(m.data), `m${i + 1}`);
    });
    // The owner acks by the replies B saw: they name the right messages.
    for (const m of inB) a.publish(m.reply, "+ACK");
    await a.flush();
    await waitUntil(async () => (await jsm.consumers.info("S", "C")).num_ack_pending === 0, 5000, "acks applied");
    assert.equal((await jsm.consumers.info("S", "C")).ack_floor.stream_seq, 5);
  }));

test("a push consumer exported as a stream waits for the importer's subscriber, and stops when it leaves (as Go)", () =>
  withImporter(', prefix: "fromA"', async (_a, b, jsm, js) => {
    await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "memory" });
    for (let i = 1; i <= 3; i++) await js.publish(`s.${i}`, `m${i}`);
    await jsm.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.None, deliver_subject: "dlv.S" });
    let info = await jsm.consumers.info("S", "C");
    assert.equal(info.push_bound, undefined, "nobody imports yet: not bound");
    assert.equal(info.delivered.stream_seq, 0);
    const inB = [];
    const sub = b.subscribe("fromA.dlv.S", { callback: (_e, m) => inB.push(m) });
    await b.flush();
    await waitUntil(() => inB.length === 3, 5000, "3 deliveries once B subscribed");
    assert.deepEqual(inB.map((m) => m.subject), ["s.1", "s.2", "s.3"]);
    assert.equal((await jsm.consumers.info("S", "C")).push_bound, true);
    sub.unsubscribe();
    await b.flush();
    await waitUntil(async () => (await jsm.consumers.info("S", "C")).push_bound === undefined, 5000, "unbound after B left");
    await js.publish("s.4", "m4");
    // Time for a delivery that should not happen.
    await sleep(200);
    info = await jsm.consumers.info("S", "C");
    assert.equal(info.delivered.stream_seq, 3, "nothing delivered without the importer's subscriber");
    assert.equal(inB.length, 3);
  }));
