// `compression: s2` through the real client and a real tsnats process: a file
// stream's sealed 8 MiB block is compressed on disk, messages read back before
// and after a kill -9 and a graceful restart; a memory stream accepts the
// setting and ignores it (as Go's memory store does).
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, StoreCompression } from "@nats-io/jetstream";
import { startJetStreamProcess, jetStreamDirs, removeDir, waitFor } from "../helpers/tsnats-process.js";
import { isCompressedHead } from "../../dist/jetstream/store/block-compression.js";

const dirs = [];
after(() => dirs.forEach(removeDir));

const payload = (i) => `${String(i).padStart(6, "0")} ${"the same words again and again ".repeat(32)}`;

describe("JetStream compression", { timeout: 120_000 }, () => {
  test("file stream: sealed blocks compressed on disk; messages survive kill -9 and a graceful restart", async () => {
    const { storeDir, runDir } = jetStreamDirs(dirs);
    let { p, url } = await startJetStreamProcess(storeDir, runDir);
    let nc = await connect({ servers: url });
    const N = 10_000;
    const msgs = path.join(storeDir, "jetstream", "%24G", "streams", "C", "msgs");
    try {
      const jsm = await jetstreamManager(nc);
      const si = await jsm.streams.add({ name: "C", subjects: ["c.>"], compression: StoreCompression.S2 });
      assert.equal(si.config.compression, "s2");
      const js = jetstream(nc);
      for (let i = 0; i < N; i += 500) await Promise.all(Array.from({ length: 500 }, (_, k) => js.publish(`c.${(i + k) % 5}`, payload(i + k))));
      const state = (await jsm.streams.info("C")).state;
      assert.equal(state.messages, N, JSON.stringify(state));
      const first = path.join(msgs, "1.blk");
      await waitFor(() => {
        const buf = fs.readFileSync(first);
        return isCompressedHead(buf, buf.length);
      }, "block 1 compressed", 20_000);
      assert.ok(fs.statSync(first).size < 1024 * 1024, `compressed block is ${fs.statSync(first).size} bytes`);
      assert.equal((await jsm.streams.getMessage("C", { seq: 17 })).string(), payload(16));
      await p.kill();
      await nc.close().catch(() => {});

      ({ p, url } = await startJetStreamProcess(storeDir, runDir));
      nc = await connect({ servers: url });
      let jsm2 = await jetstreamManager(nc);
      const after1 = await jsm2.streams.info("C");
      assert.deepEqual([after1.state.messages, after1.state.first_seq, after1.state.last_seq], [N, 1, N]);
      assert.equal(after1.config.compression, "s2");
      for (const seq of [1, 17, 4000, N]) assert.equal((await jsm2.streams.getMessage("C", { seq })).string(), payload(seq - 1));
      // A consumer walks the compressed block and the raw one in order.
      const c = await jsm2.consumers.add("C", { durable_name: "all", ack_policy: "none" });
      const seen = [];
      const iter = await jetstream(nc).consumers.get("C", c.name).then((cc) => cc.fetch({ max_messages: 3000 }));
      for await (const m of iter) seen.push(m.seq === Number(m.string().slice(0, 6)) + 1);
      assert.equal(seen.length, 3000);
      assert.ok(seen.every(Boolean), "every fetched message matches its sequence");
      await nc.close();
      await p.signalAndWait("SIGTERM", "Server Exiting", 15_000);
      await p.exited;

      ({ p, url } = await startJetStreamProcess(storeDir, runDir));
      nc = await connect({ servers: url });
      jsm2 = await jetstreamManager(nc);
      assert.equal((await jsm2.streams.info("C")).state.messages, N);
      assert.equal((await jsm2.streams.getMessage("C", { last_by_subj: "c.3" })).string(), payload(N - 2));
    } finally {
      await nc.close().catch(() => {});
      await p.kill();
    }
  });

  test("memory stream: compression accepted and kept in the config, messages stored as usual", async () => {
    const { storeDir, runDir } = jetStreamDirs(dirs);
    const { p, url } = await startJetStreamProcess(storeDir, runDir);
    const nc = await connect({ servers: url });
    try {
      const jsm = await jetstreamManager(nc);
      const si = await jsm.streams.add({ name: "M", subjects: ["m"], storage: "memory", compression: StoreCompression.S2 });
      assert.equal(si.config.compression, "s2");
      await jetstream(nc).publish("m", "hello");
      assert.equal((await jsm.streams.getMessage("M", { seq: 1 })).string(), "hello");
      const upd = await jsm.streams.update("M", { compression: StoreCompression.None });
      assert.equal(upd.config.compression, "none");
    } finally {
      await nc.close();
      await p.kill();
    }
  });
});
