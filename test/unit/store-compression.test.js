// FileStore with `compression: s2`: sealed blocks are compressed in the
// background (zlib frames), and everything keeps working on them: reads,
// restart with and without indexes, erase in place, compaction of emptied
// blocks, purge, snapshot, a compression switched on by a config update, and
// flipped bytes in a compressed block (never altered data, at most one
// frame's messages lost, the stream survives).
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { FileStore, restoreSnapshot } from "../../dist/jetstream/store/index.js";
import { inflateBlock, isCompressedHead } from "../../dist/jetstream/store/block-compression.js";
import { blockFiles, storeContents, streamPath } from "../helpers/store-files.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "store-cmp-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let dirNo = 0;

const newOpts = (extra = {}) => ({ storeDir: path.join(root, `d${dirNo++}`), account: "ACC", blockSize: 4096, ...extra });
const meta = (cfg = {}) => ({ config: { name: "S", compression: "s2", ...cfg }, created: "2026-01-01T00:00:00Z" });
const b = (s) => Buffer.from(s);
const compressed = (file) => {
  const buf = fs.readFileSync(file);
  return isCompressedHead(buf, buf.length);
};

function populate(s, n, from = 1) {
  for (let i = from; i < from + n; i++) {
    s.append(`sub.${i % 4}`, i % 3 === 0 ? b(`NATS/1.0\r\nI: ${i}\r\n\r\n`) : null, b(`payload-${String(i).padStart(5, "0")}-${"compressible ".repeat(6)}`));
    if (i % 5 === 0) s.flushPending();
  }
  s.flushPending();
}

describe("compressed blocks", () => {
  test("sealed blocks are compressed in the background; reads, restart with and without indexes see the same messages", async () => {
    const opts = newOpts();
    const s = FileStore.create(opts, meta());
    populate(s, 400);
    const before = storeContents(s);
    const state = s.state({ deleted: true });
    await s.compressionIdle();
    const files = blockFiles(opts);
    assert.ok(files.length > 10, `${files.length} blocks`);
    const sealed = files.slice(0, -1);
    assert.ok(sealed.every(compressed), "every sealed block is compressed");
    assert.ok(!compressed(files.at(-1)), "the active block is not");
    const sizes = sealed.map((f) => fs.statSync(f).size);
    assert.ok(Math.max(...sizes) < 4096 / 2, `compressed sizes ${sizes}`);
    assert.deepEqual(storeContents(s), before, "reads of compressed blocks in the running store");
    s.stop();
    const reopen = (label) => {
      const r = FileStore.open(opts, "S");
      assert.deepEqual(r.state({ deleted: true }), state, label);
      assert.deepEqual(storeContents(r), before, label);
      r.stop();
    };
    reopen("with indexes");
    for (const f of fs.readdirSync(path.join(streamPath(opts), "msgs")).filter((f) => f.endsWith(".idx"))) fs.rmSync(path.join(streamPath(opts), "msgs", f));
    reopen("without indexes");
    reopen("indexes rebuilt");
  });

  test("compression none: blocks stay raw", async () => {
    const opts = newOpts();
    const s = FileStore.create(opts, meta({ compression: "none" }));
    populate(s, 100);
    await s.compressionIdle();
    assert.ok(blockFiles(opts).every((f) => !compressed(f)));
    s.stop();
  });

  test("compression switched on by an update compresses the sealed blocks; switched off, new blocks stay raw", async () => {
    const opts = newOpts();
    const s = FileStore.create(opts, meta({ compression: "none" }));
    populate(s, 100);
    const n = blockFiles(opts).length;
    s.updateMeta(meta());
    await s.compressionIdle();
    assert.ok(blockFiles(opts).slice(0, n - 1).every(compressed));
    s.updateMeta(meta({ compression: "none" }));
    populate(s, 100, 101);
    await s.compressionIdle();
    assert.ok(!compressed(blockFiles(opts).at(-2)), "sealed after compression was switched off");
    const msgs = storeContents(s);
    s.stop();
    const r = FileStore.open(opts, "S");
    assert.deepEqual(storeContents(r), msgs);
    r.stop();
  });

  test("blocks sealed but not yet compressed at a stop are compressed after the restart", async () => {
    const opts = newOpts();
    const s = FileStore.create(opts, meta());
    populate(s, 200);
    const msgs = storeContents(s);
    s.stop();
    const r = FileStore.open(opts, "S");
    await r.compressionIdle();
    assert.ok(blockFiles(opts).slice(0, -1).every(compressed));
    assert.deepEqual(storeContents(r), msgs);
    r.stop();
    assert.ok(!fs.readdirSync(path.join(streamPath(opts), "msgs")).some((f) => f.endsWith(".tmp")), "no temporary files left");
  });

  test("erase in a compressed block overwrites the bytes; deletes, purge and compaction work", async () => {
    const opts = newOpts();
    const s = FileStore.create(opts, meta());
    for (let i = 1; i <= 150; i++) {
      s.append("e", null, b(`SECRET-${String(i).padStart(3, "0")}-${"z".repeat(40)}`));
      if (i % 5 === 0) s.flushPending();
    }
    s.flushPending();
    await s.compressionIdle();
    assert.ok(compressed(blockFiles(opts)[1]));
    s.deleteMsg(40, true);
    s.deleteMsg(41, false);
    await s.compressionIdle();
    const plain = blockFiles(opts)
      .map((f) => {
        const buf = fs.readFileSync(f);
        return (isCompressedHead(buf, buf.length) ? inflateBlock(buf) : buf).toString("latin1");
      })
      .join("");
    assert.ok(!plain.includes("SECRET-040"), "erased payload still in a compressed block");
    assert.ok(plain.includes("SECRET-041"), "no_erase keeps the bytes");
    assert.equal(s.getMsg(39).data.toString().slice(0, 10), "SECRET-039", "neighbours of the erased record still read");
    s.purge({ seq: 100 });
    assert.equal(s.state().first_seq, 100);
    const msgs = storeContents(s);
    s.stop();
    await new Promise((r) => setTimeout(r, 50));
    const r = FileStore.open(opts, "S");
    assert.deepEqual(storeContents(r), msgs);
    assert.equal(r.getMsg(40), null);
    r.stop();
  });

  test("KV pattern on compressed blocks: emptied interior blocks are compacted, the survivors read back", async () => {
    const opts = newOpts({ blockSize: 2048 });
    const s = FileStore.create(opts, meta({ max_msgs_per_subject: 1 }));
    s.append("kv.cold", null, b("kept forever"));
    s.flushPending();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 600; i++) {
        s.append(`kv.hot.${i % 3}`, null, b(`value-${round}-${i}-${"v".repeat(30)}`));
        if (i % 10 === 0) s.flushPending();
      }
      s.flushPending();
      await s.compressionIdle();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(blockFiles(opts).length < 20, `${blockFiles(opts).length} block files`);
    const msgs = storeContents(s);
    assert.equal(msgs.size, 4);
    s.stop();
    const r = FileStore.open(opts, "S");
    assert.deepEqual(storeContents(r), msgs);
    assert.equal(r.getLastBySubject("kv.cold").data.toString(), "kept forever");
    r.stop();
  });

  test("snapshot of a compressed stream restores into a new store", async () => {
    const opts = newOpts();
    const s = FileStore.create(opts, meta());
    populate(s, 120);
    await s.compressionIdle();
    const snap = s.snapshot();
    const msgs = storeContents(s);
    s.delete();
    const opts2 = newOpts();
    const r = restoreSnapshot(snap, (m) => FileStore.create(opts2, m));
    assert.deepEqual(storeContents(r), msgs);
    assert.equal(r.meta().config.compression, "s2");
    r.stop();
  });

  test("an incompressible payload still round-trips", async () => {
    const opts = newOpts();
    const s = FileStore.create(opts, meta());
    const random = [];
    for (let i = 0; i < 20; i++) {
      random.push(Buffer.from(zlib.deflateRawSync(Buffer.from(`${i}`.repeat(3000))).toString("base64") + Math.random()));
      s.append("r", null, random[i]);
      s.flushPending();
    }
    await s.compressionIdle();
    s.stop();
    const r = FileStore.open(opts, "S");
    for (let i = 0; i < 20; i++) assert.deepEqual(r.getMsg(i + 1).data, random[i]);
    r.stop();
  });
});

describe("damage in compressed blocks", () => {
  test("flipped bytes: never altered data, at most one frame's messages lost, the stream survives", async () => {
    const opts = newOpts({ blockSize: 200 * 1024 });
    const s = FileStore.create(opts, meta());
    for (let i = 1; i <= 4000; i++) {
      s.append(`sub.${i % 7}`, null, b(`payload-${i}-${Math.sin(i).toFixed(6)}-${"y".repeat(i % 50)}`));
      if (i % 100 === 0) s.flushPending();
    }
    s.flushPending();
    await s.compressionIdle();
    const original = storeContents(s);
    s.stop();
    const files = blockFiles(opts);
    assert.ok(files.length >= 2 && compressed(files[0]));
    const pristine = path.join(root, `pristine${dirNo++}`);
    fs.cpSync(opts.storeDir, pristine, { recursive: true });
    const rel = path.relative(opts.storeDir, files[0]);
    const size = fs.statSync(files[0]).size;
    // About 64 KiB of ~80-byte records per frame.
    const perFrame = 1000;
    let worst = 0;
    for (const withIndex of [true, false]) {
      for (let at = 0; at < size; at += Math.max(1, Math.floor(size / 60))) {
        fs.rmSync(opts.storeDir, { recursive: true, force: true });
        fs.cpSync(pristine, opts.storeDir, { recursive: true });
        const file = path.join(opts.storeDir, rel);
        if (!withIndex) fs.rmSync(file.replace(/blk$/, "idx"));
        const buf = fs.readFileSync(file);
        buf[at] ^= 1 << at % 8;
        fs.writeFileSync(file, buf);
        const r = FileStore.open(opts, "S");
        try {
          const got = storeContents(r);
          for (const [q, v] of got) assert.equal(v, original.get(q), `byte ${at}: altered message at ${q}`);
          const lost = original.size - got.size;
          assert.ok(lost <= perFrame, `byte ${at} (index ${withIndex}): lost ${lost}`);
          worst = Math.max(worst, lost);
          assert.equal(r.state().msgs, got.size);
          assert.ok(r.append("after", null, b("x")) > 4000);
          r.flushPending();
        } finally {
          r.stop();
        }
      }
    }
    assert.ok(worst > 0 && worst < original.size / 3, `flips hit compressed data (worst loss ${worst})`);
  });
});
