// MemoryStore and FileStore through one table of cases: append/get, Go's size
// accounting, deletes, every purge variant, compact, limits with discard old
// and new, per-subject limits, max_age expiry on a timer, queries with filters,
// consumer state, snapshots, and a randomized comparison against a naive model.
// File stores are reopened after every case (the model cases also midway) and
// must come back identical.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MemoryStore, FileStore, restoreSnapshot, StoreError } from "../../dist/jetstream/store/index.js";
import { newMessageRef } from "../../dist/jetstream/store/types.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "store-shared-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

function meta(cfg = {}) {
  return { config: { name: "S", ...cfg }, created: "2026-01-01T00:00:00Z" };
}

const kinds = {
  memory: {
    make: (cfg) => new MemoryStore(meta(cfg)),
    reopen: (s) => s,
  },
  file: {
    make: (cfg) => {
      const opts = { storeDir: path.join(root, `d${dirNo++}`), account: "ACC", blockSize: 2048 };
      const s = FileStore.create(opts, meta(cfg));
      s.testOpts = opts;
      return s;
    },
    reopen: (s) => {
      s.stop();
      const r = FileStore.open(s.testOpts, "S");
      r.testOpts = s.testOpts;
      return r;
    },
  },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const b = (s) => Buffer.from(s);

function fill(s, n, subject = (i) => `s.${i % 3}`) {
  const seqs = [];
  for (let i = 0; i < n; i++) seqs.push(s.append(subject(i), null, b(`m${i}`)));
  s.flushPending();
  return seqs;
}

function contents(s) {
  const out = [];
  const st = s.state();
  for (let q = st.first_seq; q <= st.last_seq; q++) {
    const m = s.getMsg(q);
    if (m) out.push([m.seq, m.subject, m.hdr?.toString() ?? null, m.data.toString(), m.ts]);
  }
  return out;
}

const cases = {
  "append and get keep subject, header, payload, timestamp": (s) => {
    const hdr = b("NATS/1.0\r\nX: 1\r\n\r\n");
    assert.equal(s.append("a.b", hdr, b("one"), 1_700_000_000_000_000_000), 1);
    assert.equal(s.append("a.c", null, b("two")), 2);
    assert.equal(s.append("a.e", Buffer.alloc(0), b("")), 3);
    s.flushPending();
    const m = s.getMsg(1);
    assert.deepEqual([m.subject, m.seq, m.hdr.toString(), m.data.toString(), m.ts], ["a.b", 1, hdr.toString(), "one", 1_700_000_000_000_000_000]);
    assert.equal(s.getMsg(2).hdr, null);
    assert.equal(s.getMsg(3).hdr.length, 0);
    assert.equal(s.getMsg(3).data.length, 0);
    assert.equal(s.getMsg(0), null);
    assert.equal(s.getMsg(4), null);
    const st = s.state();
    assert.equal(st.msgs, 3);
    assert.equal(st.first_seq, 1);
    assert.equal(st.last_seq, 3);
    assert.equal(st.first_ts, 1_700_000_000_000_000_000);
    assert.equal(st.num_subjects, 3);
  },
  "bytes follow Go's memStoreMsgSize / fileStoreMsgSize": (s) => {
    s.append("foo", null, b("12345"));
    s.append("foo", b("0123456789"), b("12345"));
    s.flushPending();
    assert.equal(s.state().bytes, s.kind === "memory" ? 24 + 34 : 38 + 52);
  },
  "appended buffers are copied": (s) => {
    const data = b("original");
    s.append("x", null, data);
    s.flushPending();
    data.write("CHANGED!");
    assert.equal(s.getMsg(1).data.toString(), "original");
  },
  "deleteMsg: interior and first, deleted list": (s) => {
    fill(s, 10);
    assert.equal(s.deleteMsg(5, false), true);
    assert.equal(s.deleteMsg(5, false), false);
    assert.equal(s.deleteMsg(1, true), true);
    assert.equal(s.deleteMsg(99, false), false);
    assert.equal(s.getMsg(5), null);
    const st = s.state({ deleted: true });
    assert.equal(st.msgs, 8);
    assert.equal(st.first_seq, 2);
    assert.equal(st.num_deleted, 1);
    assert.deepEqual(st.deleted, [5]);
  },
  "erase removes the message like a delete": (s) => {
    fill(s, 4);
    assert.equal(s.deleteMsg(3, true), true);
    assert.equal(s.getMsg(3), null);
    assert.equal(s.getMsg(4).data.toString(), "m3");
  },
  "purge all keeps the sequence going": (s) => {
    fill(s, 10);
    assert.equal(s.purge(), 10);
    let st = s.state();
    assert.deepEqual([st.msgs, st.first_seq, st.last_seq, st.bytes, st.num_subjects], [0, 11, 10, 0, 0]);
    assert.equal(s.append("x", null, b("y")), 11);
    s.flushPending();
    st = s.state();
    assert.deepEqual([st.msgs, st.first_seq, st.last_seq], [1, 11, 11]);
  },
  "purge with filter, with filter and keep, with filter and seq": (s) => {
    fill(s, 12); // s.0: 1,4,7,10  s.1: 2,5,8,11  s.2: 3,6,9,12
    assert.equal(s.purge({ filter: "s.0" }), 4);
    assert.equal(s.purge({ filter: "s.1", keep: 1 }), 3);
    assert.equal(s.getMsg(11).subject, "s.1");
    assert.equal(s.purge({ filter: "s.2", seq: 9 }), 2);
    assert.deepEqual(contents(s).map((m) => m[0]), [9, 11, 12]);
    assert.equal(s.purge({ filter: "s.*", keep: 5 }), 0);
    assert.equal(s.purge({ filter: "nothing" }), 0);
  },
  "purge with seq compacts, keep keeps the newest (Go's PurgeEx)": (s) => {
    fill(s, 10);
    assert.equal(s.purge({ seq: 4 }), 3);
    assert.equal(s.state().first_seq, 4);
    assert.equal(s.purge({ keep: 2 }), 5);
    assert.deepEqual(contents(s).map((m) => m[0]), [9, 10]);
    assert.equal(s.purge({ keep: 5 }), 0);
  },
  "keep without filter keeps the newest by count, also across deleted sequences": (s) => {
    fill(s, 10, (i) => (i % 2 ? "prg.odd" : "prg.even"));
    assert.equal(s.purge({ filter: "prg.odd" }), 5);
    assert.equal(s.purge({ seq: 5 }), 2);
    assert.equal(s.purge({ seq: 1 }), 0);
    assert.equal(s.purge({ keep: 1 }), 2);
    assert.deepEqual(contents(s).map((m) => m[0]), [9]);
    assert.equal(s.purge(), 1);
    assert.deepEqual([s.state().msgs, s.state().first_seq], [0, 11]);
  },
  "skipMsg and skipMsgs use up sequences without messages": (s) => {
    fill(s, 2);
    assert.equal(s.skipMsg(), 3);
    s.flushPending();
    assert.deepEqual([s.state().msgs, s.state().last_seq, s.state().num_deleted], [2, 3, 1]);
    s.purge();
    assert.equal(s.skipMsg(), 4);
    assert.equal(s.skipMsg(), 5);
    s.flushPending();
    assert.deepEqual([s.state().msgs, s.state().first_seq, s.state().last_seq], [0, 6, 5]);
    assert.equal(s.append("x", null, b("y")), 6);
    assert.equal(s.skipMsgs(3), 9);
    assert.equal(s.skipMsgs(0), 9);
    assert.equal(s.append("x", null, b("y")), 10);
    assert.equal(s.skipMsgs(5_000_000), 5_000_010);
    assert.equal(s.append("x", null, b("y")), 5_000_011);
    s.flushPending();
    const big = s.state({ deleted: true });
    assert.deepEqual([big.msgs, big.first_seq, big.num_deleted], [3, 6, 5_000_003]);
    assert.equal(big.deleted.length, 1_000_000, "the deleted list is capped");
    assert.deepEqual(big.deleted.slice(0, 4), [7, 8, 9, 11]);
    s.purge();
    assert.equal(s.skipMsgs(1_000_000_000), 1_005_000_011);
    assert.equal(s.append("z", null, b("w")), 1_005_000_012);
    s.flushPending();
    assert.deepEqual([s.state().msgs, s.state().first_seq, s.state().num_deleted], [1, 1_005_000_012, 0]);
  },
  "compact beyond last_seq empties the stream at that sequence": (s) => {
    fill(s, 5);
    assert.equal(s.compact(100), 5);
    const st = s.state();
    assert.deepEqual([st.msgs, st.first_seq, st.last_seq], [0, 100, 99]);
    assert.equal(s.append("x", null, b("y")), 100);
    s.flushPending();
  },
  "max_msgs discard old drops the oldest and tells the stream": (s, removed) => {
    s.updateMeta(meta({ max_msgs: 3 }));
    fill(s, 5);
    const st = s.state();
    assert.deepEqual([st.msgs, st.first_seq, st.last_seq], [3, 3, 5]);
    assert.deepEqual(removed, [[1, "s.0", "limit"], [2, "s.1", "limit"]]);
  },
  "max_bytes discard old": (s) => {
    const one = s.kind === "memory" ? 1 + 2 + 16 : 30 + 1 + 2;
    s.updateMeta(meta({ max_bytes: one * 3 }));
    for (let i = 0; i < 6; i++) s.append("x", null, b("ab"));
    s.flushPending();
    const st = s.state();
    assert.equal(st.msgs, 3);
    assert.equal(st.bytes, one * 3);
    assert.equal(st.first_seq, 4);
  },
  "max_msgs discard new refuses with Go's error": (s) => {
    s.updateMeta(meta({ max_msgs: 2, discard: "new" }));
    fill(s, 2);
    assert.throws(() => s.append("x", null, b("y")), (e) => e instanceof StoreError && e.code === "max_msgs" && e.message === "maximum messages exceeded");
    assert.equal(s.state().msgs, 2);
    assert.equal(s.state().last_seq, 2);
  },
  "max_bytes discard new refuses at the limit, as Go (>=)": (s) => {
    const one = s.kind === "memory" ? 1 + 1 + 16 : 30 + 1 + 1;
    s.updateMeta(meta({ max_bytes: one * 2, discard: "new" }));
    s.append("x", null, b("1"));
    assert.throws(() => s.append("x", null, b("2")), (e) => e.code === "max_bytes" && e.message === "maximum bytes exceeded");
    s.flushPending();
    assert.equal(s.state().msgs, 1);
  },
  "discard new with per-subject limit: replaces within the subject, or refuses with discard_new_per_subject": (s) => {
    s.updateMeta(meta({ max_msgs: 2, max_msgs_per_subject: 1, discard: "new" }));
    s.append("a", null, b("1"));
    s.append("b", null, b("1"));
    assert.equal(s.append("a", null, b("2")), 3);
    assert.throws(() => s.append("c", null, b("1")), (e) => e.code === "max_msgs");
    s.flushPending();
    assert.deepEqual(contents(s).map((m) => [m[0], m[1]]), [[2, "b"], [3, "a"]]);
    s.updateMeta(meta({ max_msgs_per_subject: 1, discard: "new", discard_new_per_subject: true }));
    assert.throws(() => s.append("a", null, b("3")), (e) => e.code === "max_msgs_per_subject" && e.message === "maximum messages per subject exceeded");
    assert.equal(s.append("z", null, b("1")), 4);
    s.flushPending();
  },
  "max_msgs_per_subject keeps the newest per subject": (s, removed) => {
    s.updateMeta(meta({ max_msgs_per_subject: 2 }));
    fill(s, 12);
    const st = s.state();
    assert.equal(st.msgs, 6);
    assert.deepEqual(contents(s).map((m) => m[0]), [7, 8, 9, 10, 11, 12]);
    assert.equal(removed.length, 6);
    assert.equal(s.lastSeqForSubject("s.1"), 11);
    assert.equal(s.getLastBySubject("s.1").data.toString(), "m10");
    assert.deepEqual([...s.subjectsState(">")].sort(), [["s.0", 2], ["s.1", 2], ["s.2", 2]]);
  },
  "max_msg_size refuses header + payload over the limit": (s) => {
    s.updateMeta(meta({ max_msg_size: 10 }));
    s.append("x", b("12345"), b("12345"));
    assert.throws(() => s.append("x", b("12345"), b("123456")), (e) => e.code === "msg_too_large");
    s.flushPending();
    assert.equal(s.state().msgs, 1);
  },
  "updateMeta with lower limits trims now": (s) => {
    fill(s, 10);
    s.updateMeta(meta({ max_msgs: 4 }));
    assert.equal(s.state().msgs, 4);
    assert.equal(s.state().first_seq, 7);
    assert.equal(s.meta().config.max_msgs, 4);
  },
  "max_age expires on a timer without a publish": async (s, removed) => {
    s.updateMeta(meta({ max_age: 300e6 }));
    const t0 = Date.now();
    fill(s, 3);
    await sleep(100);
    const tLate = Date.now();
    s.append("late", null, b("x"));
    s.flushPending();
    const times = [];
    s.onRemoved = (seq, subject, reason) => times.push([seq, reason, Date.now()]);
    for (let i = 0; i < 300 && s.state().msgs > 0; i++) await sleep(10);
    assert.equal(s.state().msgs, 0);
    assert.equal(s.state().first_seq, 5);
    assert.deepEqual(times.map((t) => [t[0], t[1]]), [[1, "age"], [2, "age"], [3, "age"], [4, "age"]]);
    for (const t of times.slice(0, 3)) assert.ok(t[2] - t0 >= 290, `expired after ${t[2] - t0} ms`);
    assert.ok(times[3][2] - tLate >= 290, `late message expired after ${times[3][2] - tLate} ms`);
  },
  "a mass expiry runs in slices and removes everything": async (s) => {
    s.updateMeta(meta({ max_age: 50e6 }));
    for (let i = 0; i < 45000; i++) s.append(`m.${i % 10}`, null, b("x"));
    s.flushPending();
    let removed = 0;
    s.onRemoved = () => removed++;
    for (let i = 0; i < 500 && s.state().msgs > 0; i++) await sleep(10);
    assert.equal(s.state().msgs, 0);
    assert.equal(removed, 45000);
    assert.equal(s.state().first_seq, 45001);
  },
  "queries: numPending, filteredState, getNext/getLast, wildcards and filter lists": (s) => {
    const subjects = ["orders.new", "orders.paid", "ship.eu", "orders.new", "ship.us", "orders.paid.late", "ship.eu"];
    subjects.forEach((subj, i) => s.append(subj, null, b(`${i}`)));
    s.flushPending();
    assert.equal(s.numPending(1, ">", false), 7);
    assert.equal(s.numPending(3, "", false), 5);
    assert.equal(s.numPending(1, "orders.*", false), 3);
    assert.equal(s.numPending(1, "orders.>", false), 4);
    assert.equal(s.numPending(2, "orders.new", false), 1);
    assert.equal(s.numPending(1, "ship.*", true), 2);
    assert.equal(s.numPending(6, "ship.*", true), 1);
    assert.equal(s.numPending(1, ["orders.new", "ship.us"], false), 3);
    assert.equal(s.numPending(99, ">", false), 0);
    assert.deepEqual(s.filteredState(2, "orders.*"), { msgs: 2, first: 2, last: 4 });
    assert.deepEqual(s.filteredState(1, "none"), { msgs: 0, first: 0, last: 0 });
    assert.equal(s.getNextBySubject(2, "orders.new").seq, 4);
    assert.equal(s.getNextBySubject(1, "*.eu").seq, 3);
    assert.equal(s.getNextBySubject(4, "*.eu").seq, 7);
    assert.equal(s.getNextBySubject(8, ">"), null);
    assert.equal(s.getNextBySubject(1, ["ship.us", "orders.paid.late"]).seq, 5);
    assert.equal(s.getLastBySubject("orders.>").seq, 6);
    assert.equal(s.getLastBySubject(">").seq, 7);
    assert.equal(s.getLastBySubject("nope"), null);
    assert.deepEqual(s.lastSeqsPerSubject("ship.*"), [5, 7]);
    assert.deepEqual([...s.subjectsState("orders.*")].sort(), [["orders.new", 2], ["orders.paid", 1]]);
    assert.equal(s.lastSeqForSubject("orders.new"), 4);
    assert.equal(s.lastSeqForSubject("ship"), 0);
    s.deleteMsg(4, false);
    assert.equal(s.lastSeqForSubject("orders.new"), 1);
    assert.equal(s.numPending(1, "orders.*", false), 2);
    assert.equal(s.getNextBySubject(2, "orders.new"), null);
  },
  "peekMsg / peekNextBySubject: the message in place, the same bytes as getMsg, across blocks": (s) => {
    const hdr = Buffer.from("NATS/1.0\r\nk: v\r\n\r\n");
    for (let i = 1; i <= 300; i++) s.append(i % 3 === 0 ? "a.x" : "b.y", i % 2 === 0 ? hdr : null, b(`payload-${i}`));
    s.flushPending();
    s.deleteMsg(5, false);
    const ref = newMessageRef();
    for (let seq = 1; seq <= 300; seq++) {
      const m = s.getMsg(seq);
      assert.equal(s.peekMsg(seq, ref), m !== null, `seq ${seq}`);
      if (m === null) continue;
      assert.equal(ref.seq, seq);
      assert.equal(ref.subject, m.subject);
      assert.equal(ref.ts, m.ts);
      assert.equal(ref.hdrLen, m.hdr === null ? -1 : m.hdr.length);
      const bytes = ref.buf.subarray(ref.start, ref.start + ref.size);
      assert.deepEqual(bytes, m.hdr === null ? m.data : Buffer.concat([m.hdr, m.data]));
    }
    assert.equal(s.peekNextBySubject(5, ">", ref), true);
    assert.equal(ref.seq, 6);
    assert.equal(s.peekNextBySubject(7, "a.x", ref), true);
    assert.equal(ref.seq, 9);
    assert.equal(s.peekNextBySubject(301, ">", ref), false);
    assert.equal(s.peekMsg(0, ref), false);
    assert.equal(s.peekMsg(301, ref), false);
  },
  "consumer state and meta": (s) => {
    const c = s.consumerStore("dur");
    assert.equal(c.state(), null);
    c.setMeta({ config: { durable_name: "dur", ack_policy: "explicit" }, created: "x" });
    const state = {
      delivered: { consumer_seq: 10, stream_seq: 12 },
      ack_floor: { consumer_seq: 7, stream_seq: 9 },
      pending: new Map([[10, { sequence: 8, ts: 1.5e18 }], [12, { sequence: 10, ts: 1.6e18 }]]),
      redelivered: new Map([[10, 2]]),
    };
    c.update(state);
    c.flushPending();
    assert.deepEqual(s.consumerNames(), ["dur"]);
    assert.deepEqual(s.consumerStore("dur").state(), state);
  },
  "snapshot restores into a new store; damaged snapshots are refused": (s) => {
    fill(s, 20);
    s.deleteMsg(5, false);
    s.purge({ filter: "s.2", keep: 1 });
    s.consumerStore("c1").setMeta({ config: { name: "c1" }, created: "t" });
    const before = contents(s);
    const snap = s.snapshot();
    const restored = restoreSnapshot(snap, (m) => new MemoryStore(m));
    assert.deepEqual(contents(restored), before);
    assert.deepEqual({ ...restored.state(), bytes: 0 }, { ...s.state(), bytes: 0 });
    assert.deepEqual(restored.consumerStore("c1").meta(), { config: { name: "c1" }, created: "t" });
    for (const at of [0, 20, Math.floor(snap.length / 2), snap.length - 1]) {
      const bad = Buffer.from(snap);
      bad[at] ^= 0x10;
      assert.throws(() => restoreSnapshot(bad, (m) => new MemoryStore(m)), (e) => e.code === "bad_snapshot");
    }
    assert.throws(() => restoreSnapshot(snap.subarray(0, snap.length - 3), (m) => new MemoryStore(m)), (e) => e.code === "bad_snapshot");
  },
  "payloads survive mass deletes and the space reuse behind them; earlier reads stay intact": (s) => {
    const body = (i) => b(`${i}:`.padEnd(300, String.fromCharCode(97 + (i % 26))));
    for (let i = 1; i <= 3000; i++) s.append(`p.${i % 9}`, i % 4 ? null : b(`NATS/1.0\r\nN: ${i}\r\n\r\n`), body(i));
    s.flushPending();
    const held = s.getMsg(2999);
    for (let q = 1; q <= 3000; q++) if (q % 3 !== 0) s.deleteMsg(q, false);
    for (let i = 3001; i <= 3500; i++) s.append(`p.${i % 9}`, null, body(i));
    s.flushPending();
    for (let q = 3; q <= 3500; q += q < 3000 ? 3 : 1) {
      const m = s.getMsg(q);
      assert.equal(m.data.toString(), body(q).toString(), `payload of ${q}`);
      assert.equal(m.hdr?.toString() ?? null, q <= 3000 && q % 4 === 0 ? `NATS/1.0\r\nN: ${q}\r\n\r\n` : null);
    }
    assert.equal(held.data.toString(), body(2999).toString(), "a message read before the deletes is unchanged");
  },
  "many messages across index chunks and blocks": (s) => {
    for (let i = 0; i < 10000; i++) s.append(`k.${i % 50}`, null, b(`v${i}`));
    s.flushPending();
    s.purge({ filter: "k.7" });
    for (let q = 100; q < 9000; q += 3) s.deleteMsg(q, false);
    const all = contents(s);
    assert.equal(s.numPending(1, "k.8", false), all.filter((m) => m[1] === "k.8").length);
    assert.equal(s.numPending(1, "k.7", false), 0);
    assert.equal(s.numPending(1, "k.*", false), all.length);
    assert.equal(s.numPending(5000, ">", false), contents(s).filter((m) => m[0] >= 5000).length);
    assert.equal(s.getLastBySubject("k.49").data.toString(), "v9999");
  },
};

/** A naive model: every message in an array; the store must agree on every query. */
function modelCase(seed, perSubject = 0) {
  return (s, removed, reopen) => {
    if (perSubject > 0) s.updateMeta(meta({ max_msgs_per_subject: perSubject }));
    let x = seed;
    const rnd = (n) => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    const model = new Map();
    let last = 0;
    const match = (subj, f) => f === ">" || subj === f || (f.endsWith(".*") && subj.startsWith(f.slice(0, -1)) && !subj.slice(f.length - 1).includes("."));
    for (let op = 0; op < 3000; op++) {
      const r = rnd(100);
      if (r < 70) {
        const subj = `t.${rnd(6)}`;
        last = s.append(subj, null, b(`${op}`));
        model.set(last, { subj, data: `${op}` });
        if (perSubject > 0) {
          const same = [...model].filter(([, m]) => m.subj === subj);
          if (same.length > perSubject) model.delete(same[0][0]);
        }
      } else if (r < 85 && model.size > 0) {
        const seqs = [...model.keys()];
        const q = seqs[rnd(seqs.length)];
        assert.equal(s.deleteMsg(q, rnd(2) === 0), true);
        model.delete(q);
      } else if (r < 90) {
        const f = `t.${rnd(6)}`;
        let n = 0;
        for (const [q, m] of model) if (m.subj === f) (model.delete(q), n++);
        assert.equal(s.purge({ filter: f }), n);
      } else if (r < 92) {
        const to = last - rnd(50);
        for (const q of [...model.keys()]) if (q < to) model.delete(q);
        s.compact(to);
      }
      if (op % 97 === 0) s.flushPending();
      if (op % 601 === 600) {
        s.flushPending();
        s = reopen();
      }
      if (op % 211 === 0) {
        const start = rnd(last + 2);
        for (const f of [">", "t.*", `t.${rnd(6)}`]) {
          const expect = [...model].filter(([q, m]) => q >= start && match(m.subj, f));
          assert.equal(s.numPending(start, f, false), expect.length, `numPending ${start} ${f}`);
          assert.equal(s.getNextBySubject(start, f)?.seq ?? null, expect.length ? expect[0][0] : null);
          const lastPer = new Map();
          for (const [q, m] of model) if (match(m.subj, f)) lastPer.set(m.subj, q);
          assert.equal(s.numPending(start, f, true), [...lastPer.values()].filter((q) => q >= start).length);
        }
      }
    }
    s.flushPending();
    const st = s.state();
    assert.equal(st.msgs, model.size);
    assert.equal(st.last_seq, last);
    assert.deepEqual(contents(s).map((m) => [m[0], m[1], m[3]]), [...model].map(([q, m]) => [q, m.subj, m.data]));
  };
}
cases["randomized operations agree with a naive model (seed 7)"] = modelCase(7);
cases["randomized operations agree with a naive model (seed 1234)"] = modelCase(1234);
cases["randomized operations with max_msgs_per_subject 2 agree with a naive model"] = modelCase(99, 2);

for (const [kind, k] of Object.entries(kinds)) {
  describe(`${kind} store`, () => {
    for (const [name, fn] of Object.entries(cases)) {
      test(name, async () => {
        let s = k.make({});
        const removed = [];
        s.onRemoved = (seq, subject, reason) => removed.push([seq, subject, reason]);
        const reopen = () => {
          s = k.reopen(s);
          return s;
        };
        try {
          await fn(s, removed, reopen);
          s.flushPending();
          const state = s.state({ deleted: true });
          const msgs = contents(s);
          const names = s.consumerNames().sort();
          s = k.reopen(s);
          assert.deepEqual(s.state({ deleted: true }), state, "state after reopen");
          assert.deepEqual(contents(s), msgs, "messages after reopen");
          assert.deepEqual(s.consumerNames().sort(), names);
        } finally {
          s.delete();
        }
      });
    }
  });
}
