// FileStore durability: restart recovery with and without block indexes, torn
// tails, one flipped bit at a time in block, index, meta and consumer files
// (never altered data served, the stream survives, at most the damaged record
// lost), failed writes rolled back (injected ENOSPC / EIO / short writes),
// emptied blocks removed, snapshot restore, store directory listing.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FileStore, listAccountNames, listStreamNames, restoreSnapshot } from "../../dist/jetstream/store/index.js";
import { scanBlock } from "../../dist/jetstream/store/block-format.js";
import { decodeBlockIndex } from "../../dist/jetstream/store/block-index.js";
import { decodeSlot } from "../../dist/jetstream/store/dual-file.js";
import { blockFiles, storeContents, streamPath } from "../helpers/store-files.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "store-file-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

function newOpts(extra = {}) {
  return { storeDir: path.join(root, `d${dirNo++}`), account: "ACC", blockSize: 1024, ...extra };
}
const meta = (cfg = {}) => ({ config: { name: "S", ...cfg }, created: "2026-01-01T00:00:00Z" });
const b = (s) => Buffer.from(s);

function populate(opts, n = 40) {
  const s = FileStore.create(opts, meta());
  for (let i = 1; i <= n; i++) {
    s.append(`sub.${i % 4}`, i % 3 === 0 ? b(`NATS/1.0\r\nI: ${i}\r\n\r\n`) : null, b(`payload-${i}-${"x".repeat(i % 7)}`));
    if (i % 5 === 0) s.flushPending();
  }
  s.flushPending();
  return s;
}
/** Blocks are unlinked in the background: let those unlinks finish. */
const unlinked = () => new Promise((r) => setTimeout(r, 50));

function copyDir(from, to) {
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true });
}

/** Opens a damaged copy and checks: opens, serves only original messages, loses at most `maxLost`. */
function checkDamaged(opts, original, maxLost, label, lastSeq = Math.max(0, ...original.keys())) {
  const s = FileStore.open(opts, "S");
  try {
    const got = storeContents(s);
    for (const [q, v] of got) assert.equal(v, original.get(q), `${label}: altered or foreign message at ${q}`);
    const lost = [...original.keys()].filter((q) => !got.has(q));
    assert.ok(lost.length <= maxLost, `${label}: lost ${lost.length} messages (${lost})`);
    const st = s.state();
    assert.equal(st.msgs, got.size, `${label}: state counts only servable messages`);
    const seq = s.append("after", null, b("damage"));
    s.flushPending();
    assert.ok(seq > lastSeq, `${label}: new sequence ${seq} may reuse an acknowledged one (last ${lastSeq})`);
    return lost;
  } finally {
    s.stop();
  }
}

describe("restart recovery", () => {
  test("many blocks, with indexes, without indexes, with damaged indexes: same state and messages", () => {
    const opts = newOpts();
    const s = populate(opts, 200);
    s.deleteMsg(7, false);
    s.purge({ filter: "sub.2", keep: 3 });
    s.consumerStore("c").setMeta({ config: { durable_name: "c" }, created: "t" });
    const state = s.state({ deleted: true });
    const msgs = storeContents(s);
    s.stop();
    assert.ok(blockFiles(opts).length > 5);
    const reopen = (label) => {
      const r = FileStore.open(opts, "S");
      assert.deepEqual(r.state({ deleted: true }), state, label);
      assert.deepEqual(storeContents(r), msgs, label);
      assert.deepEqual(r.meta(), meta(), label);
      assert.deepEqual(r.consumerNames(), ["c"], label);
      r.stop();
    };
    reopen("with indexes");
    const idx = fs.readdirSync(path.join(streamPath(opts), "msgs")).filter((f) => f.endsWith(".idx"));
    assert.ok(idx.length > 0);
    const firstIdx = path.join(streamPath(opts), "msgs", idx[0]);
    const pristine = fs.readFileSync(firstIdx);
    for (let at = 0; at < pristine.length; at += 7) {
      const bad = Buffer.from(pristine);
      bad[at] ^= 0x04;
      fs.writeFileSync(firstIdx, bad);
      reopen(`index byte ${at} flipped`);
    }
    for (const f of idx) fs.rmSync(path.join(streamPath(opts), "msgs", f), { force: true });
    reopen("without indexes");
    reopen("indexes rebuilt");
  });

  test("the index written while a block fills describes the sealed block as a scan does (erased records too)", () => {
    const opts = newOpts({ blockSize: 4096 });
    const s = FileStore.create(opts, meta());
    for (let i = 1; i <= 400; i++) {
      s.append(`sub.${i % 5}`, i % 4 === 0 ? b(`NATS/1.0\r\nI: ${i}\r\n\r\n`) : null, b(`p-${i}-${"y".repeat(i % 300)}`));
      if (i % 3 === 0) s.flushPending();
      // Erase a message of the active block after it was indexed (an erase in a sealed block leaves
      // its index as it was: the tombstone decides), and delete one from further back.
      if (i % 9 === 0) {
        const newest = fs.readFileSync(blockFiles(opts).at(-1));
        if (scanBlock(newest, newest.length).seq.includes(i - 1)) s.deleteMsg(i - 1, true);
      }
      if (i % 13 === 0) s.deleteMsg(i - 5, false);
    }
    s.flushPending();
    s.stop();
    const dir = path.join(streamPath(opts), "msgs");
    let compared = 0;
    let erased = 0;
    for (const blk of blockFiles(opts)) {
      const idxFile = blk.replace(/blk$/, "idx");
      if (!fs.existsSync(idxFile)) continue;
      const data = fs.readFileSync(blk);
      const id = parseInt(path.basename(blk));
      const got = decodeBlockIndex(fs.readFileSync(idxFile), id, data.length);
      assert.ok(got !== null, `index of block ${id} is valid`);
      const want = scanBlock(data, data.length);
      assert.equal(got.type.length, want.type.length, `records of block ${id}`);
      for (let k = 0; k < want.type.length; k++) {
        const at = `block ${id} record ${k}`;
        for (const f of ["type", "seq", "off", "len", "ts", "hdrLen"]) assert.equal(got[f][k], want[f][k], `${at} ${f}`);
        // An erased record keeps its old subject number in the index; its type says it has none.
        if (want.type[k] !== 6) assert.equal(got.subject[k], want.subject[k], `${at} subject`);
        else erased++;
      }
      compared++;
    }
    assert.ok(compared >= 5, `${compared} indexes in ${dir}`);
    assert.ok(erased >= 10, `${erased} erased records checked`);
  });

  test("an unreadable block costs only its own messages", () => {
    const opts = newOpts();
    const s = populate(opts, 60);
    const msgs = storeContents(s);
    s.stop();
    const files = blockFiles(opts);
    fs.rmSync(files[1]);
    fs.rmSync(files[1].replace(/blk$/, "idx"), { force: true });
    fs.mkdirSync(files[1]);
    const r = FileStore.open(opts, "S");
    const got = storeContents(r);
    for (const [q, v] of got) assert.equal(v, msgs.get(q));
    assert.ok(got.size >= msgs.size - 20 && got.size < msgs.size, `${got.size} of ${msgs.size} left`);
    assert.equal(r.state().last_seq, 60);
    r.stop();
    const newest = blockFiles(opts).at(-1);
    fs.rmSync(newest);
    fs.mkdirSync(newest);
    const again = FileStore.open(opts, "S");
    for (const [q, v] of storeContents(again)) assert.equal(v, msgs.get(q));
    const seq = again.append("after", null, b("x"));
    again.stop();
    const third = FileStore.open(opts, "S");
    assert.equal(third.getMsg(seq).data.toString(), "x", "appends after an unreadable newest block go to a new block");
    third.stop();
  });

  test("erase overwrites the payload bytes on disk, in the active and in a sealed block", () => {
    const opts = newOpts();
    const s = FileStore.create(opts, meta());
    for (let i = 1; i <= 60; i++) {
      s.append("e", null, b(`SECRET-${String(i).padStart(3, "0")}-${"z".repeat(20)}`));
      if (i % 5 === 0) s.flushPending();
    }
    s.flushPending();
    assert.ok(blockFiles(opts).length > 2);
    s.deleteMsg(2, true);
    s.deleteMsg(59, true);
    s.deleteMsg(30, false);
    s.stop();
    const disk = Buffer.concat(blockFiles(opts).map((f) => fs.readFileSync(f))).toString("latin1");
    assert.ok(!disk.includes("SECRET-002"), "erased payload in a sealed block still on disk");
    assert.ok(!disk.includes("SECRET-059"), "erased payload in the active block still on disk");
    assert.ok(disk.includes("SECRET-030"), "no_erase keeps the bytes (as Go)");
    const r = FileStore.open(opts, "S");
    assert.deepEqual([r.getMsg(2), r.getMsg(59), r.getMsg(30)], [null, null, null]);
    assert.equal(r.state().msgs, 57);
    r.stop();
  });

  test("config updates survive a restart; the stream is listed", () => {
    const opts = newOpts();
    const s = populate(opts, 5);
    s.updateMeta(meta({ max_msgs: 3, description: "d" }));
    s.stop();
    const r = FileStore.open(opts, "S");
    assert.deepEqual(r.meta(), meta({ max_msgs: 3, description: "d" }));
    assert.equal(r.state().msgs, 3);
    r.stop();
    assert.deepEqual(listStreamNames(opts.storeDir, "ACC"), ["S"]);
    assert.deepEqual(listAccountNames(opts.storeDir), ["ACC"]);
    assert.throws(() => FileStore.create(opts, meta()), (e) => e.code === "bad_store");
    assert.throws(() => FileStore.open(opts, "nope"), (e) => e.code === "bad_store");
  });

  test("odd stream and account names are stored under escaped directory names", () => {
    const opts = { ...newOpts(), account: "A/../b c" };
    const s = FileStore.create(opts, { config: { name: "we!rd/näme" }, created: "" });
    s.append("x", null, b("1"));
    s.stop();
    assert.deepEqual(listAccountNames(opts.storeDir), ["A/../b c"]);
    assert.deepEqual(listStreamNames(opts.storeDir, "A/../b c"), ["we!rd/näme"]);
    const r = FileStore.open(opts, "we!rd/näme");
    assert.equal(r.getMsg(1).data.toString(), "1");
    r.delete();
    assert.deepEqual(listStreamNames(opts.storeDir, "A/../b c"), []);
  });

  test("emptied blocks are removed; purge and compact leave one block", async () => {
    const opts = newOpts();
    const s = populate(opts, 300);
    const before = blockFiles(opts).length;
    assert.ok(before > 10);
    s.compact(250);
    await unlinked();
    const left = blockFiles(opts).length;
    assert.ok(left <= Math.ceil(before / 6) + 1, `${left} of ${before} blocks left after compact`);
    assert.ok(!fs.existsSync(path.join(streamPath(opts), "msgs", "1.blk")));
    s.purge();
    await unlinked();
    assert.equal(blockFiles(opts).length, 1);
    s.append("again", null, b("x"));
    s.stop();
    const r = FileStore.open(opts, "S");
    assert.deepEqual([r.state().first_seq, r.state().last_seq, r.state().msgs], [301, 301, 1]);
    r.stop();
  });

  test("KV pattern: emptied interior blocks are cut down, disk use stays bounded, state survives", async () => {
    const opts = newOpts({ blockSize: 2048 });
    const s = FileStore.create(opts, meta({ max_msgs_per_subject: 1 }));
    s.append("kv.cold", null, b("kept forever"));
    s.append("kv.warm", null, b("kept too"));
    s.flushPending();
    const sizes = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 1500; i++) {
        s.append(`kv.hot.${i % 3}`, null, b(`value-${round}-${i}`));
        if (i % 10 === 0) s.flushPending();
      }
      s.flushPending();
      await unlinked();
      sizes.push(fs.readdirSync(path.join(streamPath(opts), "msgs")).reduce((n, f) => n + fs.statSync(path.join(streamPath(opts), "msgs", f)).size, 0));
    }
    assert.ok(sizes[3] <= sizes[0] * 1.5, `disk use grows: ${sizes}`);
    assert.ok(blockFiles(opts).length < 20, `${blockFiles(opts).length} block files`);
    const msgs = storeContents(s);
    assert.equal(msgs.size, 5);
    s.stop();
    const r = FileStore.open(opts, "S");
    assert.deepEqual(storeContents(r), msgs);
    assert.equal(r.getLastBySubject("kv.cold").data.toString(), "kept forever");
    assert.equal(r.getLastBySubject("kv.hot.2").data.toString(), "value-3-1499");
    r.deleteMsg(1, false);
    r.stop();
    const again = FileStore.open(opts, "S");
    assert.equal(again.state().msgs, 4);
    assert.equal(again.getLastBySubject("kv.warm").data.toString(), "kept too");
    again.stop();
  });

  test("snapshot restores into a new FileStore at the original sequences", () => {
    const opts = newOpts();
    const s = populate(opts, 60);
    s.deleteMsg(10, false);
    s.compact(5);
    const c = s.consumerStore("dur");
    c.setMeta({ config: { durable_name: "dur" }, created: "t" });
    c.update({ delivered: { consumer_seq: 3, stream_seq: 9 }, ack_floor: { consumer_seq: 1, stream_seq: 6 }, pending: new Map([[9, { sequence: 3, ts: 5 }]]), redelivered: new Map() });
    s.flushPending();
    const snap = s.snapshot();
    const state = s.state();
    const msgs = storeContents(s);
    s.delete();
    const opts2 = newOpts();
    const r = restoreSnapshot(snap, (m) => FileStore.create(opts2, m));
    r.stop();
    const again = FileStore.open(opts2, "S");
    assert.deepEqual(again.state(), state);
    assert.deepEqual(storeContents(again), msgs);
    assert.equal(again.consumerStore("dur").state().delivered.stream_seq, 9);
    again.stop();
  });
});

test("a consumer state that shrinks is written over the larger old one and read back exactly", () => {
  const opts = newOpts();
  const s = FileStore.create(opts, meta());
  const c = s.consumerStore("dur");
  c.setMeta({ config: { durable_name: "dur" }, created: "t" });
  const big = new Map();
  for (let i = 1; i <= 500; i++) big.set(i, { sequence: i, ts: i * 1000 });
  for (let k = 0; k < 2; k++) {
    c.update({ delivered: { consumer_seq: 500, stream_seq: 500 }, ack_floor: { consumer_seq: 0, stream_seq: 0 }, pending: big, redelivered: new Map() });
    s.flushPending();
  }
  const small = { delivered: { consumer_seq: 500, stream_seq: 500 }, ack_floor: { consumer_seq: 499, stream_seq: 499 }, pending: new Map([[500, { sequence: 500, ts: 7 }]]), redelivered: new Map([[500, 2]]) };
  for (let k = 0; k < 2; k++) {
    c.update(small);
    s.flushPending();
  }
  s.stop();
  const r = FileStore.open(opts, "S");
  assert.deepEqual(r.consumerStore("dur").state(), small);
  r.stop();
});

describe("torn tail", () => {
  for (const cut of [1, 5, 20]) {
    // Records of these messages are 40-50 bytes: every cut leaves the sequence field readable.
    test(`a last record cut ${cut} bytes short is dropped and the file truncated`, () => {
      const opts = newOpts({ blockSize: 1 << 20 });
      const s = populate(opts, 10);
      s.stop();
      const [blk] = blockFiles(opts);
      const size = fs.statSync(blk).size;
      fs.truncateSync(blk, size - cut);
      const r = FileStore.open(opts, "S");
      assert.equal(r.state().msgs, 9);
      // The cut record still shows its sequence: it is not handed out again.
      assert.equal(r.state().last_seq, 10);
      const left = fs.readFileSync(blk);
      const scan = scanBlock(left, left.length);
      assert.ok(!scan.damaged && scan.end === left.length, "the partial record is gone from the file");
      assert.equal(r.append("n", null, b("new")), 11);
      r.stop();
      const again = FileStore.open(opts, "S");
      assert.equal(again.getMsg(11).data.toString(), "new");
      assert.equal(again.state().msgs, 10);
      again.stop();
    });
  }

  test("garbage after the last record is cut off", () => {
    const opts = newOpts({ blockSize: 1 << 20 });
    const s = populate(opts, 10);
    const msgs = storeContents(s);
    s.stop();
    const [blk] = blockFiles(opts);
    fs.appendFileSync(blk, Buffer.concat([Buffer.alloc(100), Buffer.from("garbage garbage garbage garbage garbage")]));
    const r = FileStore.open(opts, "S");
    assert.deepEqual(storeContents(r), msgs);
    assert.equal(r.append("n", null, b("after")), 12, "one sequence reserved for what the damage may have hidden");
    r.stop();
    const again = FileStore.open(opts, "S");
    assert.equal(again.getMsg(12).data.toString(), "after");
    again.stop();
  });
});

describe("one flipped bit at a time", () => {
  test("in every byte of a sealed block (with index) and of the active block", () => {
    const opts = newOpts({ blockSize: 900 });
    const s = populate(opts, 24);
    const original = storeContents(s);
    s.stop();
    const files = blockFiles(opts);
    assert.ok(files.length >= 2);
    const pristine = path.join(root, `pristine${dirNo++}`);
    copyDir(opts.storeDir, pristine);
    for (const which of [0, files.length - 1]) {
      const rel = path.relative(opts.storeDir, files[which]);
      const size = fs.statSync(files[which]).size;
      for (let at = 0; at < size; at++) {
        copyDir(pristine, opts.storeDir);
        const file = path.join(opts.storeDir, rel);
        const buf = fs.readFileSync(file);
        buf[at] ^= 1 << at % 8;
        fs.writeFileSync(file, buf);
        checkDamaged(opts, original, 1, `block ${which} byte ${at}`);
      }
    }
  });

  test("in blocks holding tombstones and first-sequence records: deleted messages stay deleted", () => {
    const opts = newOpts({ blockSize: 700 });
    const s = populate(opts, 30);
    for (const q of [3, 9, 14, 22, 29]) s.deleteMsg(q, q % 2 === 0);
    s.purge({ filter: "sub.1" });
    s.compact(6);
    for (let i = 0; i < 4; i++) s.append("tail", null, b(`t${i}`));
    s.flushPending();
    s.deleteMsg(32, false);
    const original = storeContents(s);
    const lastSeq = s.state().last_seq;
    s.stop();
    const pristine = path.join(root, `pristine${dirNo++}`);
    copyDir(opts.storeDir, pristine);
    const files = blockFiles(opts);
    for (const which of [0, files.length - 1]) {
      const rel = path.relative(opts.storeDir, files[which]);
      const size = fs.statSync(files[which]).size;
      for (let at = 0; at < size; at++) {
        copyDir(pristine, opts.storeDir);
        const file = path.join(opts.storeDir, rel);
        const buf = fs.readFileSync(file);
        buf[at] ^= 0x80 >> at % 8;
        fs.writeFileSync(file, buf);
        checkDamaged(opts, original, 1, `block ${which} byte ${at}`, lastSeq);
      }
    }
  });

  test("in the meta files: either copy, or both (config recovered from the blocks)", () => {
    const opts = newOpts({ blockSize: 600 });
    const s = populate(opts, 30);
    s.updateMeta(meta({ max_msgs: 100, description: "updated" }));
    const original = storeContents(s);
    s.stop();
    const pristine = path.join(root, `pristine${dirNo++}`);
    copyDir(opts.storeDir, pristine);
    const metaA = path.join(streamPath(opts), "meta.A");
    const metaB = path.join(streamPath(opts), "meta.B");
    const size = fs.statSync(metaA).size;
    for (let at = 0; at < size; at++) {
      for (const files of [[metaA], [metaB], [metaA, metaB]]) {
        copyDir(pristine, opts.storeDir);
        for (const f of files) {
          const buf = fs.readFileSync(f);
          buf[at] ^= 0x20;
          fs.writeFileSync(f, buf);
        }
        const r = FileStore.open(opts, "S");
        assert.deepEqual(r.meta(), meta({ max_msgs: 100, description: "updated" }), `meta byte ${at} of ${files.length} copies`);
        assert.deepEqual(storeContents(r), original);
        r.stop();
        for (const f of [metaA, metaB]) assert.ok(decodeSlot(fs.readFileSync(f)), `meta byte ${at}: ${path.basename(f)} repaired`);
      }
    }
    copyDir(pristine, opts.storeDir);
    fs.rmSync(metaA);
    fs.rmSync(metaB);
    const r = FileStore.open(opts, "S");
    assert.equal(r.meta().config.description, "updated");
    r.stop();
    assert.ok(fs.existsSync(metaA), "meta rewritten after recovery from blocks");
  });

  test("in the consumer state and meta files: the consumer survives with a state it really had", () => {
    const opts = newOpts();
    const s = populate(opts, 5);
    const c = s.consumerStore("dur");
    c.setMeta({ config: { durable_name: "dur" }, created: "t" });
    const states = [];
    for (let k = 1; k <= 4; k++) {
      const st = { delivered: { consumer_seq: k, stream_seq: k }, ack_floor: { consumer_seq: k - 1, stream_seq: k - 1 }, pending: new Map([[k, { sequence: k, ts: k * 1000 }]]), redelivered: new Map([[k, 1]]) };
      states.push(JSON.stringify([st.delivered, st.ack_floor, [...st.pending], [...st.redelivered]]));
      c.update(st);
      c.flushPending();
    }
    s.stop();
    const pristine = path.join(root, `pristine${dirNo++}`);
    copyDir(opts.storeDir, pristine);
    const cdir = path.join(streamPath(opts), "obs", "dur");
    for (const name of ["state.A", "state.B", "meta.A"]) {
      const size = fs.statSync(path.join(cdir, name)).size;
      for (let at = 0; at < size; at++) {
        copyDir(pristine, opts.storeDir);
        const f = path.join(cdir, name);
        const buf = fs.readFileSync(f);
        buf[at] ^= 0x01;
        fs.writeFileSync(f, buf);
        const r = FileStore.open(opts, "S");
        const rc = r.consumerStore("dur");
        const st = rc.state();
        assert.ok(st !== null, `${name} byte ${at}: state lost`);
        const enc = JSON.stringify([st.delivered, st.ack_floor, [...st.pending], [...st.redelivered]]);
        assert.ok(enc === states[3] || enc === states[2], `${name} byte ${at}: state never stored: ${enc}`);
        assert.deepEqual(rc.meta(), { config: { durable_name: "dur" }, created: "t" });
        r.stop();
      }
    }
  });
});

describe("failed writes", () => {
  function failingIo() {
    const ctl = { fail: null, calls: 0 };
    const io = {
      writeSync(fd, buf, off, len, pos) {
        ctl.calls++;
        if (ctl.fail === "ENOSPC-half") {
          const n = Math.max(1, len >> 1);
          fs.writeSync(fd, buf, off, n, pos);
          ctl.fail = "ENOSPC";
          return n;
        }
        if (ctl.fail === "ENOSPC" || ctl.fail === "EIO") throw Object.assign(new Error(ctl.fail), { code: ctl.fail });
        return fs.writeSync(fd, buf, off, len, pos);
      },
      fsyncSync(fd) {
        if (ctl.fail === "EIO-fsync") throw Object.assign(new Error("EIO"), { code: "EIO" });
        fs.fsyncSync(fd);
      },
    };
    return { ctl, io };
  }

  for (const mode of ["ENOSPC", "EIO", "ENOSPC-half", "EIO-fsync"]) {
    test(`${mode}: flushPending throws write_failed and rolls the batch back`, () => {
      const { ctl, io } = failingIo();
      const opts = newOpts({ io, syncAlways: mode === "EIO-fsync", blockSize: 1 << 20 });
      const s = FileStore.create(opts, meta({ max_msgs: 8 }));
      for (let i = 1; i <= 10; i++) s.append(`k.${i % 2}`, null, b(`v${i}`));
      s.flushPending();
      const state = s.state({ deleted: true });
      const msgs = storeContents(s);
      const lastK1 = s.lastSeqForSubject("k.1");
      ctl.fail = mode;
      for (let i = 0; i < 5; i++) s.append(`k.1`, null, b(`lost${i}`));
      assert.equal(s.state().last_seq, 15);
      assert.throws(
        () => s.flushPending(),
        (e) => e.code === "write_failed" && e.errno === (mode.startsWith("EIO") ? "EIO" : "ENOSPC"),
      );
      assert.deepEqual(s.state({ deleted: true }), state, "state rolled back, including messages removed by max_msgs");
      assert.deepEqual(storeContents(s), msgs);
      assert.equal(s.lastSeqForSubject("k.1"), lastK1);
      assert.equal(s.numPending(1, "k.1", false), 4);
      if (mode !== "EIO-fsync") {
        assert.throws(() => s.deleteMsg(5, false), (e) => e.code === "write_failed");
        assert.equal(s.getMsg(5).data.toString(), "v5");
        assert.throws(() => s.purge(), (e) => e.code === "write_failed");
        assert.equal(s.state().msgs, 8);
        ctl.fail = null;
        assert.throws(() => s.flushPending(), (e) => e.code === "write_failed", "the end of the turn reports the failure");
      }
      ctl.fail = null;
      assert.equal(s.append("k.0", null, b("ok")), 11);
      s.flushPending();
      s.stop();
      const r = FileStore.open(opts, "S");
      const after = storeContents(r);
      assert.equal(r.state().last_seq, 11);
      assert.equal(r.getMsg(11).data.toString(), "ok");
      for (const v of after.values()) assert.ok(!v.includes("lost"), "a rolled-back message came back");
      assert.equal(r.state().msgs, 8);
      r.stop();
    });
  }

  test("a write failure inside deleteMsg voids the turn's appends for the stream's flushPending too", () => {
    const { ctl, io } = failingIo();
    const opts = newOpts({ io, blockSize: 1 << 20 });
    const s = FileStore.create(opts, meta());
    for (let i = 1; i <= 5; i++) s.append("a", null, b(`v${i}`));
    s.flushPending();
    s.append("a", null, b("pending"));
    ctl.fail = "ENOSPC";
    assert.throws(() => s.deleteMsg(2, false), (e) => e.code === "write_failed");
    ctl.fail = null;
    assert.equal(s.append("a", null, b("after")), 6, "the rolled-back sequence is reused");
    assert.throws(() => s.flushPending(), (e) => e.code === "write_failed", "the stream learns the turn failed");
    assert.deepEqual([s.state().msgs, s.state().last_seq], [5, 5]);
    assert.equal(s.append("a", null, b("next")), 6);
    s.flushPending();
    s.stop();
    const r = FileStore.open(opts, "S");
    assert.deepEqual([...storeContents(r).values()].map((v) => v.split("|")[2]), ["v1", "v2", "v3", "v4", "v5", "next"]);
    r.stop();
  });

  test("a store dir that cannot be created, or a first write that fails, answers write_failed and leaves nothing", () => {
    const file = path.join(root, `plain-file-${dirNo++}`);
    fs.writeFileSync(file, "not a directory");
    assert.throws(() => FileStore.create({ storeDir: file, account: "ACC" }, meta()), (e) => e.code === "write_failed" && e.errno === "ENOTDIR");
    const opts = newOpts({ io: { writeSync: () => { throw Object.assign(new Error("full"), { code: "ENOSPC" }); } } });
    assert.throws(() => FileStore.create(opts, meta()), (e) => e.code === "write_failed" && e.errno === "ENOSPC");
    assert.ok(!fs.existsSync(streamPath(opts)));
  });

  test("a failing meta write refuses the update and keeps the old config", () => {
    const opts = newOpts({
      io: {
        writeFileSync(file, data) {
          if (file.includes("meta.")) throw Object.assign(new Error("nospace"), { code: "ENOSPC" });
          fs.writeFileSync(file, data);
        },
      },
    });
    const s = FileStore.create({ ...opts, io: undefined }, meta());
    s.stop();
    const r = FileStore.open(opts, "S");
    assert.throws(() => r.updateMeta(meta({ max_msgs: 1 })), (e) => e.code === "write_failed" && e.errno === "ENOSPC");
    assert.deepEqual(r.meta(), meta());
    r.stop();
  });
});

describe("sync policy", () => {
  test("sync_interval fsyncs asynchronously on a timer; sync_always fsyncs in every flush", async () => {
    const counts = { async: 0, sync: 0 };
    const io = {
      fsync: (fd, done) => {
        counts.async++;
        fs.fsync(fd, done);
      },
      fsyncSync: (fd) => {
        counts.sync++;
        fs.fsyncSync(fd);
      },
    };
    const s = FileStore.create(newOpts({ io, syncIntervalMs: 20 }), meta());
    s.append("a", null, b("1"));
    s.flushPending();
    assert.equal(counts.sync, 0, "no fsync on the event loop with sync_interval");
    for (let i = 0; i < 300 && counts.async < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(counts.async >= 3, `${counts.async} timed fsyncs`);
    assert.equal(counts.sync, 0, "none of them on the event loop");
    s.stop();
    const a = FileStore.create(newOpts({ io, syncAlways: true }), meta());
    counts.sync = 0;
    for (let i = 0; i < 3; i++) {
      a.append("a", null, b("1"));
      a.flushPending();
    }
    assert.equal(counts.sync, 3);
    a.stop();
  });
});
