#!/usr/bin/env node
// bench/selftest.js - offline checks of the load generator's parser (proto.js):
// every way of splitting a byte stream into reads gives the same counts, and
// lost / reordered / duplicated / wrong-size messages are reported.
//   node bench/selftest.js        (no server needed; exits 1 on failure)
import assert from 'node:assert/strict';
import { Reader, buildPubBatch, stampSeqs, warmUpReader } from './proto.js';

const SUBJ = 'bench.test';

// MSG frames as a subscriber with sid 1 would get them from publisher `pub`
function msgs(size, seqs, pub = 0, sid = 1) {
  const b = buildPubBatch(SUBJ, size, 1, pub);
  const hdr = Buffer.from(`MSG ${SUBJ} ${sid} ${size}\r\n`, 'latin1');
  const parts = [];
  for (const s of seqs) {
    const f = Buffer.from(b.buf);
    if (size >= 6) stampSeqs(f, 1, b.flen, b.payOff, s);
    parts.push(hdr, f.subarray(b.payOff));
  }
  return Buffer.concat(parts);
}

// feed `data` to a fresh subscriber Reader in reads of the given sizes
function feed(data, size, chunks, { pubs = 1, n = 1000, mode = 1, cap = 1 << 16 } = {}) {
  const r = new Reader(cap);
  r.expectSize = size;
  r.expectHeader(`MSG ${SUBJ} 1 ${size}\r\n`);
  r.checkSeq(mode, pubs, n, null);
  let pings = 0;
  r.onPing = () => pings++;
  let off = 0;
  let i = 0;
  while (off < data.length && r.error === null) {
    const want = Math.min(chunks[i++ % chunks.length], data.length - off);
    const dst = r.nextBuffer();
    const k = Math.min(want, dst.length);
    data.copy(dst, 0, off, off + k);
    off += k;
    r.onRead(k);
  }
  return { r, pings };
}

let checks = 0;
function check(name, fn) {
  fn();
  checks++;
  if (process.env.VERBOSE) console.log(`ok ${name}`);
}

check('warm-up', () => assert.ok(warmUpReader(`MSG ${SUBJ} 1 16\r\n`, 16, 1)));

for (const size of [0, 5, 16, 128, 1024, 70000]) {
  const n = size > 10000 ? 20 : 200;
  const seqs = [...Array(n).keys()];
  const data = Buffer.concat([Buffer.from('INFO {"max_payload":1048576}\r\nPING\r\n'), msgs(size, seqs), Buffer.from('PING\r\n+OK\r\n')]);
  for (const chunks of [[data.length], [1], [7], [13, 1, 64], [4096], [65536, 3]]) {
    if (chunks[0] === 1 && size > 2000) continue; // slow and adds nothing
    check(`size ${size} chunks ${chunks}`, () => {
      const { r, pings } = feed(data, size, chunks, { n, cap: size > 10000 ? 1 << 16 : 1 << 20 });
      assert.equal(r.error, null);
      assert.equal(r.msgs, n);
      assert.equal(pings, 2);
      assert.equal(r.sizeErrors, 0);
      assert.equal(r.outOfOrder + r.badSeq + r.dups, 0);
      if (size >= 6) assert.deepEqual([r.exp, r.unique], [[n], n]);
    });
  }
}

check('lost, reordered and duplicate messages are counted', () => {
  const data = msgs(16, [0, 1, 2, 5, 6, 4, 7, 7, 8]);
  for (const chunks of [[data.length], [3], [20]]) {
    const { r } = feed(data, 16, chunks, { n: 10 });
    assert.equal(r.msgs, 9);
    assert.equal(r.unique, 8); // 3 and 9 never came: 2 lost
    assert.equal(r.outOfOrder, 1); // 4 after 6
    assert.equal(r.dups, 1); // second 7
  }
});

check('two publishers are tracked separately', () => {
  const a = msgs(32, [0, 1, 2], 0);
  const b = msgs(32, [0, 1, 2], 1);
  const data = Buffer.concat([a.subarray(0, a.length / 3), b, a.subarray(a.length / 3)]);
  const { r } = feed(data, 32, [50], { pubs: 2 });
  assert.equal(r.msgs, 6);
  assert.equal(r.outOfOrder + r.badSeq + r.dups, 0);
  assert.deepEqual([r.exp, r.unique], [[3, 3], 6]);
});

check('queue member: gaps are fine, going back is not, duplicates across members are', () => {
  const bitmap = new Int32Array(new SharedArrayBuffer(64));
  const m1 = new Reader(1 << 16);
  const m2 = new Reader(1 << 16);
  for (const [r, seqs] of [
    [m1, [0, 2, 5, 4]],
    [m2, [1, 3, 5]],
  ]) {
    r.expectSize = 16;
    r.expectHeader(`MSG ${SUBJ} 1 16\r\n`);
    r.checkSeq(2, 1, 100, bitmap);
    const d = msgs(16, seqs);
    d.copy(r.nextBuffer());
    r.onRead(d.length);
  }
  assert.equal(m1.outOfOrder + m2.outOfOrder, 1); // 4 after 5 on m1
  assert.equal(m1.dups + m2.dups, 1); // 5 twice
  assert.equal(m1.unique + m2.unique, 6); // 0-5
});

check('other headers take the general path (sid, reply subject, size mismatch, HMSG)', () => {
  const data = Buffer.from(
    `MSG ${SUBJ} 9 reply.x 3\r\nabc\r\n` + `msg ${SUBJ}  1   16\r\n${'x'.repeat(16)}\r\n` + `HMSG ${SUBJ} 1 12 28\r\nNATS/1.0\r\n\r\n${'y'.repeat(16)}\r\n`,
    'latin1',
  );
  for (const chunks of [[data.length], [1], [5]]) {
    const r = new Reader(1 << 16);
    r.expectSize = 16;
    r.expectHeader(`MSG ${SUBJ} 1 16\r\n`);
    let off = 0;
    let i = 0;
    while (off < data.length) {
      const k = Math.min(chunks[i++ % chunks.length], data.length - off);
      data.copy(r.nextBuffer(), 0, off, off + k);
      off += k;
      r.onRead(k);
    }
    assert.equal(r.error, null);
    assert.equal(r.msgs, 3);
    assert.equal(r.sizeErrors, 1);
  }
});

check('whole frames with reply subjects reach onMsg (reqrep roles)', () => {
  const r = new Reader(1 << 16);
  r.needFull = true;
  const got = [];
  r.onMsg = (b, ss, se, rs, re, ps, sz) => got.push([b.toString('latin1', ss, se), b.toString('latin1', rs, re), b.toString('latin1', ps, ps + sz)]);
  const data = Buffer.from('MSG a.b 1 _INBOX.x.1 5\r\nhello\r\nMSG a.b 1 2\r\nhi\r\n', 'latin1');
  for (let k = 0; k < data.length; k++) {
    data.copy(r.nextBuffer(), 0, k, k + 1);
    r.onRead(1);
  }
  assert.deepEqual(got, [
    ['a.b', '_INBOX.x.1', 'hello'],
    ['a.b', '', 'hi'],
  ]);
});

check('protocol errors and -ERR stop the parser with the text', () => {
  for (const [text, re] of [
    ['-ERR \'Slow Consumer\'\r\n', /server error: -ERR 'Slow Consumer'/],
    ['MSG a 1 3\r\nabcd\r\n', /payload not followed by CRLF/],
    ['BOGUS\r\n', /unexpected protocol line/],
    ['MSG a 1\r\n', /bad MSG header/],
  ]) {
    const r = new Reader(1 << 16);
    let failed = null;
    r.onFail = (m) => (failed = m);
    const d = Buffer.from(text, 'latin1');
    d.copy(r.nextBuffer());
    r.onRead(d.length);
    assert.match(failed || '', re);
  }
});

console.log(`bench/selftest.js: ${checks} checks passed`);
