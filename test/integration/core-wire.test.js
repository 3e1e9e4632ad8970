// Core protocol on the wire, with raw sockets against an embedded tsnats:
// INFO, verbose +OK, every -ERR and whether it closes, PING/PONG, split
// frames, many ops per chunk, HMSG and header stripping, close reasons
// (as /connz?state=closed reports them), slow consumers.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { RawClient } from "../helpers/raw-client.js";
import { startServer, withServer, waitUntil } from "../helpers/server.js";

const OFF = `CONNECT {"verbose":false,"pedantic":false}\r\n`;
const HDRS = `CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n`;

/** The close reason tsnats recorded for client `cid` (waits for the close to be noticed). */
async function closeReason(s, cid) {
  const c = await waitUntil(() => [...s.server.closedClients].find((x) => x.cid === cid), 2000, `closed client ${cid}`);
  return c.closeReason;
}

describe("core protocol on the wire", () => {
  let s;
  const clients = [];
  /** Open a raw client (closed after the suite). */
  async function open(srv = s) {
    const c = await RawClient.open(srv.port);
    clients.push(c);
    return c;
  }

  before(async () => {
    s = await startServer();
  });
  // Each test's connections go away with it: no test sees another's subscriptions.
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(async () => {
    await s.shutdown();
  });

  test("INFO: fields, types and the trailing blank before CRLF", async () => {
    const c = await open();
    assert.match(c.data, /^INFO \{[^\r\n]*\} \r\n$/);
    const info = c.info();
    assert.match(info.server_id, /^N[A-Z2-7]{55}$/, "server_id is a server nkey");
    assert.equal(typeof info.server_name, "string");
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    assert.equal(info.proto, 1);
    assert.equal(info.headers, true);
    assert.equal(info.max_payload, 1024 * 1024);
    assert.equal(info.host, "127.0.0.1");
    assert.equal(info.port, s.port);
    assert.equal(info.client_ip, "127.0.0.1");
    assert.equal(typeof info.client_id, "number");
    const d = await open();
    assert.ok(d.info().client_id > info.client_id, "client ids increase");
    assert.equal(d.info().server_id, info.server_id);
  });

  test("INFO reflects configured max_payload and header support", async () => {
    await withServer({ maxPayload: 4096, noHeaderSupport: true }, async (t) => {
      const c = await RawClient.open(t.port);
      try {
        assert.equal(c.info().max_payload, 4096);
        assert.equal(c.info().headers, false);
      } finally {
        c.close();
      }
    });
  });

  test("PING/PONG, also before CONNECT", async () => {
    const c = await open();
    c.send("PING\r\n");
    await c.waitFor("PONG\r\n");
    c.send(OFF + "PING\r\nPING\r\n");
    await c.waitFor(() => c.count("PONG\r\n") === 3);
    assert.equal(c.afterInfo(), "PONG\r\nPONG\r\nPONG\r\n");
  });

  test("verbose: +OK after CONNECT, SUB, PUB and UNSUB", async () => {
    const c = await open();
    c.send(`CONNECT {"verbose":true,"pedantic":false}\r\nSUB v 1\r\nPUB v 2\r\nhi\r\nUNSUB 1\r\nPING\r\n`);
    await c.waitFor("PONG\r\n");
    assert.equal(c.afterInfo(), "+OK\r\n+OK\r\n+OK\r\nMSG v 1 2\r\nhi\r\n+OK\r\nPONG\r\n");
  });

  test("verbose and pedantic are on until CONNECT turns them off (Go's defaults)", async () => {
    const c = await open();
    c.send("SUB d 1\r\nPUB d.* 0\r\n\r\nPING\r\n");
    await c.waitFor("PONG\r\n");
    assert.equal(c.afterInfo(), "+OK\r\n-ERR 'Invalid Publish Subject'\r\n+OK\r\nPONG\r\n");
  });

  test("-ERR 'Unknown Protocol Operation' closes (Protocol Violation)", async () => {
    const c = await open();
    c.send(OFF + "PING\r\nFOO BAR\r\n");
    await c.waitClosed();
    assert.equal(c.afterInfo(), "PONG\r\n-ERR 'Unknown Protocol Operation'\r\n");
    assert.equal(await closeReason(s, c.info().client_id), "Protocol Violation");
  });

  test("-ERR 'Maximum Payload Violation' closes (Maximum Message Payload Exceeded)", async () => {
    const c = await open();
    c.send(OFF + "PUB foo 1048577\r\n");
    await c.waitClosed();
    assert.equal(c.afterInfo(), "-ERR 'Maximum Payload Violation'\r\n");
    assert.equal(await closeReason(s, c.info().client_id), "Maximum Message Payload Exceeded");
  });

  test("a payload of exactly max_payload is accepted", async () => {
    const c = await open();
    const payload = "m".repeat(1024 * 1024);
    c.send(OFF + `SUB big 1\r\nPUB big ${payload.length}\r\n${payload}\r\nPING\r\n`);
    await c.waitFor(() => c.data.endsWith("PONG\r\n"), 5000);
    assert.equal(c.afterInfo(), `MSG big 1 ${payload.length}\r\n${payload}\r\nPONG\r\n`);
  });

  test("-ERR 'maximum control line exceeded' (Go's lower-case text) closes", async () => {
    const c = await open();
    c.send(OFF + `SUB ${"a".repeat(5000)} 1\r\n`);
    await c.waitClosed();
    assert.equal(c.afterInfo(), "-ERR 'maximum control line exceeded'\r\n");
    assert.equal(await closeReason(s, c.info().client_id), "Maximum Control Line Exceeded");
  });

  test("-ERR 'Invalid Subject' keeps the connection", async () => {
    const c = await open();
    c.send(OFF + "SUB foo..bar 1\r\nSUB foo.>.bar 2\r\nSUB ok 3\r\nPUB ok 1\r\nx\r\nPING\r\n");
    await c.waitFor("PONG\r\n");
    assert.equal(c.afterInfo(), "-ERR 'Invalid Subject'\r\n-ERR 'Invalid Subject'\r\nMSG ok 3 1\r\nx\r\nPONG\r\n");
    assert.equal(c.closed, false);
  });

  test("-ERR 'Invalid Publish Subject' in pedantic mode; the message is still delivered", async () => {
    const c = await open();
    c.send(`CONNECT {"verbose":false,"pedantic":true}\r\nSUB > 1\r\nPUB a.* 1\r\nx\r\nPUB a.b 1\r\ny\r\nPING\r\n`);
    await c.waitFor("PONG\r\n");
    assert.equal(c.afterInfo(), "-ERR 'Invalid Publish Subject'\r\nMSG a.* 1 1\r\nx\r\nMSG a.b 1 1\r\ny\r\nPONG\r\n");
  });

  test("-ERR 'no responders requires headers support' closes", async () => {
    const c = await open();
    c.send(`CONNECT {"verbose":false,"no_responders":true}\r\n`);
    await c.waitClosed();
    assert.equal(c.afterInfo(), "-ERR 'no responders requires headers support'\r\n");
    assert.equal(await closeReason(s, c.info().client_id), "No Responders Requires Headers");
  });

  test("no responders: a 503 HMSG to the requester's reply subscription", async () => {
    const c = await open();
    c.send(`CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\nSUB _INBOX.x 7\r\nPUB nobody.home _INBOX.x 0\r\n\r\nPING\r\n`);
    await c.waitFor("PONG\r\n");
    assert.equal(c.afterInfo(), "HMSG _INBOX.x 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\nPONG\r\n");
  });

  test("-ERR 'invalid client protocol' closes (Bad Client Protocol Version)", async () => {
    const c = await open();
    c.send(`CONNECT {"verbose":false,"protocol":2}\r\n`);
    await c.waitClosed();
    assert.equal(c.afterInfo(), "-ERR 'invalid client protocol'\r\n");
    assert.equal(await closeReason(s, c.info().client_id), "Bad Client Protocol Version");
  });

  test("bad arguments close silently", async () => {
    for (const bad of ["PUB foo\r\n", "SUB foo\r\n", "UNSUB 1 2 3\r\n", "PUB foo bar baz 1\r\n", `CONNECT {"verbose":\r\n`]) {
      const c = await open();
      c.send(OFF + bad);
      await c.waitClosed();
      assert.equal(c.afterInfo(), "", JSON.stringify(bad));
      assert.equal(await closeReason(s, c.info().client_id), "Protocol Violation");
    }
  });

  test("a client's -ERR closes it silently (Parse Error)", async () => {
    const c = await open();
    c.send(OFF + "-ERR 'whatever'\r\n");
    await c.waitClosed();
    assert.equal(c.afterInfo(), "");
    assert.equal(await closeReason(s, c.info().client_id), "Parse Error");
  });

  test("HPUB without headers in CONNECT closes silently", async () => {
    const c = await open();
    c.send(OFF + "HPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\n");
    await c.waitClosed();
    assert.equal(c.afterInfo(), "");
  });

  test("a PUB arriving one byte at a time is delivered once, intact", async () => {
    const sub = await open();
    sub.send(OFF + "SUB split 1\r\nPING\r\n");
    await sub.waitFor("PONG\r\n");
    const pub = await open();
    await pub.sendSlowly(OFF + "PUB split reply.to 12\r\nhello\r\nworld\r\nPING\r\n", 0);
    await pub.waitFor("PONG\r\n");
    await sub.ping();
    assert.equal(sub.afterInfo(), "PONG\r\nMSG split 1 reply.to 12\r\nhello\r\nworld\r\nPONG\r\n");
  });

  test("many ops in one chunk", async () => {
    const c = await open();
    let script = OFF + "SUB many.* 1\r\n";
    let want = "";
    for (let i = 0; i < 1000; i++) {
      script += `PUB many.${i} ${String(i).length}\r\n${i}\r\n`;
      want += `MSG many.${i} 1 ${String(i).length}\r\n${i}\r\n`;
    }
    c.send(script + "PING\r\n");
    await c.waitFor("PONG\r\n", 5000);
    assert.equal(c.afterInfo(), want + "PONG\r\n");
  });

  test("HMSG to a headers subscriber; the payload only (MSG) to one without headers", async () => {
    const withH = await open();
    const without = await open();
    withH.send(HDRS + "SUB h 1\r\nPING\r\n");
    without.send(OFF + "SUB h 2\r\nPING\r\n");
    await withH.waitFor("PONG\r\n");
    await without.waitFor("PONG\r\n");
    const pub = await open();
    const hdr = "NATS/1.0\r\nX-Key: v\r\n\r\n";
    pub.send(HDRS + `HPUB h rep ${hdr.length} ${hdr.length + 5}\r\n${hdr}hello\r\nPING\r\n`);
    await pub.waitFor("PONG\r\n");
    await withH.ping();
    await without.ping();
    assert.equal(withH.afterInfo(), `PONG\r\nHMSG h 1 rep ${hdr.length} ${hdr.length + 5}\r\n${hdr}hello\r\nPONG\r\n`);
    assert.equal(without.afterInfo(), "PONG\r\nMSG h 2 rep 5\r\nhello\r\nPONG\r\n");
  });

  test("auto-unsubscribe after N and queue delivery to exactly one member", async () => {
    const c = await open();
    c.send(OFF + "SUB au 1\r\nUNSUB 1 2\r\nSUB qq grp 2\r\nSUB qq grp 3\r\n");
    for (let i = 0; i < 3; i++) c.send(`PUB au 1\r\n${i}\r\n`);
    for (let i = 0; i < 10; i++) c.send(`PUB qq 1\r\n${i}\r\n`);
    await c.ping();
    const got = c.afterInfo();
    assert.equal((got.match(/MSG au 1 1/g) ?? []).length, 2);
    assert.equal((got.match(/MSG qq [23] 1/g) ?? []).length, 10);
  });

  test("close reason 'Client Closed' when the client goes away", async () => {
    const c = await open();
    c.send(OFF + "PING\r\n");
    await c.waitFor("PONG\r\n");
    c.close();
    assert.equal(await closeReason(s, c.info().client_id), "Client Closed");
  });
});

describe("limits that need their own server", () => {
  test("-ERR 'maximum connections exceeded': INFO, then the error, then close", async () => {
    await withServer({ maxConnections: 1 }, async (s) => {
      const first = await RawClient.open(s.port);
      const second = await RawClient.connect(s.port);
      try {
        await second.waitClosed();
        assert.match(second.data, /^INFO \{.*\} \r\n-ERR 'maximum connections exceeded'\r\n$/);
        assert.equal(await closeReason(s, second.info().client_id), "Maximum Connections Exceeded");
        // The first one is unaffected.
        first.send(OFF + "PING\r\n");
        await first.waitFor("PONG\r\n");
      } finally {
        first.close();
        second.close();
      }
    });
  });

  test("-ERR 'maximum subscriptions exceeded' keeps the connection; the refused SUB gets nothing", async () => {
    await withServer({ maxSubscriptions: 2 }, async (s) => {
      const c = await RawClient.open(s.port);
      try {
        c.send(OFF + "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPUB c 1\r\nx\r\nPUB a 1\r\ny\r\nPING\r\n");
        await c.waitFor("PONG\r\n");
        assert.equal(c.afterInfo(), "-ERR 'maximum subscriptions exceeded'\r\nMSG a 1 1\r\ny\r\nPONG\r\n");
        // After an UNSUB there is room again.
        c.send("UNSUB 2\r\nSUB c 3\r\nPUB c 1\r\nz\r\nPING\r\n");
        await c.waitFor(() => c.count("PONG") === 2);
        assert.ok(c.data.endsWith("MSG c 3 1\r\nz\r\nPONG\r\n"));
      } finally {
        c.close();
      }
    });
  });

  test("-ERR 'Stale Connection' when PINGs go unanswered", async () => {
    await withServer({ pingInterval: 100, pingMax: 1 }, async (s) => {
      const c = await RawClient.open(s.port);
      try {
        c.send(OFF);
        await c.waitClosed(3000);
        assert.equal(c.afterInfo(), "PING\r\n-ERR 'Stale Connection'\r\n");
        assert.equal(await closeReason(s, c.info().client_id), "Stale Connection");
      } finally {
        c.close();
      }
    });
  });

  test("a client answering PINGs is not stale", async () => {
    // Unanswered, pingMax 2 would close it at the third timer (~300 ms); answered it survives 6.
    await withServer({ pingInterval: 100, pingMax: 2 }, async (s) => {
      const c = await RawClient.open(s.port);
      c.socket.on("data", (d) => {
        if (d.includes("PING\r\n")) c.send("PONG\r\n");
      });
      try {
        c.send(OFF);
        await waitUntil(() => c.count("PING\r\n") >= 6, 5000, "6 server PINGs");
        assert.equal(c.closed, false);
      } finally {
        c.close();
      }
    });
  });

  test("'Slow Consumer (Pending Bytes)': a subscriber that does not read is cut off, others keep receiving", async () => {
    await withServer({ maxPending: 256 * 1024 }, async (s) => {
      // The stalled subscriber: subscribes, then stops reading.
      const slow = await RawClient.open(s.port);
      slow.send(OFF + "SUB flood 1\r\nPING\r\n");
      await slow.waitFor("PONG\r\n");
      slow.socket.pause();
      const slowCid = slow.info().client_id;

      // A healthy subscriber counting bytes (no string building: megabytes arrive).
      const payload = Buffer.alloc(16 * 1024, "f");
      const frame = `MSG flood 1 ${payload.length}\r\n`.length + payload.length + 2;
      const good = net.connect({ port: s.port, host: "127.0.0.1" });
      let received = -1; // bytes after the PONG that confirms the SUB
      let waiter = null;
      good.on("data", (d) => {
        if (received < 0) {
          const i = d.indexOf("PONG\r\n");
          if (i < 0) return;
          received = d.length - (i + 6);
        } else {
          received += d.length;
        }
        if (waiter && received >= waiter.n) waiter.resolve();
      });
      const untilReceived = (n) =>
        new Promise((resolve, reject) => {
          if (received >= n) return resolve();
          const timer = setTimeout(() => reject(new Error(`healthy subscriber got ${received} of ${n} bytes`)), 5000);
          waiter = { n, resolve: () => (clearTimeout(timer), (waiter = null), resolve()) };
        });
      good.write(OFF + "SUB flood 1\r\nPING\r\n");
      await waitUntil(() => received >= 0, 2000, "healthy subscriber ready");
      const goodCid = [...s.server.clients.keys()].at(-1);

      const pub = await RawClient.open(s.port);
      pub.send(OFF);
      const pubMsg = Buffer.concat([Buffer.from(`PUB flood ${payload.length}\r\n`), payload, Buffer.from("\r\n")]);
      const batch = Buffer.concat(Array(50).fill(pubMsg));
      const slowClosed = () => [...s.server.closedClients].some((c) => c.cid === slowCid);
      try {
        // Publish in batches the healthy subscriber keeps up with, until the stalled one is cut off, then a bit more.
        let sent = 0;
        let after = 0;
        while (after < 4 && sent < 5000) {
          pub.send(batch);
          sent += 50;
          await untilReceived(sent * frame);
          if (slowClosed()) after++;
        }
        assert.equal(await closeReason(s, slowCid), "Slow Consumer (Pending Bytes)");
        assert.equal(received, sent * frame, "the healthy subscriber got every message");
        assert.ok(s.server.clients.has(goodCid), "the healthy subscriber is still connected");
        assert.ok(s.server.slowConsumers >= 1);
        // The publisher is fine too.
        await pub.ping(5000);
      } finally {
        good.destroy();
        slow.close();
        pub.close();
      }
    });
  });
});
