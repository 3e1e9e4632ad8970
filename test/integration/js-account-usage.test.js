// Account storage limits are exact per publish: many publishes in one burst
// (one event-loop turn) across two streams never overshoot the account's
// max_memory / max_file, each message counted with Go's store size
// (memStoreMsgSize / fileStoreMsgSize); removals (purge, workqueue acks) give
// the room back at once; $JS.API.INFO reports the same usage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, AckPolicy } from "@nats-io/jetstream";
import { startServer } from "../helpers/server.js";

const payload = new Uint8Array(100);

async function burst(js, subjects, n) {
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => js.publish(subjects[i % subjects.length], payload)));
  return {
    ok: results.filter((r) => r.status === "fulfilled").length,
    refused: results.filter((r) => r.status === "rejected" && /resource limits exceeded for account/.test(r.reason.message)).length,
  };
}

for (const storage of ["memory", "file"]) {
  // Go's sizes for subject "a"/"b" and 100 bytes: memory 1+100+16, file 30+1+100.
  const size = storage === "memory" ? 117 : 131;
  const limitKey = storage === "memory" ? "max_memory" : "max_storage";
  test(`${storage}: a burst of publishes over two streams stops exactly at the account limit`, { timeout: 30_000 }, async () => {
    const server = await startServer({ jetstream: true });
    const nc = await connect({ servers: server.url });
    try {
      const engine = server.server.extraListener("jetstream");
      const jsa = engine.account(server.server.globalAccount);
      jsa.limits = { ...jsa.limits, [limitKey]: 10_000 };
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "A", subjects: ["a"], storage });
      await jsm.streams.add({ name: "B", subjects: ["b"], storage, retention: "workqueue" });
      const js = jetstream(nc);
      const fit = Math.floor(10_000 / size);
      const first = await burst(js, ["a", "b"], 200);
      assert.deepEqual(first, { ok: fit, refused: 200 - fit });
      const a = (await jsm.streams.info("A")).state;
      const b = (await jsm.streams.info("B")).state;
      assert.equal(a.messages + b.messages, fit);
      assert.ok(a.bytes + b.bytes <= 10_000, `${a.bytes + b.bytes} bytes stored`);
      const info = await jsm.getAccountInfo();
      assert.equal(info[storage === "memory" ? "memory" : "storage"], a.bytes + b.bytes);

      // Purging A gives its room back for the very next burst.
      await jsm.streams.purge("A");
      const second = await burst(js, ["a"], 200);
      assert.equal(second.ok, a.messages);

      // Workqueue acks free room too.
      await jsm.consumers.add("B", { durable_name: "w", ack_policy: AckPolicy.Explicit });
      const c = await js.consumers.get("B", "w");
      const iter = await c.fetch({ max_messages: 10 });
      for await (const m of iter) await m.ackAck();
      const third = await burst(js, ["b"], 50);
      assert.equal(third.ok, 10);
    } finally {
      await nc.close();
      await server.shutdown();
    }
  });
}
