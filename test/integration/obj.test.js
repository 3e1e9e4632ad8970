// The object store through the real @nats-io/obj client: put / get of a
// 50 MB object with its digest, info, list, update of meta, watch, delete,
// links to objects and to stores, seal, status and destroy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { startServer, withTimeout } from "../helpers/server.js";
import { tempDir, removeDir } from "../helpers/tsnats-process.js";

async function withObj(fn) {
  const dir = tempDir("tsnats-obj-");
  const s = await startServer({ jetstream: true, storeDir: dir });
  const nc = await connect({ port: s.port, timeout: 20000 });
  try {
    await withTimeout(fn({ nc, objm: new Objm(nc), jsm: await jetstreamManager(nc) }), 120000, "test body");
  } finally {
    await nc.close();
    await s.shutdown();
    removeDir(dir);
  }
}

test("a 50 MB object round-trips with its digest (file storage)", { timeout: 150000 }, () =>
  withObj(async ({ objm, jsm }) => {
    const os = await objm.create("big", { storage: "file" });
    const data = randomBytes(50 * 1024 * 1024);
    const info = await os.putBlob({ name: "blob", options: { max_chunk_size: 128 * 1024 } }, data);
    assert.equal(info.size, data.length);
    assert.equal(info.chunks, 400);
    const expected = `SHA-256=${createHash("sha256").update(data).digest("base64url")}=`;
    assert.equal(info.digest, expected);
    const back = await os.getBlob("blob");
    assert.equal(back.length, data.length);
    assert.ok(Buffer.from(back).equals(data), "same bytes");
    const si = await jsm.streams.info("OBJ_big");
    assert.equal(si.state.messages, 401);
    assert.equal(si.config.allow_rollup_hdrs, true);
    assert.equal(si.config.discard, "new");
  }));

test("info, list, update meta, watch, delete, links, seal, status, destroy", () =>
  withObj(async ({ objm }) => {
    const os = await objm.create("o", { description: "objects" });
    const w = await os.watch();
    const it = w[Symbol.asyncIterator]();
    await os.putBlob({ name: "a", description: "first" }, Buffer.from("hello"));
    await os.putBlob({ name: "b" }, Buffer.from("world!"));
    const seen = [];
    while (seen.length < 2) {
      const r = await withTimeout(it.next(), 3000, "watch");
      if (r.value) seen.push(r.value.name);
    }
    assert.deepEqual(seen.filter((n) => n !== undefined), ["a", "b"]);
    const ia = await os.info("a");
    assert.equal(ia.size, 5);
    assert.equal(ia.description, "first");
    assert.equal(ia.bucket, "o");
    assert.equal(await os.info("zzz"), null);
    assert.deepEqual((await os.list()).map((i) => i.name).sort(), ["a", "b"]);
    await os.update("a", { name: "a2", description: "renamed" });
    assert.equal(await os.info("a"), null);
    assert.equal(Buffer.from(await os.getBlob("a2")).toString(), "hello");
    const link = await os.link("la", await os.info("b"));
    assert.equal(link.options.link.name, "b");
    assert.equal(Buffer.from(await os.getBlob("la")).toString(), "world!");
    const other = await objm.create("other");
    await os.linkStore("ls", other);
    await os.delete("b");
    const deleted = await os.info("b");
    assert.equal(deleted.deleted, true);
    assert.equal(deleted.size, 0);
    assert.equal(await os.getBlob("b"), null);
    let st = await os.status();
    assert.equal(st.bucket, "o");
    assert.equal(st.description, "objects");
    assert.equal(st.sealed, false);
    st = await os.seal();
    assert.equal(st.sealed, true);
    await assert.rejects(os.putBlob({ name: "c" }, Buffer.from("x")));
    const names = [];
    for await (const s of objm.list()) names.push(s.bucket);
    assert.deepEqual(names.sort(), ["o", "other"]);
    assert.equal(await other.destroy(), true);
    w.stop();
  }));
