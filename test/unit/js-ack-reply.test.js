// Ack reply subjects of consumer deliveries: built with the exact integer of
// the stored timestamp, parsed back by scanning (parseAckTail).
import { test } from "node:test";
import assert from "node:assert/strict";
import { AckReplyBuilder, ackPrefix, parseAckTail } from "../../dist/jetstream/consumer/ack-reply.js";

test("timestamps are written as the exact integer value of the double, for every range", () => {
  const b = new AckReplyBuilder(ackPrefix("S", "C"));
  const now = Math.floor(Date.now() * 1e6);
  const samples = [0, 1, 999999999, 1e9, 2 ** 53 - 1, 2 ** 53, 2 ** 59 + 4096, 2 ** 60, 2 ** 61 - 256, 2 ** 61, 2 ** 62 + 2048, now];
  for (let i = 0; i < 200000; i++) samples.push(now + i * 256 * 7919, 2 ** 60 + i * 256 * 104729);
  for (const ts of samples) {
    b.build(1, 5, 7, ts, 3);
    assert.equal(b.text(), `$JS.ACK.S.C.1.5.7.${BigInt(ts)}.3`);
    assert.equal(b.length, b.text().length);
  }
});

test("a built reply parses back to its numbers", () => {
  const prefix = ackPrefix("ORDERS", "dur");
  const b = new AckReplyBuilder(prefix);
  const out = { deliveryCount: 0, streamSeq: 0, consumerSeq: 0 };
  b.build(3, 123456, 789, Math.floor(Date.now() * 1e6), 42);
  assert.ok(parseAckTail(b.text(), prefix.length, out));
  assert.deepEqual(out, { deliveryCount: 3, streamSeq: 123456, consumerSeq: 789 });
  // Sequences past 2^31 and up to 2^53 are written exactly.
  for (const big of [2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 9007199254740991]) {
    b.build(1, big, big - 1, 0, big);
    assert.equal(b.text(), `${prefix}1.${big}.${big - 1}.0.${big}`);
  }
  for (const bad of [`${prefix}1.2.3.4`, `${prefix}1.2.3.4.5.6`, `${prefix}1.2.x.4.5`, `${prefix}1..3.4.5`, `${prefix}`]) {
    assert.equal(parseAckTail(bad, prefix.length, out), false, bad);
  }
});
