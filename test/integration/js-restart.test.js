// Restart durability with a real tsnats process (`bin/tsnats.js -js -sd DIR`):
// graceful stop and kill -9 keep config, state and messages; a crash loop
// (kill -9 at random moments with many PubAcks in flight) never loses an
// acknowledged message or moves it to another sequence.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startJetStreamProcess, jetStreamDirs, tempDir, removeDir, sleep } from "../helpers/tsnats-process.js";
import { startServer, waitUntil } from "../helpers/server.js";

const dirs = [];
after(() => dirs.forEach(removeDir));

describe("JetStream restart", { timeout: 120_000 }, () => {
  test("graceful stop and kill -9: same config, state and messages", async () => {
    const { storeDir, runDir } = jetStreamDirs(dirs);
    let { p, url } = await startJetStreamProcess(storeDir, runDir);
    let nc = await connect({ servers: url });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "R", subjects: ["r.>"], max_msgs_per_subject: 100, description: "kept" });
      const js = jetstream(nc);
      const acks = await Promise.all(Array.from({ length: 500 }, (_, i) => js.publish(`r.${i % 7}`, `m${i}`, { msgID: `id${i}` })));
      assert.equal(acks.at(-1).seq, 500);
      const before = await jsm.streams.info("R");
      await nc.close();
      await p.signalAndWait("SIGTERM", "Server Exiting", 15_000);
      await p.exited;

      ({ p, url } = await startJetStreamProcess(storeDir, runDir));
      assert.ok(p.lines("Restored 500 messages for stream '$G > R'").length === 1, p.log);
      nc = await connect({ servers: url });
      const jsm2 = await jetstreamManager(nc);
      const after1 = await jsm2.streams.info("R");
      assert.deepEqual(after1.config, before.config);
      assert.equal(after1.created, before.created);
      assert.deepEqual({ ...after1.state, consumer_count: 0 }, { ...before.state, consumer_count: 0 });
      assert.equal((await jsm2.streams.getMessage("R", { seq: 321 })).string(), "m320");
      // De-duplication survives the restart.
      const dup = await jetstream(nc).publish("r.0", "again", { msgID: "id499" });
      assert.equal(dup.duplicate, true);

      const more = await Promise.all(Array.from({ length: 200 }, (_, i) => jetstream(nc).publish("r.k", `k${i}`)));
      assert.equal(more.at(-1).seq, 700);
      await p.kill();
      await nc.close().catch(() => {});

      ({ p, url } = await startJetStreamProcess(storeDir, runDir));
      nc = await connect({ servers: url });
      const jsm3 = await jetstreamManager(nc);
      const st = (await jsm3.streams.info("R")).state;
      assert.equal(st.last_seq, 700);
      // r.k holds at most max_msgs_per_subject (100) of its 200.
      assert.equal(st.messages, 600);
      assert.equal((await jsm3.streams.getMessage("R", { seq: 700 })).string(), "k199");
    } finally {
      await nc.close().catch(() => {});
      await p.kill();
    }
  });

  test("mirrors and sources resume after a restart without gaps or duplicates", async () => {
    const storeDir = tempDir("tsnats-js-");
    dirs.push(storeDir);
    const round = async (first, n, expect) => {
      const s = await startServer({ jetstream: { storeDir } });
      const nc = await connect({ servers: s.url });
      try {
        const jsm = await jetstreamManager(nc);
        if (first) {
          await jsm.streams.add({ name: "O", subjects: ["o.>"] });
          await jsm.streams.add({ name: "M", mirror: { name: "O" } });
          await jsm.streams.add({ name: "SR", sources: [{ name: "O" }] });
        }
        const js = jetstream(nc);
        for (let i = 0; i < n; i++) await js.publish(`o.${i % 3}`, `${first ? "a" : "b"}${i}`);
        for (const name of ["M", "SR"]) await waitUntil(async () => (await jsm.streams.info(name)).state.messages === expect, 5000, `${name} has ${expect}`);
        await sleep(100);
        assert.equal((await jsm.streams.info("SR")).state.messages, expect);
        assert.equal((await jsm.streams.getMessage("M", { seq: expect })).string(), (await jsm.streams.getMessage("O", { seq: expect })).string());
      } finally {
        await nc.close();
        await s.shutdown();
      }
    };
    await round(true, 10, 10);
    await round(false, 5, 15);
  });

  test("crash loop: every acknowledged message is present at the sequence its PubAck named", async () => {
    const { storeDir, runDir } = jetStreamDirs(dirs);
    const acked = new Map();
    let created = false;
    for (let round = 0; round < 4; round++) {
      const { p, url } = await startJetStreamProcess(storeDir, runDir);
      const nc = await connect({ servers: url, reconnect: false });
      nc.closed().catch(() => {});
      try {
        const jsm = await jetstreamManager(nc);
        if (!created) {
          await jsm.streams.add({ name: "C", subjects: ["c.>"] });
          created = true;
        }
        const js = jetstream(nc);
        let stop = false;
        const publisher = (async () => {
          let i = 0;
          while (!stop) {
            const batch = [];
            for (let k = 0; k < 256; k++, i++) {
              const body = `r${round}-${i}`;
              batch.push(
                js.publish(`c.${i % 5}`, body, { timeout: 2000 }).then(
                  (a) => acked.set(a.seq, body),
                  () => {},
                ),
              );
            }
            await Promise.all(batch);
          }
        })();
        await sleep(150 + Math.floor(Math.random() * 400));
        p.child.kill("SIGKILL");
        stop = true;
        await p.exited;
        await publisher;
      } finally {
        await nc.close().catch(() => {});
        await p.kill();
      }
    }
    assert.ok(acked.size > 100, `only ${acked.size} acks`);
    const { p, url } = await startJetStreamProcess(storeDir, runDir);
    const nc = await connect({ servers: url });
    try {
      const jsm = await jetstreamManager(nc);
      for (const [seq, body] of acked) {
        const m = await jsm.streams.getMessage("C", { seq });
        assert.ok(m, `acked seq ${seq} missing`);
        assert.equal(m.string(), body, `seq ${seq}`);
      }
    } finally {
      await nc.close();
      await p.kill();
    }
  });
});
