// The key-value store through the real @nats-io/kv client: bucket options,
// put / get / create / update with revision checks, delete, purge, history,
// keys with filters, every watch option, status, mirrors and sources of
// buckets, republish, and a watch that continues across a server restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { startServer, sleep, waitUntil, withTimeout } from "../helpers/server.js";
import { startWithConfig, tempDir, removeDir } from "../helpers/tsnats-process.js";

async function withKv(fn) {
  const dir = tempDir("tsnats-kv-");
  const s = await startServer({ jetstream: true, storeDir: dir });
  const nc = await connect({ port: s.port });
  try {
    await withTimeout(fn({ nc, kvm: new Kvm(nc), jsm: await jetstreamManager(nc) }), 30000, "test body");
  } finally {
    await nc.close();
    await s.shutdown();
    removeDir(dir);
  }
}

const readers = new WeakMap();

/** The next n entries of an iterator (which may be read again later). */
async function drain(iter, n, ms = 3000) {
  const out = [];
  if (n === 0) return out;
  let it = readers.get(iter);
  if (!it) {
    it = iter[Symbol.asyncIterator]();
    readers.set(iter, it);
  }
  await withTimeout(
    (async () => {
      while (out.length < n) {
        const r = await it.next();
        if (r.done) break;
        out.push(r.value);
      }
    })(),
    ms,
    `${n} entries`,
  );
  return out;
}

for (const storage of ["file", "memory"]) {
  test(`put, get, create, update, delete, purge and history (${storage})`, () =>
    withKv(async ({ kvm, jsm }) => {
      const kv = await kvm.create("B", { history: 5, storage, maxValueSize: 1024 });
      const si = await jsm.streams.info("KV_B");
      assert.equal(si.config.allow_rollup_hdrs, true);
      assert.equal(si.config.allow_direct, true);
      assert.equal(si.config.max_msgs_per_subject, 5);
      assert.equal(si.config.discard, "new");
      const r1 = await kv.put("a", "1");
      const r2 = await kv.put("a", "2");
      assert.equal(r2, r1 + 1);
      const e = await kv.get("a");
      assert.equal(e.string(), "2");
      assert.equal(e.revision, r2);
      assert.equal(e.operation, "PUT");
      assert.equal(e.key, "a");
      assert.equal(e.bucket, "B");
      assert.equal((await kv.get("a", { revision: r1 })).string(), "1");
      assert.equal(await kv.get("missing"), null);
      await assert.rejects(kv.create("a", "x"), /wrong last sequence/);
      const rc = await kv.create("b", "new");
      await assert.rejects(kv.update("b", "x", rc - 1), /wrong last sequence/);
      const ru = await kv.update("b", "upd", rc);
      assert.equal((await kv.get("b")).revision, ru);
      await assert.rejects(kv.put("big", "x".repeat(2048)), /message size exceeds maximum allowed/);
      await kv.delete("b");
      const del = await kv.get("b");
      assert.equal(del.operation, "DEL");
      // create over a deleted key is allowed.
      await kv.create("b", "again");
      await kv.put("a", "3");
      const hist = await drain(await kv.history({ key: "a" }), 3);
      assert.deepEqual(hist.map((h) => h.string()), ["1", "2", "3"]);
      await kv.purge("a");
      const purged = await kv.get("a");
      assert.equal(purged.operation, "PURGE");
      const after = await drain(await kv.history({ key: "a" }), 1);
      assert.equal(after.length, 1);
      assert.equal(after[0].operation, "PURGE");
      const st = await kv.status();
      assert.equal(st.bucket, "B");
      assert.equal(st.history, 5);
      assert.equal(st.backingStore, storage);
      assert.equal(st.values, 5);
    }));
}

test("keys with filters, ttl, max_bytes, compression, bucket list", () =>
  withKv(async ({ kvm, jsm }) => {
    const kv = await kvm.create("K", { ttl: 60_000, max_bytes: 1 << 20, compression: true });
    const si = await jsm.streams.info("KV_K");
    assert.equal(si.config.max_age, 60e9);
    assert.equal(si.config.max_bytes, 1 << 20);
    assert.equal(si.config.compression, "s2");
    for (const k of ["x.1", "x.2", "y.1"]) await kv.put(k, k);
    await kv.delete("x.2");
    const all = await drain(await kv.keys(), 2);
    assert.deepEqual(all.sort(), ["x.1", "y.1"]);
    const xs = await drain(await kv.keys("x.*"), 1);
    assert.deepEqual(xs, ["x.1"]);
    const several = await drain(await kv.keys(["x.1", "y.*"]), 2);
    assert.deepEqual(several.sort(), ["x.1", "y.1"]);
    const names = [];
    for await (const s of kvm.list()) names.push(s.bucket);
    assert.deepEqual(names, ["K"]);
    const opened = await kvm.open("K");
    assert.equal((await opened.get("x.1")).string(), "x.1");
  }));

test("watch: last values then updates, history, updates only, ignore deletes, key filters", () =>
  withKv(async ({ kvm }) => {
    const kv = await kvm.create("W", { history: 10 });
    await kv.put("a", "a1");
    await kv.put("a", "a2");
    await kv.put("b", "b1");
    await kv.delete("b");
    const w1 = await kv.watch();
    const initial = await drain(w1, 2);
    assert.deepEqual(initial.map((e) => [e.key, e.operation, e.string()]), [
      ["a", "PUT", "a2"],
      ["b", "DEL", ""],
    ]);
    await kv.put("c", "c1");
    const [live] = await drain(w1, 1);
    assert.deepEqual([live.key, live.string(), live.isUpdate], ["c", "c1", true]);
    w1.stop();
    const w2 = await kv.watch({ include: "history" });
    assert.deepEqual((await drain(w2, 5)).map((e) => e.string()), ["a1", "a2", "b1", "", "c1"]);
    w2.stop();
    const w3 = await kv.watch({ include: "updates" });
    await sleep(100);
    await kv.put("a", "a3");
    assert.deepEqual((await drain(w3, 1)).map((e) => e.string()), ["a3"]);
    w3.stop();
    const w4 = await kv.watch({ ignoreDeletes: true });
    const noDeletes = await drain(w4, 2);
    assert.deepEqual(noDeletes.map((e) => e.key), ["c", "a"]);
    w4.stop();
    const w5 = await kv.watch({ key: "a" });
    assert.deepEqual((await drain(w5, 1)).map((e) => e.string()), ["a3"]);
    w5.stop();
  }));

test("mirrors and sources of buckets, republish", () =>
  withKv(async ({ nc, kvm, jsm }) => {
    const src = await kvm.create("SRC", { republish: { src: ">", dest: "repub.>" } });
    const repub = [];
    nc.subscribe("repub.>", { callback: (_e, m) => repub.push(m.subject) });
    await nc.flush();
    await src.put("k", "v");
    await waitUntil(() => repub.length === 1, 2000, "republish");
    assert.equal(repub[0], "repub.$KV.SRC.k");
    await kvm.create("MIR", { mirror: { name: "SRC" } });
    // A local mirror keeps the origin's subjects ($KV.SRC.k); mirror_direct serves the origin's reads.
    await waitUntil(async () => (await jsm.streams.info("KV_MIR")).state.messages === 1, 5000, "mirror has k");
    const mi = await jsm.streams.info("KV_MIR");
    assert.equal(mi.config.mirror_direct, true);
    assert.equal((await jsm.streams.getMessage("KV_MIR", { last_by_subj: "$KV.SRC.k" })).string(), "v");
    const agg = await kvm.create("AGG", { sources: [{ name: "SRC" }] });
    await waitUntil(async () => (await agg.get("k"))?.string() === "v", 5000, "source has k");
  }));

test("a watch continues across a server restart", { timeout: 60000 }, async () => {
  const dir = tempDir("tsnats-kvr-");
  const conf = `jetstream { store_dir: ${JSON.stringify(join(dir, "js"))} }\nlisten: 127.0.0.1:-1\n`;
  let p = await startWithConfig(conf, { dir });
  const port = p.port;
  const confFixed = conf.replace("127.0.0.1:-1", `127.0.0.1:${port}`);
  const nc = await connect({ port, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  try {
    const kv = await new Kvm(nc).create("R");
    await kv.put("a", "1");
    const w = await kv.watch();
    assert.deepEqual((await drain(w, 1)).map((e) => e.string()), ["1"]);
    p.child.kill("SIGTERM");
    await p.exited;
    p = await startWithConfig(confFixed, { dir });
    await waitUntil(async () => {
      try {
        await kv.put("a", "2");
        return true;
      } catch {
        return false;
      }
    }, 10000, "put after restart");
    const [e] = await drain(w, 1, 40000);
    assert.equal(e.string(), "2");
    assert.equal(e.key, "a");
    w.stop();
  } finally {
    await nc.close().catch(() => {});
    await p.kill();
    removeDir(dir);
  }
});
