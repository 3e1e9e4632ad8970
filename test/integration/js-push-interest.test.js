// Push consumers hear of interest on their deliver subject from SUB/UNSUB
// (no polling): delivery starts right after a subscriber appears (plain,
// wildcard, queue), stops when the last one leaves (messages stay pending),
// and resumes when one returns.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, AckPolicy } from "@nats-io/jetstream";
import { startServer, waitUntil } from "../helpers/server.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** ms from subscribing until the first message arrives. */
async function firstAfterSubscribe(nc, subject, opts = {}) {
  const t0 = performance.now();
  const got = new Promise((resolve) => {
    const sub = nc.subscribe(subject, {
      ...opts,
      callback: (_e, m) => {
        m.respond();
        sub.unsubscribe();
        resolve(performance.now() - t0);
      },
    });
  });
  return got;
}

test("push delivery starts on SUB, stops on UNSUB, resumes: event-driven, not polled", { timeout: 30_000 }, async () => {
  const server = await startServer({ jetstream: true });
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "P", subjects: ["p.>"] });
    await jsm.consumers.add("P", { durable_name: "push", deliver_subject: "dl.push", ack_policy: AckPolicy.Explicit });
    const js = jetstream(nc);
    for (let i = 0; i < 20; i++) await js.publish(`p.${i}`, `m${i}`);
    const latencies = [];
    const rounds = [["x", {}], ["*", {}], [">", {}], ["x", { queue: "q" }], ["x", {}]];
    for (const [k, [last, opts]] of rounds.entries()) {
      await jsm.consumers.add("P", { durable_name: `r${k}`, deliver_subject: `dl${k}.x`, ack_policy: AckPolicy.None });
      // Long enough that a poller would have slowed down (tsnats polled every 100 ms before: ~20-70 ms here).
      await sleep(300);
      latencies.push(await firstAfterSubscribe(nc, `dl${k}.${last}`, opts));
    }
    latencies.sort((a, b) => a - b);
    assert.ok(latencies[2] < 12, `median time to first delivery ${latencies[2].toFixed(1)} ms (${latencies.map((x) => x.toFixed(1))})`);

    // Without a subscriber nothing is sent: delivered stays, pending grows.
    await sleep(50);
    const before = await jsm.consumers.info("P", "push");
    for (let i = 0; i < 5; i++) await js.publish("p.late", "x");
    await sleep(200);
    const idle = await jsm.consumers.info("P", "push");
    assert.equal(idle.delivered.consumer_seq, before.delivered.consumer_seq, "nothing delivered without interest");
    assert.ok(idle.num_pending >= 5);
    const sub = nc.subscribe("dl.push", { callback: (_e, m) => m.respond() });
    await waitUntil(async () => (await jsm.consumers.info("P", "push")).num_pending === 0, 5000);
    sub.unsubscribe();
  } finally {
    await nc.close();
    await server.shutdown();
  }
});
