// Hot-path unit tests: the parser's single-pass PUB fast path and its subject
// cache, OutboundBuffer framing and buffer hand-off, and delivery while
// subscriptions change (auto-unsubscribe in the middle of a fan-out).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClientProtocolParser } from "../../dist/protocol/parser.js";
import { OutboundBuffer } from "../../dist/server/outbound-buffer.js";
import { deliverMessage } from "../../dist/server/delivery.js";
import { Account } from "../../dist/accounts/account.js";
import { Subscription } from "../../dist/server/subscription.js";
import { recorder } from "../helpers/parser-recorder.js";

test("fast path: PUB with and without reply, tabs and extra blanks, many in one chunk", () => {
  const { parser, ops } = recorder();
  parser.parse(Buffer.from("PUB a 2\r\nhi\r\npub b r 3\r\nabc\r\nPUB\tc \t 0\r\n\r\nPUB d  1 \r\nx\r\n"));
  assert.deepEqual(ops, [
    ["pub", "a", undefined, -1, "hi"],
    ["pub", "b", "r", -1, "abc"],
    ["pub", "c", undefined, -1, ""],
    ["pub", "d", undefined, -1, "x"],
  ]);
});

test("fast path: every split point of a PUB stream gives the same ops", () => {
  const wire = Buffer.from("PUB foo.bar reply.to 5\r\nhello\r\nPUB foo.bar 3\r\nabc\r\nPING\r\n");
  const { parser: whole, ops: expected } = recorder();
  whole.parse(wire);
  for (let cut = 1; cut < wire.length; cut++) {
    const { parser, ops } = recorder();
    parser.parse(wire.subarray(0, cut));
    parser.parse(wire.subarray(cut));
    assert.deepEqual(ops, expected, `split at ${cut}`);
  }
});

test("payload straddling many chunks is reassembled exactly", () => {
  const payload = Buffer.alloc(200_000);
  for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
  const wire = Buffer.concat([Buffer.from(`PUB big ${payload.length}\r\n`), payload, Buffer.from("\r\nPUB small 1\r\nz\r\n")]);
  const got = [];
  const parser = new ClientProtocolParser(
    {
      onPub: (s, r, h, buf, start, size) => got.push([s, Buffer.from(buf.subarray(start, start + size))]),
      onSub() {}, onUnsub() {}, onPing() {}, onPong() {}, onConnect() {},
      onParseError: (e) => assert.fail(`parse error ${e}`),
      onMaxPayload: () => assert.fail("max payload"),
    },
    4096,
  );
  parser.maxPayload = 1024 * 1024;
  for (let i = 0; i < wire.length; i += 7919) parser.parse(wire.subarray(i, Math.min(i + 7919, wire.length)));
  assert.equal(got.length, 2);
  assert.equal(got[0][0], "big");
  assert.ok(got[0][1].equals(payload));
  assert.equal(got[1][1].toString(), "z");
});

test("subject cache returns the identical string for equal bytes and never confuses subjects", () => {
  const { parser, ops } = recorder();
  // Many distinct subjects (more than the cache holds) interleaved with repeats.
  const subjects = Array.from({ length: 300 }, (_, i) => `s.${i}.x`);
  const parts = [];
  for (const s of subjects) parts.push(`PUB ${s} 1\r\na\r\nPUB s.1.x 1\r\nb\r\n`);
  parser.parse(Buffer.from(parts.join("")));
  assert.equal(ops.length, 600);
  for (let i = 0; i < 300; i++) {
    assert.equal(ops[2 * i][1], subjects[i]);
    assert.equal(ops[2 * i + 1][1], "s.1.x");
  }
});

test("oversized PUB is reported, not delivered, and stops parsing", () => {
  const { parser, ops } = recorder();
  parser.maxPayload = 10;
  parser.parse(Buffer.from("PUB a 11\r\n01234567890\r\nPUB a 1\r\nx\r\n"));
  assert.deepEqual(ops, [["maxpayload", 11]]);
});

test("OutboundBuffer encodes MSG and HMSG frames exactly", () => {
  const ob = new OutboundBuffer();
  const src = Buffer.from("xxNATS/1.0\r\n\r\nhelloyy");
  ob.appendMsg("foo", Buffer.from("7"), undefined, -1, src, 14, 5);
  ob.appendMsg("foo", Buffer.from("12"), "_INBOX.a", 12, src, 2, 17);
  const chunks = [];
  ob.flushTo({ write: (b) => chunks.push(Buffer.from(b)), writableLength: 0 });
  assert.equal(Buffer.concat(chunks).toString(), "MSG foo 7 5\r\nhello\r\nHMSG foo 12 _INBOX.a 12 17\r\nNATS/1.0\r\n\r\nhello\r\n");
  assert.equal(ob.len, 0);
});

test("OutboundBuffer never reuses a buffer the socket still holds", () => {
  const ob = new OutboundBuffer();
  const held = [];
  const socket = { write: (b) => held.push(b), writableLength: 1 };
  const src = Buffer.from("abc");
  ob.appendMsg("a", Buffer.from("1"), undefined, -1, src, 0, 3);
  ob.flushTo(socket);
  ob.appendMsg("b", Buffer.from("2"), undefined, -1, src, 0, 3);
  ob.flushTo(socket);
  assert.equal(held[0].toString(), "MSG a 1 3\r\nabc\r\n");
  assert.equal(held[1].toString(), "MSG b 2 3\r\nabc\r\n");
});

function fakeConn(name, echo = true) {
  const conn = {
    name,
    closed: false,
    echo,
    got: [],
    deliver(sub, subject, reply, hdrLen, buf, start, size) {
      this.got.push([sub.sid, subject, buf.toString("latin1", start, start + size)]);
      return true;
    },
    removeSub(sub) {
      sub.closed = true;
      account.sublist.remove(sub);
    },
  };
  return conn;
}
const account = new Account("$G");

test("fan-out with an auto-unsubscribe that expires mid-delivery", () => {
  const a = fakeConn("a");
  const b = fakeConn("b");
  const subs = [new Subscription(a, "fan.x", undefined, "1"), new Subscription(b, "fan.*", undefined, "2")];
  subs[0].max = 2;
  for (const s of subs) account.sublist.insert(s);
  const msg = Buffer.from("m");
  for (let i = 0; i < 4; i++) deliverMessage(account, null, "fan.x", undefined, -1, msg, 0, 1);
  assert.equal(a.got.length, 2, "max 2 honoured");
  assert.equal(b.got.length, 4, "the other subscriber keeps receiving");
  assert.equal(account.sublist.match("fan.x").psubs.length, 1, "expired sub removed from the trie");
  account.sublist.remove(subs[1]);
});

test("queue group: each message to exactly one member; echo=false publisher skipped", () => {
  const members = [fakeConn("q1"), fakeConn("q2"), fakeConn("q3", false)];
  const subs = members.map((c, i) => new Subscription(c, "work", "g", String(i)));
  for (const s of subs) account.sublist.insert(s);
  const msg = Buffer.from("j");
  for (let i = 0; i < 300; i++) assert.equal(deliverMessage(account, members[2], "work", undefined, -1, msg, 0, 1), 1);
  assert.equal(members[2].got.length, 0, "no echo to the publisher's own member");
  assert.equal(members[0].got.length + members[1].got.length, 300);
  assert.ok(members[0].got.length > 50 && members[1].got.length > 50, "both others share the load");
  for (const s of subs) account.sublist.remove(s);
});

test("many subscribers: 5000 subs on one subject all receive", () => {
  const conns = Array.from({ length: 5000 }, (_, i) => fakeConn(`c${i}`));
  const subs = conns.map((c, i) => new Subscription(c, "many", undefined, String(i)));
  for (const s of subs) account.sublist.insert(s);
  assert.equal(deliverMessage(account, null, "many", undefined, -1, Buffer.from("z"), 0, 1), 5000);
  assert.ok(conns.every((c) => c.got.length === 1));
  for (const s of subs) account.sublist.remove(s);
  assert.equal(deliverMessage(account, null, "many", undefined, -1, Buffer.from("z"), 0, 1), 0);
});
