// Durable consumer state across restarts of a tsnats process with a file
// store: after kill -9 the durable resumes from its ack floor, redelivers what
// was pending and never redelivers what a double ack (answered) confirmed;
// after a graceful stop no acknowledged message comes back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, AckPolicy } from "@nats-io/jetstream";
import { startWithConfig, tempDir, removeDir, sleep } from "../helpers/tsnats-process.js";

async function fetchSeqs(c, n, expires = 2500) {
  const out = [];
  for await (const m of await c.fetch({ max_messages: n, expires })) out.push(m);
  return out;
}

for (const how of ["kill -9", "graceful"]) {
  test(`durable consumer resumes from its ack floor after ${how}`, { timeout: 60000 }, async () => {
    const dir = tempDir("tsnats-jsr-");
    let p;
    try {
      p = await startWithConfig(`jetstream { store_dir: ${JSON.stringify(join(dir, "js"))} }\n`, { dir });
      let nc = await connect({ port: p.port });
      let jsm = await jetstreamManager(nc);
      let js = jetstream(nc);
      await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "file" });
      for (let i = 1; i <= 10; i++) await js.publish(`s.${i}`, `m${i}`);
      await jsm.consumers.add("S", { durable_name: "D", ack_policy: AckPolicy.Explicit, ack_wait: 1e9 });
      let c = await js.consumers.get("S", "D");
      const first = await fetchSeqs(c, 6);
      assert.deepEqual(first.map((m) => m.seq), [1, 2, 3, 4, 5, 6]);
      if (how === "kill -9") {
        // Confirmed acks: the answer comes only after the state is written.
        for (const m of first.slice(0, 3)) assert.equal(await m.ackAck(), true);
      } else {
        for (const m of first.slice(0, 3)) m.ack();
        await nc.flush();
      }
      await nc.close();
      if (how === "kill -9") await p.kill();
      else {
        p.child.kill("SIGTERM");
        await p.exited;
      }
      p = await startWithConfig(`jetstream { store_dir: ${JSON.stringify(join(dir, "js"))} }\n`, { dir });
      nc = await connect({ port: p.port });
      jsm = await jetstreamManager(nc);
      js = jetstream(nc);
      const info = await jsm.consumers.info("S", "D");
      assert.equal(info.ack_floor.stream_seq, 3);
      assert.equal(info.delivered.stream_seq, 6);
      assert.equal(info.num_ack_pending, 3);
      assert.equal(info.num_pending, 4);
      c = await js.consumers.get("S", "D");
      const seen = [];
      const deadline = Date.now() + 8000;
      while (seen.length < 7 && Date.now() < deadline) {
        for await (const m of await c.fetch({ max_messages: 10, expires: 1500 })) {
          seen.push(m.seq);
          m.ack();
        }
      }
      assert.deepEqual([...seen].sort((a, b) => a - b), [4, 5, 6, 7, 8, 9, 10]);
      await sleep(1200);
      assert.deepEqual(await fetchSeqs(c, 10, 1000), []);
      const after = await jsm.consumers.info("S", "D");
      assert.equal(after.ack_floor.stream_seq, 10);
      assert.equal(after.num_ack_pending, 0);
      await nc.close();
    } finally {
      if (p) await p.kill();
      removeDir(dir);
    }
  });
}
