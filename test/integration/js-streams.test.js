// Streams through the official client (@nats-io/jetstream): stream lifecycle,
// publish headers and their errors, limits and discard policies, rollups,
// purge variants, message get/delete, direct get (single, batch, multi-last),
// mirrors and sources, snapshot/restore, account and server limits.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { headers } from "@nats-io/nats-core";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startServer, waitUntil, withTimeout } from "../helpers/server.js";

const te = new TextEncoder();

async function errOf(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail("expected an error");
}

/** Raw request; returns { json, msg }. */
async function api(nc, subject, body) {
  const m = await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: 2000 });
  return { json: m.data.length ? JSON.parse(new TextDecoder().decode(m.data)) : null, msg: m };
}

describe("JetStream streams", { timeout: 60_000 }, () => {
  let server, nc, jsm, js;
  before(async () => {
    server = await startServer({ jetstream: true });
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  });
  after(async () => {
    await nc?.close();
    await server?.shutdown();
  });

  test("INFO reports account usage and limits; INFO line has jetstream", async () => {
    const info = await jsm.getAccountInfo();
    assert.equal(info.type, "io.nats.jetstream.api.v1.account_info_response");
    assert.equal(info.limits.max_streams, -1);
    assert.equal(nc.info.jetstream, true);
  });

  test("create, idempotent create, info, update, names, list, delete", async () => {
    const si = await jsm.streams.add({ name: "LIFE", subjects: ["life.>"] });
    assert.equal(si.config.duplicate_window, 120_000_000_000);
    assert.equal(si.config.max_msgs, -1);
    assert.equal(si.state.first_seq, 0);
    const again = await jsm.streams.add({ name: "LIFE", subjects: ["life.>"] });
    assert.equal(again.did_create, true);
    const conflict = await errOf(jsm.streams.add({ name: "LIFE", subjects: ["other"] }));
    assert.match(conflict.message, /stream name already in use with a different configuration/);
    const overlap = await errOf(jsm.streams.add({ name: "LIFE2", subjects: ["life.a"] }));
    assert.match(overlap.message, /subjects overlap with an existing stream/);
    const up = await jsm.streams.update("LIFE", { subjects: ["life.>", "more"], max_msgs: 10 });
    assert.deepEqual(up.config.subjects, ["life.>", "more"]);
    const bad = await errOf(jsm.streams.update("LIFE", { storage: "memory" }));
    assert.match(bad.message, /can not change storage type/);
    const names = await jsm.streams.names().next();
    assert.ok(names.includes("LIFE"));
    const filtered = await jsm.streams.names("more").next();
    assert.deepEqual(filtered, ["LIFE"]);
    const list = await jsm.streams.list().next();
    assert.ok(list.some((s) => s.config.name === "LIFE"));
    assert.equal(await jsm.streams.delete("LIFE"), true);
    const gone = await errOf(jsm.streams.info("LIFE"));
    assert.match(gone.message, /stream not found/);
  });

  test("config validation errors carry Go's err_code", async () => {
    const r = await api(nc, "$JS.API.STREAM.CREATE.a", { name: "b" });
    assert.deepEqual(r.json.error, { code: 400, err_code: 10056, description: "stream name in subject does not match request" });
    const r2 = await api(nc, "$JS.API.STREAM.CREATE.X", { name: "X", max_age: 1000 });
    assert.deepEqual(r2.json.error, { code: 500, err_code: 10052, description: "max age needs to be >= 100ms" });
    const r3 = await api(nc, "$JS.API.STREAM.CREATE.X", "{bad");
    assert.equal(r3.json.error.err_code, 10025);
    const r4 = await api(nc, "$JS.API.STREAM.CREATE.X", { name: "X", num_replicas: 3 });
    assert.equal(r4.json.error.err_code, 10074);
    const r5 = await api(nc, "$JS.API.STREAM.CREATE.X", { name: "X", max_msgs: "ten" });
    assert.equal(r5.json.error.err_code, 10025);
    const r6 = await api(nc, "$JS.API.STREAM.INFO.NOPE");
    assert.deepEqual(r6.json.error, { code: 404, err_code: 10059, description: "stream not found" });
    const r7 = await api(nc, "$JS.API.STREAM.CREATE.X", { name: "X", sealed: true });
    assert.equal(r7.json.error.description, "stream configuration for create can not be sealed");
    const r8 = await api(nc, "$JS.API.STREAM.LEADER.STEPDOWN.X");
    assert.equal(r8.json.error.err_code, 10010);
  });

  test("publish headers: msg id dedup and every expected-* header with Go's errors", async () => {
    await jsm.streams.add({ name: "PUB", subjects: ["pub.>"] });
    const a = await js.publish("pub.a", "1", { msgID: "m1" });
    assert.deepEqual([a.seq, a.duplicate], [1, false]);
    const dup = await js.publish("pub.a", "1", { msgID: "m1" });
    assert.deepEqual([dup.seq, dup.duplicate], [1, true]);
    assert.equal((await js.publish("pub.b", "2", { expect: { lastSequence: 1 } })).seq, 2);
    let e = await errOf(js.publish("pub.b", "x", { expect: { lastSequence: 1 } }));
    assert.match(e.message, /wrong last sequence: 2/);
    assert.equal(e.api_error?.err_code ?? e.code ?? 10071, 10071);
    assert.equal((await js.publish("pub.b", "3", { expect: { lastSubjectSequence: 2 } })).seq, 3);
    e = await errOf(js.publish("pub.b", "x", { expect: { lastSubjectSequence: 2 } }));
    assert.match(e.message, /wrong last sequence: 3/);
    assert.equal((await js.publish("pub.c", "4", { msgID: "m4" })).seq, 4);
    assert.equal((await js.publish("pub.c", "5", { expect: { lastMsgID: "m4" } })).seq, 5);
    e = await errOf(js.publish("pub.c", "x", { expect: { lastMsgID: "m4" } }));
    assert.match(e.message, /wrong last msg ID: $/);
    e = await errOf(js.publish("pub.c", "x", { expect: { streamName: "OTHER" } }));
    assert.match(e.message, /expected stream does not match/);
    // A raw publish shows the whole answer: error envelope plus stream and seq 0.
    const h = headers();
    h.set("Nats-Expected-Stream", "OTHER");
    const raw = await nc.request("pub.c", "x", { headers: h, timeout: 2000 });
    assert.deepEqual(JSON.parse(raw.string()), { error: { code: 400, err_code: 10060, description: "expected stream does not match" }, stream: "PUB", seq: 0 });
    // Without a reply subject the message is stored silently.
    nc.publish("pub.silent", "s");
    await waitUntil(async () => (await jsm.streams.info("PUB")).state.last_seq === 6, 2000, "silent store");
  });

  test("limits: max_msgs discard old, discard new errors, per subject, max_msg_size, max_bytes", async () => {
    await jsm.streams.add({ name: "LIM", subjects: ["lim.>"], max_msgs: 3, storage: "memory" });
    for (let i = 0; i < 5; i++) await js.publish("lim.a", `${i}`);
    let st = (await jsm.streams.info("LIM")).state;
    assert.deepEqual([st.messages, st.first_seq, st.last_seq], [3, 3, 5]);
    await jsm.streams.add({ name: "NEW", subjects: ["new.>"], max_msgs: 2, discard: "new" });
    await js.publish("new.a", "1");
    await js.publish("new.a", "2");
    let e = await errOf(js.publish("new.a", "3"));
    assert.match(e.message, /maximum messages exceeded/);
    await jsm.streams.add({ name: "PER", subjects: ["per.>"], max_msgs_per_subject: 1, discard: "new", discard_new_per_subject: true });
    await js.publish("per.a", "1");
    await js.publish("per.b", "1");
    e = await errOf(js.publish("per.a", "2"));
    assert.match(e.message, /maximum messages per subject exceeded/);
    await jsm.streams.add({ name: "PER2", subjects: ["per2.>"], max_msgs_per_subject: 2 });
    for (let i = 0; i < 4; i++) await js.publish("per2.a", `${i}`);
    st = (await jsm.streams.info("PER2")).state;
    assert.deepEqual([st.messages, st.first_seq], [2, 3]);
    await jsm.streams.add({ name: "SIZE", subjects: ["size"], max_msg_size: 4 });
    e = await errOf(js.publish("size", "12345"));
    assert.match(e.message, /message size exceeds maximum allowed/);
    await jsm.streams.add({ name: "BYTES", subjects: ["bytes"], max_bytes: 100, discard: "new" });
    e = await errOf(js.publish("bytes", new Uint8Array(200)));
    assert.match(e.message, /maximum bytes exceeded/);
  });

  test("max_age expires messages on a timer without a publish", async () => {
    await jsm.streams.add({ name: "AGE", subjects: ["age"], max_age: 300_000_000 });
    await js.publish("age", "x");
    assert.equal((await jsm.streams.info("AGE")).state.messages, 1);
    await waitUntil(async () => (await jsm.streams.info("AGE")).state.messages === 0, 3000, "expiry");
  });

  test("rollups: sub and all; refused when not allowed", async () => {
    await jsm.streams.add({ name: "ROLL", subjects: ["roll.>"], allow_rollup_hdrs: true });
    for (const s of ["roll.a", "roll.a", "roll.b"]) await js.publish(s, "x");
    const h = headers();
    h.set("Nats-Rollup", "sub");
    await js.publish("roll.a", "r", { headers: h });
    let st = (await jsm.streams.info("ROLL", { subjects_filter: ">" })).state;
    assert.deepEqual(st.subjects, { "roll.a": 1, "roll.b": 1 });
    const all = headers();
    all.set("Nats-Rollup", "all");
    await js.publish("roll.c", "r", { headers: all });
    st = (await jsm.streams.info("ROLL")).state;
    assert.deepEqual([st.messages, st.last_seq], [1, 5]);
    await jsm.streams.add({ name: "NOROLL", subjects: ["noroll"] });
    const e = await errOf(js.publish("noroll", "r", { headers: h }));
    assert.match(e.message, /rollup not permitted/);
  });

  test("purge: all, by filter, up to seq, keep", async () => {
    await jsm.streams.add({ name: "PRG", subjects: ["prg.>"] });
    for (let i = 0; i < 10; i++) await js.publish(i % 2 ? "prg.odd" : "prg.even", `${i}`);
    assert.equal((await jsm.streams.purge("PRG", { filter: "prg.odd" })).purged, 5);
    assert.equal((await jsm.streams.purge("PRG", { seq: 5 })).purged, 2);
    assert.equal((await jsm.streams.purge("PRG", { keep: 1 })).purged, 2);
    assert.equal((await jsm.streams.purge("PRG")).purged, 1);
    const st = (await jsm.streams.info("PRG")).state;
    assert.deepEqual([st.messages, st.first_seq], [0, 11]);
    await jsm.streams.add({ name: "NOPRG", subjects: ["noprg"], deny_purge: true });
    const e = await errOf(jsm.streams.purge("NOPRG"));
    assert.match(e.message, /stream purge not permitted/);
  });

  test("get and delete messages; deleted_details", async () => {
    await jsm.streams.add({ name: "GET", subjects: ["get.>"] });
    await js.publish("get.a", "one");
    await js.publish("get.b", "two");
    await js.publish("get.a", "three");
    assert.equal((await jsm.streams.getMessage("GET", { seq: 2 })).string(), "two");
    assert.equal((await jsm.streams.getMessage("GET", { last_by_subj: "get.a" })).seq, 3);
    assert.equal((await jsm.streams.getMessage("GET", { next_by_subj: "get.a", seq: 2 })).seq, 3);
    assert.equal(await jsm.streams.getMessage("GET", { seq: 99 }), null);
    assert.equal(await jsm.streams.deleteMessage("GET", 2), true);
    assert.equal(await jsm.streams.deleteMessage("GET", 1, false), true);
    // As Go: a file stream reports the missing message as a failed delete, a memory stream as an unknown sequence.
    const e = await errOf(jsm.streams.deleteMessage("GET", 2));
    assert.match(e.message, /no message found/);
    // Past the last sequence the file store reports EOF; a sequence deleted between the first and the last is "not found".
    assert.match((await errOf(jsm.streams.deleteMessage("GET", 9))).message, /stream store EOF/);
    await js.publish("get.c", "four");
    await js.publish("get.c", "five");
    assert.equal(await jsm.streams.deleteMessage("GET", 4), true);
    assert.match((await errOf(jsm.streams.deleteMessage("GET", 4))).message, /sequence 4 not found/);
    await jsm.streams.add({ name: "MGET", subjects: ["mget"], storage: "memory" });
    assert.match((await errOf(jsm.streams.deleteMessage("MGET", 7))).message, /sequence 7 not found/);
    const si = await jsm.streams.info("GET", { deleted_details: true });
    assert.deepEqual(si.state.deleted, [4]);
    assert.equal(si.state.messages, 2);
    await jsm.streams.add({ name: "NODEL", subjects: ["nodel"], deny_delete: true });
    await js.publish("nodel", "x");
    const e2 = await errOf(jsm.streams.deleteMessage("NODEL", 1));
    assert.match(e2.message, /message delete not permitted/);
  });

  test("direct get: single, by subject, batch and multi-last with EOB", async () => {
    await jsm.streams.add({ name: "DG", subjects: ["dg.>"], allow_direct: true });
    for (const [s, d] of [["dg.a", "1"], ["dg.b", "2"], ["dg.a", "3"]]) await js.publish(s, d);
    const m = await jsm.direct.getMessage("DG", { seq: 2 });
    assert.equal(m.string(), "2");
    assert.equal(m.header.get("Nats-Stream"), "DG");
    assert.equal(m.header.get("Nats-Subject"), "dg.b");
    assert.equal(m.header.get("Nats-Sequence"), "2");
    const last = await jsm.direct.getMessage("DG", { last_by_subj: "dg.a" });
    assert.equal(last.seq, 3);
    assert.equal(await jsm.direct.getMessage("DG", { seq: 50 }), null);
    const collect = async (body) => {
      const inbox = `_INBOX.dg.${Math.random()}`;
      const got = [];
      const sub = nc.subscribe(inbox);
      nc.publish("$JS.API.DIRECT.GET.DG", JSON.stringify(body), { reply: inbox });
      for await (const msg of sub) {
        got.push(msg);
        if (msg.headers?.code === 204) break;
      }
      return got;
    };
    const batch = await withTimeout(collect({ seq: 1, batch: 2 }), 3000, "batch");
    assert.deepEqual(batch.map((x) => x.headers.get("Nats-Sequence") || x.headers.code), ["1", "2", 204]);
    assert.equal(batch[0].headers.get("Nats-Num-Pending"), "2");
    assert.equal(batch[2].headers.get("Nats-Last-Sequence"), "2");
    const multi = await withTimeout(collect({ multi_last: ["dg.a", "dg.b"] }), 3000, "multi");
    assert.deepEqual(multi.map((x) => x.headers.get("Nats-Sequence") || x.headers.code), ["2", "3", 204]);
    const bad = await nc.request("$JS.API.DIRECT.GET.DG", "", { timeout: 2000 });
    assert.equal(bad.headers.code, 408);
  });

  test("mirror and sources within one server: history, new messages, filters, transforms, info blocks", async () => {
    await jsm.streams.add({ name: "ORIG", subjects: ["orig.>"] });
    for (let i = 0; i < 3; i++) await js.publish(`orig.${i % 2 ? "b" : "a"}`, `${i}`);
    // A gap in the origin (seq 2 deleted): the mirror keeps the origin's sequence numbers.
    await jsm.streams.deleteMessage("ORIG", 2);
    await jsm.streams.add({ name: "MIR", mirror: { name: "ORIG" } });
    await jsm.streams.add({ name: "SRC", sources: [{ name: "ORIG", filter_subject: "orig.a" }, { name: "PUB", subject_transforms: [{ src: "pub.>", dest: "copied.>" }] }] });
    await js.publish("orig.a", "new");
    await waitUntil(async () => (await jsm.streams.info("MIR")).state.messages === 3, 3000, "mirror catch-up");
    const mir = await jsm.streams.info("MIR");
    assert.equal(mir.mirror.name, "ORIG");
    assert.equal(mir.mirror.lag, 0);
    assert.equal((await jsm.streams.getMessage("MIR", { seq: 4 })).string(), "new");
    assert.equal(await jsm.streams.getMessage("MIR", { seq: 2 }), null);
    assert.equal(mir.state.last_seq, 4);
    await waitUntil(async () => (await jsm.streams.info("SRC", { subjects_filter: ">" })).state.subjects?.["orig.a"] === 3, 3000, "source");
    const src = await jsm.streams.info("SRC", { subjects_filter: ">" });
    assert.equal(src.sources.length, 2);
    assert.ok(Object.keys(src.state.subjects).some((s) => s.startsWith("copied.")));
    const e = await errOf(jsm.streams.add({ name: "BADMIR", mirror: { name: "ORIG" }, subjects: ["x"] }));
    assert.match(e.message, /stream mirrors can not contain subjects/);
  });

  test("snapshot and restore round trip over the chunked protocol", async () => {
    await jsm.streams.add({ name: "SNAP", subjects: ["snap.>"] });
    for (let i = 0; i < 50; i++) await js.publish(`snap.${i % 3}`, `payload-${i}`);
    const deliver = `_INBOX.snap.${Date.now()}`;
    const chunks = [];
    const sub = nc.subscribe(deliver);
    const done = (async () => {
      for await (const m of sub) {
        if (m.data.length === 0) break;
        chunks.push(m.data);
        m.respond();
      }
    })();
    const r = await api(nc, "$JS.API.STREAM.SNAPSHOT.SNAP", { deliver_subject: deliver, chunk_size: 256 });
    assert.equal(r.json.state.messages, 50);
    await withTimeout(done, 5000, "snapshot chunks");
    assert.ok(chunks.length > 1);
    await jsm.streams.delete("SNAP");
    const rr = await api(nc, "$JS.API.STREAM.RESTORE.SNAP", { config: r.json.config, state: r.json.state });
    const target = rr.json.deliver_subject;
    for (const c of chunks) await nc.request(target, c, { timeout: 2000 });
    const fin = await nc.request(target, "", { timeout: 2000 });
    const info = JSON.parse(fin.string());
    assert.equal(info.state.messages, 50);
    assert.equal((await jsm.streams.getMessage("SNAP", { seq: 50 })).string(), "payload-49");
    const dup = await api(nc, "$JS.API.STREAM.RESTORE.SNAP", { config: r.json.config });
    assert.equal(dup.json.error.err_code, 10130);
  });

  test("republish and subject_transform", async () => {
    await jsm.streams.add({ name: "REP", subjects: ["rep.>"], republish: { src: "rep.>", dest: "out.>" }, subject_transform: { src: "rep.in.>", dest: "rep.stored.>" } });
    const sub = nc.subscribe("out.>", { max: 1 });
    const got = (async () => {
      for await (const m of sub) return m;
    })();
    await js.publish("rep.in.x", "hello");
    const m = await withTimeout(got, 2000, "republish");
    assert.equal(m.subject, "out.stored.x");
    assert.equal(m.headers.get("Nats-Stream"), "REP");
    assert.equal(m.headers.get("Nats-Sequence"), "1");
    assert.equal((await jsm.streams.getMessage("REP", { seq: 1 })).subject, "rep.stored.x");
  });

  test("interest retention without consumers uses up the sequence without storing", async () => {
    await jsm.streams.add({ name: "INT", subjects: ["int"], retention: "interest" });
    assert.equal((await js.publish("int", "a")).seq, 1);
    assert.equal((await js.publish("int", "b")).seq, 2);
    const st = (await jsm.streams.info("INT")).state;
    assert.deepEqual([st.messages, st.last_seq], [0, 2]);
  });

  test("sealed streams refuse publishes, deletes and purges", async () => {
    await jsm.streams.add({ name: "SEAL", subjects: ["seal"] });
    await js.publish("seal", "x");
    const si = await jsm.streams.update("SEAL", { sealed: true });
    assert.equal(si.config.deny_delete, true);
    const e = await errOf(js.publish("seal", "y"));
    assert.match(e.message, /invalid operation on sealed stream/);
    const e2 = await errOf(jsm.streams.update("SEAL", { sealed: false }));
    assert.match(e2.message, /can not unseal a sealed stream/);
  });
});

describe("JetStream limits", { timeout: 30_000 }, () => {
  test("server max_memory_store refuses streams whose max_bytes do not fit", async () => {
    const server = await startServer({ jetstream: { maxMemory: 1000 } });
    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      const e = await errOf(jsm.streams.add({ name: "BIG", storage: "memory", max_bytes: 5000 }));
      assert.match(e.message, /insufficient memory resources available/);
      await jsm.streams.add({ name: "SMALL", storage: "memory", max_bytes: 500 });
    } finally {
      await nc.close();
      await server.shutdown();
    }
  });

  test("account limits: max_streams and account storage", async () => {
    const server = await startServer({ jetstream: true });
    const nc = await connect({ servers: server.url });
    try {
      const engine = server.server.extraListener("jetstream");
      const jsa = engine.account(server.server.globalAccount);
      jsa.limits = { ...jsa.limits, max_streams: 1, max_memory: 200 };
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "ONE", subjects: ["one"], storage: "memory" });
      const e = await errOf(jsm.streams.add({ name: "TWO", subjects: ["two"] }));
      assert.match(e.message, /maximum number of streams reached/);
      const js = jetstream(nc);
      await js.publish("one", new Uint8Array(100));
      const e2 = await errOf(js.publish("one", te.encode("x".repeat(150))));
      assert.match(e2.message, /resource limits exceeded for account/);
    } finally {
      await nc.close();
      await server.shutdown();
    }
  });
});

test("a stream on a non-ASCII subject captures it and reports it as text", async () => {
  const s = await startServer({ jetstream: true });
  const nc = await connect({ servers: s.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "U", subjects: ["grüße.>"] });
    const ack = await jetstream(nc).publish("grüße.welt", "hi");
    assert.equal(ack.seq, 1);
    const m = await jsm.streams.getMessage("U", { seq: 1 });
    assert.equal(m.subject, "grüße.welt");
  } finally {
    await nc.close();
    await s.shutdown();
  }
});
