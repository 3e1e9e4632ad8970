// Bad input never crashes the server: seeded random garbage and mutated
// protocol streams, sent in random chunk sizes over many connections, leave
// the server serving a well-behaved client; the parser alone never throws.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RawClient } from "../helpers/raw-client.js";
import { withServer } from "../helpers/server.js";
import { recorder } from "../helpers/parser-recorder.js";

/** Small deterministic PRNG (mulberry32) so a failure can be replayed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = [
  'CONNECT {"verbose":true,"pedantic":true,"headers":true,"no_responders":true}\r\n',
  "SUB foo.* q 1\r\n",
  "SUB > 2\r\n",
  "PUB foo.bar 5\r\nhello\r\n",
  "PUB foo.bar _INBOX.x 3\r\nabc\r\n",
  "HPUB foo.h 12 14\r\nNATS/1.0\r\n\r\nhi\r\n",
  "UNSUB 1 3\r\n",
  "PING\r\n",
  "PONG\r\n",
];

/** A stream that starts valid and then gets bytes flipped, cut, duplicated or replaced. */
function mutatedStream(rand) {
  const parts = [];
  for (let i = 0; i < 20; i++) parts.push(VALID[Math.floor(rand() * VALID.length)]);
  const b = Buffer.from(parts.join(""), "latin1");
  const edits = 1 + Math.floor(rand() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * b.length);
    const kind = rand();
    if (kind < 0.5) b[at] = Math.floor(rand() * 256);
    else if (kind < 0.7) b[at] = 0x20;
    else if (kind < 0.85) b[at] = 0x0a;
    else b[at] = 0x39; // a digit: sizes grow
  }
  return b;
}

function randomBytes(rand, n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function chunks(rand, b) {
  const out = [];
  for (let i = 0; i < b.length; ) {
    const n = 1 + Math.floor(rand() * 64);
    out.push(b.subarray(i, i + n));
    i += n;
  }
  return out;
}

test("the parser never throws on random or mutated input", () => {
  const rand = prng(12345);
  for (let round = 0; round < 3000; round++) {
    const input = round % 2 === 0 ? mutatedStream(rand) : randomBytes(rand, 1 + Math.floor(rand() * 300));
    const { parser } = recorder({ maxControlLine: 256, maxPayload: 1024 });
    for (const c of chunks(rand, input)) parser.parse(c);
  }
});

test("the server survives garbage from many connections and keeps serving", { timeout: 60_000 }, async () => {
  await withServer({ maxControlLine: 512, maxPayload: 64 * 1024 }, async (s) => {
    const rand = prng(777);
    const senders = [];
    for (let k = 0; k < 40; k++) {
      senders.push(
        (async () => {
          const c = await RawClient.connect(s.port);
          const input = k % 3 === 0 ? randomBytes(rand, 2000) : mutatedStream(rand);
          for (const part of chunks(rand, input)) {
            if (c.closed) break;
            c.socket.write(part);
          }
          await new Promise((r) => setTimeout(r, 50));
          c.socket.destroy();
        })(),
      );
    }
    await Promise.all(senders);

    // A well-behaved client still gets full service.
    const ok = await RawClient.open(s.port);
    ok.send("CONNECT {}\r\nSUB after.fuzz 9\r\nPUB after.fuzz 2\r\nok\r\nPING\r\n");
    await ok.waitFor("PONG\r\n");
    assert.match(ok.data, /MSG after\.fuzz 9 2\r\nok\r\n/);
    ok.socket.destroy();
    assert.ok(s.server.closedClients.length > 0, "garbage connections were closed");
  });
});

test("a fault while handling one client's input drops that client only", async () => {
  await withServer({}, async (s) => {
    const sublist = s.server.globalAccount.sublist;
    const match = sublist.match.bind(sublist);
    // Simulate a bug reached by one subject.
    sublist.match = (subject) => {
      if (subject === "boom") throw new Error("simulated fault");
      return match(subject);
    };
    const victim = await RawClient.open(s.port);
    const other = await RawClient.open(s.port);
    other.send("CONNECT {}\r\nSUB fine 1\r\nPING\r\n");
    await other.waitFor("PONG\r\n");
    victim.send("CONNECT {}\r\nPUB boom 1\r\nx\r\n");
    const deadline = Date.now() + 2000;
    while (!victim.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(victim.closed, "the faulting client was closed");
    other.send("PUB fine 2\r\nok\r\nPING\r\n");
    await other.waitFor(/MSG fine 1 2\r\nok\r\nPONG\r\n/);
    const closed = [...s.server.closedClients].find((c) => c.cid === victim.info().client_id);
    assert.equal(closed?.closeReason, "Protocol Violation");
    other.socket.destroy();
  });
});
