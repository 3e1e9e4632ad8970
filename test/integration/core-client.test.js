// Core pub/sub with the real NATS client (@nats-io/transport-node v3)
// against an embedded tsnats: connect, pub/sub, wildcards, queue groups,
// request/reply, headers, no responders, auto-unsubscribe, echo, drain,
// flush, max payload, reconnect after a restart.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, headers, errors } from "@nats-io/transport-node";
import { RawClient } from "../helpers/raw-client.js";
import { startServer, waitUntil, sleep, withTimeout } from "../helpers/server.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Collect `n` messages of `sub` (resolves with them), failing after `ms`. */
function collect(sub, n, ms = 3000) {
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${n} messages on ${sub.getSubject()}`)), ms);
    (async () => {
      for await (const m of sub) {
        got.push(m);
        if (got.length === n) break;
      }
      clearTimeout(timer);
      resolve(got);
    })().catch(reject);
  });
}

describe("core client", () => {
  let s;
  const conns = [];
  async function client(opts = {}) {
    const nc = await connect({ servers: s.url, ...opts });
    conns.push(nc);
    return nc;
  }

  before(async () => {
    s = await startServer();
  });
  after(async () => {
    for (const nc of conns) if (!nc.isClosed()) await nc.close();
    await s.shutdown();
  });

  test("connect: the client sees the server's INFO", async () => {
    const nc = await client();
    assert.match(nc.info.server_id, /^N[A-Z2-7]{55}$/);
    assert.equal(nc.info.proto, 1);
    assert.equal(nc.info.headers, true);
    assert.equal(nc.info.max_payload, 1024 * 1024);
    assert.equal(nc.getServer(), `127.0.0.1:${s.port}`);
    const rtt = await nc.rtt();
    assert.ok(rtt >= 0);
  });

  test("publish/subscribe: payloads arrive in order", async () => {
    const nc = await client();
    const sub = nc.subscribe("ps.order");
    const p = collect(sub, 100);
    for (let i = 0; i < 100; i++) nc.publish("ps.order", enc.encode(`m${i}`));
    const msgs = await p;
    assert.deepEqual(
      msgs.map((m) => dec.decode(m.data)),
      Array.from({ length: 100 }, (_, i) => `m${i}`),
    );
  });

  test("messages cross connections; flush makes a SUB effective on the server", async () => {
    const a = await client();
    const b = await client();
    const before = s.server.globalAccount.sublist.size;
    const sub = a.subscribe("x.conn");
    await a.flush();
    assert.equal(s.server.globalAccount.sublist.size, before + 1);
    const p = collect(sub, 1);
    b.publish("x.conn", enc.encode("from b"));
    const [m] = await p;
    assert.equal(dec.decode(m.data), "from b");
    assert.equal(m.subject, "x.conn");
  });

  test("wildcards: `*` and `>`", async () => {
    const nc = await client();
    const star = nc.subscribe("wc.*");
    const gt = nc.subscribe("wc.>");
    await nc.flush();
    const ps = collect(star, 1);
    const pg = collect(gt, 2);
    nc.publish("wc.a.b", enc.encode("deep"));
    nc.publish("wc.a", enc.encode("one"));
    const [s1] = await ps;
    const g = await pg;
    assert.equal(s1.subject, "wc.a");
    assert.deepEqual(g.map((m) => m.subject), ["wc.a.b", "wc.a"]);
  });

  test("queue group: every member gets a share, each message goes to exactly one member", async () => {
    const members = await Promise.all([client(), client(), client()]);
    const got = members.map(() => []);
    const subs = members.map((nc, i) =>
      nc.subscribe("q.work", {
        queue: "workers",
        callback: (err, m) => {
          if (!err) got[i].push(dec.decode(m.data));
        },
      }),
    );
    await Promise.all(members.map((nc) => nc.flush()));
    // A plain subscriber beside the group sees every message.
    const pub = await client();
    const all = pub.subscribe("q.work");
    await pub.flush();
    const pAll = collect(all, 300);
    for (let i = 0; i < 300; i++) pub.publish("q.work", enc.encode(String(i)));
    await pAll;
    await Promise.all(members.map((nc) => nc.flush()));
    await waitUntil(() => got.flat().length >= 300, 2000, "300 queue deliveries");
    const flat = got.flat();
    assert.equal(flat.length, 300);
    assert.equal(new Set(flat).size, 300, "no message delivered twice");
    for (const g of got) assert.ok(g.length > 30, `each member gets a share (${got.map((x) => x.length)})`);
    for (const sub of subs) sub.unsubscribe();
  });

  test("request/reply", async () => {
    const svc = await client();
    svc.subscribe("svc.echo", { callback: (_e, m) => m.respond(enc.encode(`echo:${dec.decode(m.data)}`)) });
    await svc.flush();
    const nc = await client();
    const r = await nc.request("svc.echo", enc.encode("hi"), { timeout: 2000 });
    assert.equal(dec.decode(r.data), "echo:hi");
    // Many concurrent requests share the client's mux inbox.
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => nc.request("svc.echo", enc.encode(String(i)), { timeout: 2000 })));
    assert.deepEqual(
      rs.map((m) => dec.decode(m.data)),
      Array.from({ length: 50 }, (_, i) => `echo:${i}`),
    );
  });

  test("headers round trip (and a reply subject with them)", async () => {
    const nc = await client();
    const sub = nc.subscribe("hdr.rt");
    await nc.flush();
    const p = collect(sub, 1);
    const h = headers();
    h.set("X-One", "1");
    h.append("X-Multi", "a");
    h.append("X-Multi", "b");
    nc.publish("hdr.rt", enc.encode("body"), { headers: h, reply: "hdr.reply" });
    const [m] = await p;
    assert.equal(dec.decode(m.data), "body");
    assert.equal(m.reply, "hdr.reply");
    assert.equal(m.headers.get("X-One"), "1");
    assert.deepEqual(m.headers.values("X-Multi"), ["a", "b"]);
  });

  test("no responders: a request nobody serves fails at once with NoRespondersError", async () => {
    const nc = await client();
    const t0 = Date.now();
    await assert.rejects(nc.request("nobody.listens", enc.encode("?"), { timeout: 5000 }), (e) => {
      assert.ok(e instanceof errors.RequestError, `got ${e?.name}: ${e?.message}`);
      assert.equal(e.isNoResponders(), true);
      return true;
    });
    assert.ok(Date.now() - t0 < 2000, "not a timeout");
  });

  test("auto-unsubscribe after N ({max: N})", async () => {
    const nc = await client();
    const before = s.server.globalAccount.sublist.size;
    const sub = nc.subscribe("au.n", { max: 3 });
    await nc.flush();
    for (let i = 0; i < 10; i++) nc.publish("au.n", enc.encode(String(i)));
    const got = [];
    for await (const m of sub) got.push(dec.decode(m.data));
    assert.deepEqual(got, ["0", "1", "2"]);
    assert.equal(sub.getReceived(), 3);
    await nc.flush();
    // The server removed it as well (it delivered no more than 3).
    await waitUntil(() => s.server.globalAccount.sublist.size === before, 2000, "server-side auto-unsubscribe");
  });

  test("echo: false suppresses a connection's own messages only", async () => {
    const quiet = await client({ noEcho: true });
    const other = await client();
    const sub = quiet.subscribe("echo.t");
    await quiet.flush();
    const p = collect(sub, 1);
    quiet.publish("echo.t", enc.encode("mine"));
    await quiet.flush();
    other.publish("echo.t", enc.encode("theirs"));
    const [m] = await p;
    assert.equal(dec.decode(m.data), "theirs");
    await other.flush();
    await quiet.flush();
    assert.equal(sub.getReceived(), 1);
  });

  test("drain: pending messages are processed, then the connection closes", async () => {
    const nc = await connect({ servers: s.url });
    const pub = await client();
    let n = 0;
    nc.subscribe("drain.t", {
      callback: () => {
        n++;
      },
    });
    await nc.flush();
    for (let i = 0; i < 1000; i++) pub.publish("drain.t", enc.encode(String(i)));
    await pub.flush();
    await nc.drain();
    assert.equal(n, 1000);
    assert.equal(nc.isClosed(), true);
    await nc.closed();
  });

  test("a 1 MB payload is accepted and delivered intact", async () => {
    const nc = await client();
    const sub = nc.subscribe("big.one");
    await nc.flush();
    const p = collect(sub, 1, 5000);
    const data = new Uint8Array(1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    nc.publish("big.one", data);
    const [m] = await p;
    assert.equal(m.data.length, data.length);
    assert.ok(Buffer.from(m.data).equals(Buffer.from(data)));
  });

  test("a payload over max_payload is refused: locally by the client, and by the server with 'Maximum Payload Violation'", async () => {
    const nc = await client({ reconnect: false });
    // nats.js checks INFO's max_payload before sending.
    assert.throws(() => nc.publish("big.two", new Uint8Array(1024 * 1024 + 1)), /max_payload/);
    // Make the client believe the limit is higher, so the PUB reaches the server.
    nc.protocol.info.max_payload = 8 * 1024 * 1024;
    const errorStatus = (async () => {
      for await (const st of nc.status()) if (st.type === "error") return st.error;
    })();
    nc.publish("big.two", new Uint8Array(1024 * 1024 + 1));
    const err = await errorStatus;
    assert.ok(err instanceof errors.ProtocolError, `got ${err?.name}`);
    assert.equal(err.message, "Maximum Payload Violation");
    // The server closed the connection (the client, still writing the
    // payload, may see that as EPIPE rather than as the -ERR).
    const closedWith = await nc.closed();
    assert.ok(closedWith instanceof Error);
    assert.equal(nc.isClosed(), true);
    await waitUntil(() => [...s.server.closedClients].some((c) => c.closeReason === "Maximum Message Payload Exceeded"), 2000, "server-side close");
    // (test/integration/core-wire.test.js sends the same oversize PUB over a raw socket.)
  });
});

describe("reconnect", () => {
  test("the client reconnects when the server restarts on the same port, and its subscriptions come back", async () => {
    let s = await startServer();
    const port = s.port;
    const nc = await connect({ servers: s.url, reconnectTimeWait: 100, maxReconnectAttempts: -1, reconnectJitter: 0 });
    try {
      const got = [];
      nc.subscribe("re.sub", { callback: (_e, m) => got.push(dec.decode(m.data)) });
      await nc.flush();
      const events = [];
      const reconnected = (async () => {
        for await (const st of nc.status()) {
          events.push(st.type);
          if (st.type === "reconnect") return;
        }
      })();
      await s.shutdown();
      await sleep(200);
      s = await startServer({ port });
      await withTimeout(reconnected, 5000, "reconnect");
      assert.ok(events.includes("disconnect"));
      await nc.flush();
      // The subscription was replayed to the new server.
      assert.equal([...s.server.globalAccount.sublist.all()].filter((x) => x.target.kind === 0).length, 1);
      // Messages from another client reach it.
      const raw = await RawClient.open(port);
      raw.send(`CONNECT {"verbose":false}\r\nPUB re.sub 5\r\nagain\r\nPING\r\n`);
      await raw.waitFor("PONG");
      raw.close();
      await waitUntil(() => got.length === 1, 2000, "message after reconnect");
      assert.deepEqual(got, ["again"]);
    } finally {
      await nc.close();
      await s.shutdown();
    }
  });
});
