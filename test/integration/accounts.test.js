// Accounts with the real client: isolation, stream imports (prefix, to,
// wildcards), service imports with each response type and the reply
// rewriting, restricted exports, latency metrics, account limits and the
// legacy CONNECT account fields.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, headers } from "@nats-io/transport-node";
import { RawClient } from "../helpers/raw-client.js";
import { sleep, waitUntil, withTimeout } from "../helpers/server.js";
import { optionsFromConf, startWithAccounts } from "../helpers/accounts.js";

const T = { timeout: 20000 };
const dec = new TextDecoder();

const CONF = `
accounts {
  A: {
    users: [{user: a, password: a}]
    exports: [
      {stream: "news.>"}
      {stream: "ev.*"}
      {stream: "priv.>", accounts: [B]}
      {service: "svc.echo"}
      {service: "svc.many", response: stream, threshold: "300ms"}
      {service: "svc.chunks", response: chunked}
      {service: "wild.*"}
      {service: "svc.lat", latency: {sampling: 100, subject: "lat.results"}}
      {service: "svc.traced", latency: {sampling: headers, subject: "lat.traced"}}
    ]
  }
  B: {
    users: [{user: b, password: b}]
    imports: [
      {stream: {account: A, subject: "news.>"}, prefix: "imp"}
      {stream: {account: A, subject: "ev.*"}, to: "in.*"}
      {stream: {account: A, subject: "priv.>"}}
      {service: {account: A, subject: "svc.echo"}, to: "echo"}
      {service: {account: A, subject: "svc.many"}}
      {service: {account: A, subject: "svc.chunks"}}
      {service: {account: A, subject: "wild.*"}, to: "req.*"}
      {service: {account: A, subject: "svc.lat"}}
      {service: {account: A, subject: "svc.traced"}}
    ]
  }
  C: {
    users: [{user: c, password: c}]
    imports: [ {stream: {account: A, subject: "news.sports"}, to: "sports"} ]
    limits: { max_connections: 1, max_subscriptions: 2, max_payload: 10 }
  }
}
`;

async function withAccounts(fn) {
  const s = await startWithAccounts(CONF);
  const conns = [];
  const as = async (user, opts = {}) => {
    const nc = await connect({ servers: s.url, user, pass: user, ...opts });
    conns.push(nc);
    return nc;
  };
  try {
    await fn(s, as);
  } finally {
    for (const nc of conns) await nc.close().catch(() => {});
    await s.shutdown();
  }
}

/** Collect the payloads a subscription receives. */
function collect(nc, subject) {
  const got = [];
  nc.subscribe(subject, { callback: (_e, m) => got.push({ subject: m.subject, data: dec.decode(m.data), msg: m }) });
  return got;
}

test("accounts are isolated: same subject, no crossing", T, async () => {
  await withAccounts(async (_s, as) => {
    const a = await as("a");
    const b = await as("b");
    const inA = collect(a, "x.>");
    const inB = collect(b, "x.>");
    await a.flush();
    await b.flush();
    a.publish("x.1", "from-a");
    b.publish("x.2", "from-b");
    await a.flush();
    await b.flush();
    await waitUntil(() => inA.length === 1 && inB.length === 1, 2000, "own messages");
    await sleep(50);
    assert.deepEqual(inA.map((m) => m.data), ["from-a"]);
    assert.deepEqual(inB.map((m) => m.data), ["from-b"]);
  });
});

test("stream imports: prefix, to, wildcard to, restricted export granted to B", T, async () => {
  await withAccounts(async (_s, as) => {
    const a = await as("a");
    const b = await as("b");
    const c = await as("c");
    const prefixed = collect(b, "imp.news.>");
    const mapped = collect(b, "in.*");
    const priv = collect(b, "priv.>");
    const sports = collect(c, "sports");
    const notPrefixed = collect(b, "news.>");
    for (const nc of [b, c]) await nc.flush();
    a.publish("news.sports", "goal");
    a.publish("ev.login", "who");
    a.publish("priv.x", "secret");
    await a.flush();
    await waitUntil(() => prefixed.length === 1 && mapped.length === 1 && priv.length === 1 && sports.length === 1, 2000, "imported messages");
    assert.equal(prefixed[0].subject, "imp.news.sports");
    assert.equal(mapped[0].subject, "in.login");
    assert.equal(priv[0].subject, "priv.x");
    assert.deepEqual([sports[0].subject, sports[0].data], ["sports", "goal"]);
    // B publishing on its own imp.* or news.* subjects does not reach A.
    const inA = collect(a, ">");
    await a.flush();
    b.publish("news.local", "b-only");
    await b.flush();
    await waitUntil(() => notPrefixed.length === 1, 2000, "B's own message");
    await sleep(50);
    assert.equal(inA.length, 0);
  });
});

test("restricted export: an account not listed is refused at startup with Go's error", () => {
  const bad = `accounts {
  A: { exports: [ {stream: "priv.>", accounts: [B]}, {service: "svc.x", accounts: [B]} ] }
  B: {}
  C: { imports: [ {stream: {account: A, subject: "priv.>"}}, {service: {account: A, subject: "svc.x"}} ] }
}`;
  assert.throws(
    () => optionsFromConf(bad),
    (e) => {
      assert.match(e.message, /server\.conf:1:\d+: Error adding stream import "priv\.>": stream import not authorized/);
      assert.match(e.message, /server\.conf:1:\d+: Error adding service import "svc\.x": service import not authorized/);
      return true;
    },
  );
});

test("service import: a requester in B gets the answer of a responder in A through _R_ and Nats-Request-Info", T, async () => {
  await withAccounts(async (s, as) => {
    const a = await as("a");
    const b = await as("b");
    let seen = null;
    a.subscribe("svc.echo", {
      callback: (_e, m) => {
        seen = { subject: m.subject, reply: m.reply, info: m.headers?.get("Nats-Request-Info"), custom: m.headers?.get("X-Mine") };
        m.respond(`echo:${dec.decode(m.data)}`);
      },
    });
    await a.flush();
    const h = headers();
    h.set("X-Mine", "kept");
    const r = await b.request("echo", "hi", { timeout: 2000, headers: h });
    assert.equal(r.string(), "echo:hi");
    assert.equal(seen.subject, "svc.echo");
    assert.match(seen.reply, /^_R_\.[0-9A-Za-z]{6}\.[0-9A-Za-z]{6}$/);
    assert.equal(seen.custom, "kept");
    const info = JSON.parse(seen.info);
    assert.equal(info.acc, "B");
    assert.equal(typeof info.rtt, "number");
    // Singleton: the response mapping is gone once answered.
    assert.equal(s.server.accounts.get("A").replies.pending.size, 0);
    // Wildcard service import: req.* in B is wild.* in A.
    a.subscribe("wild.*", { callback: (_e, m) => m.respond(m.subject) });
    await a.flush();
    assert.equal((await b.request("req.abc", "", { timeout: 2000 })).string(), "wild.abc");
  });
});

test("service response types: singleton takes one answer, stream many until the threshold, chunked until an empty message", T, async () => {
  await withAccounts(async (s, as) => {
    const a = await as("a");
    const b = await as("b");
    for (const subj of ["svc.echo", "svc.many"]) {
      a.subscribe(subj, {
        callback: (_e, m) => {
          for (let i = 1; i <= 3; i++) a.publish(m.reply, `${i}`);
        },
      });
    }
    a.subscribe("svc.chunks", {
      callback: (_e, m) => {
        a.publish(m.reply, "c1");
        a.publish(m.reply, "c2");
        a.publish(m.reply, "");
        a.publish(m.reply, "after-eof");
      },
    });
    await a.flush();
    const ask = async (subject) => {
      const inbox = `_INBOX.${subject}`;
      const got = collect(b, inbox);
      await b.flush();
      b.publish(subject, "q", { reply: inbox });
      await b.flush();
      await sleep(150);
      return got.map((m) => m.data);
    };
    assert.deepEqual(await ask("echo"), ["1"]);
    assert.deepEqual(await ask("svc.many"), ["1", "2", "3"]);
    const replies = s.server.accounts.get("A").replies;
    // The streamed request stays mapped until its 300ms threshold passes.
    assert.equal([...replies.pending.values()].filter((p) => p.import.from === "svc.many").length, 1);
    await waitUntil(() => replies.pending.size === 0, 3000, "response threshold expiry");
    assert.deepEqual(await ask("svc.chunks"), ["c1", "c2", ""]);
    assert.equal(replies.pending.size, 0, "chunked mapping ends at the empty message");
  });
});

test("service latency tracking publishes Go's latency metric in the exporting account", T, async () => {
  await withAccounts(async (_s, as) => {
    const a = await as("a", { name: "responder" });
    const b = await as("b");
    const metrics = collect(a, "lat.results");
    a.subscribe("svc.lat", { callback: (_e, m) => m.respond("ok") });
    await a.flush();
    assert.equal((await b.request("svc.lat", "x", { timeout: 2000 })).string(), "ok");
    await waitUntil(() => metrics.length === 1, 2000, "latency metric");
    const m = JSON.parse(metrics[0].data);
    assert.equal(m.type, "io.nats.server.metric.v1.service_latency");
    assert.equal(m.status, 200);
    assert.equal(m.requestor.acc, "B");
    assert.equal(m.responder.acc, "A");
    assert.equal(m.responder.name, "responder");
    assert.equal(m.responder.kind, "Client");
    for (const k of ["service", "system", "total"]) assert.equal(typeof m[k], "number", k);
    assert.ok(!Number.isNaN(Date.parse(m.start)));
    // sampling: headers — measured only when the request's trace header asks for it.
    const traced = collect(a, "lat.traced");
    a.subscribe("svc.traced", { callback: (_e, m) => m.respond("ok") });
    await a.flush();
    await b.request("svc.traced", "x", { timeout: 2000 });
    const h = headers();
    h.set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    await b.request("svc.traced", "x", { timeout: 2000, headers: h });
    await waitUntil(() => traced.length === 1, 2000, "traced latency metric");
    await sleep(50);
    assert.equal(traced.length, 1);
    assert.deepEqual(JSON.parse(traced[0].data).header, { Traceparent: ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"] });
  });
});

test("account limits: connections, subscriptions, payload, with Go's errors", T, async () => {
  await withAccounts(async (s, as) => {
    await as("c");
    await assert.rejects(connect({ servers: s.url, user: "c", pass: "c", reconnect: false }), /maximum account active connections exceeded/);
    const closed = [...s.server.closedClients].at(-1);
    assert.equal(closed.closeReason, "Maximum Account Connections Exceeded");
  });
  await withAccounts(async (s) => {
    const raw = await RawClient.open(s.port);
    raw.send('CONNECT {"verbose":false,"user":"c","pass":"c"}\r\nSUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n');
    await raw.waitFor("PONG");
    assert.match(raw.data, /-ERR 'maximum subscriptions exceeded'/);
    raw.send("PUB a 20\r\n01234567890123456789\r\n");
    await raw.waitFor("Maximum Payload Violation");
    await raw.waitClosed();
  });
});

test("CONNECT's account / new_account and bad credentials are authorization violations", T, async () => {
  await withAccounts(async (s) => {
    for (const c of ['{"user":"a","pass":"a","account":"B"}', '{"user":"a","pass":"a","new_account":true}', '{"user":"a","pass":"nope"}', "{}"]) {
      const raw = await RawClient.open(s.port);
      assert.equal(JSON.parse(raw.data.slice(5)).auth_required, true);
      raw.send(`CONNECT ${c}\r\nPING\r\n`);
      await raw.waitFor("-ERR 'Authorization Violation'");
      await raw.waitClosed();
    }
    assert.equal([...s.server.closedClients].at(-1).closeReason, "Authentication Failure");
  });
});

test("a service import chain B → A → back to B's export is cut at the repeated export", T, async () => {
  const s = await startWithAccounts(`accounts {
    A: { users: [{user: a, password: a}], exports: [{service: "x"}], imports: [{service: {account: B, subject: "y"}}] }
    B: { users: [{user: b, password: b}], exports: [{service: "y"}], imports: [{service: {account: A, subject: "x"}}] }
  }`);
  try {
    const a = await connect({ servers: s.url, user: "a", pass: "a" });
    const b = await connect({ servers: s.url, user: "b", pass: "b" });
    // A's responder on x forwards to y (imported from B), whose responder answers.
    a.subscribe("x", { callback: async (_e, m) => m.respond((await a.request("y", "", { timeout: 1000 })).data) });
    b.subscribe("y", { callback: (_e, m) => m.respond("from-y") });
    await a.flush();
    await b.flush();
    assert.equal((await withTimeout(b.request("x", "", { timeout: 2000 }), 3000, "chain")).string(), "from-y");
    await a.close();
    await b.close();
  } finally {
    await s.shutdown();
  }
});

test("embedding: accounts given like the config block; per-account subject mappings", T, async () => {
  const { startServer } = await import("../helpers/server.js");
  const s = await startServer({
    accounts: {
      A: { users: [{ user: "a", password: "a" }], mappings: { "m.in": "m.out" }, exports: [{ stream: "m.>" }] },
      B: { users: [{ user: "b", password: "b" }], imports: [{ stream: { account: "A", subject: "m.>" }, prefix: "a" }] },
    },
  });
  try {
    const a = await connect({ servers: s.url, user: "a", pass: "a" });
    const b = await connect({ servers: s.url, user: "b", pass: "b" });
    const inA = collect(a, "m.>");
    const inB = collect(b, "a.m.>");
    await a.flush();
    await b.flush();
    a.publish("m.in", "mapped");
    await a.flush();
    await waitUntil(() => inA.length === 1 && inB.length === 1, 2000, "mapped message");
    assert.equal(inA[0].subject, "m.out");
    assert.equal(inB[0].subject, "a.m.out");
    // B has no mapping of its own.
    const own = collect(b, "m.>");
    await b.flush();
    b.publish("m.in", "x");
    await b.flush();
    await waitUntil(() => own.length === 1, 2000, "B's own message");
    assert.equal(own[0].subject, "m.in");
    await a.close();
    await b.close();
  } finally {
    await s.shutdown();
  }
  await assert.rejects(startServer({ accounts: { A: { limits: { bogus: 1 } } } }), /accounts: Unknown field "bogus" parsing account limits/);
  await assert.rejects(startServer({ systemAccount: "NOPE" }), /error resolving system account: account missing/);
});
