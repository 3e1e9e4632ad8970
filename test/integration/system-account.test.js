// The system account with the real client: a user in $SYS subscribed to
// $SYS.> sees other accounts' CONNECT / DISCONNECT / SERVER.CONNS events and
// auth errors with Go's fields; the $SYS.REQ services answer in Go's
// envelope (server PING and by id, account services, USER.INFO from any
// account through the system imports); SHUTDOWN and LAMEDUCK are announced.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { sleep, waitUntil } from "../helpers/server.js";
import { startWithAccounts } from "../helpers/accounts.js";

const T = { timeout: 20000 };
const CONF = `
accounts {
  A: { users: [{user: a, password: a, permissions: {publish: ">", subscribe: ">"}}] }
  SYS: { users: [{user: sys, password: sys}] }
}
system_account: SYS
`;

async function withSys(fn, extra = {}) {
  const s = await startWithAccounts(CONF, extra);
  const sys = await connect({ servers: s.url, user: "sys", pass: "sys" });
  const events = [];
  sys.subscribe("$SYS.>", { callback: (_e, m) => events.push({ subject: m.subject, data: m.string() }) });
  await sys.flush();
  try {
    await fn(s, sys, events);
  } finally {
    await sys.close().catch(() => {});
    await s.shutdown();
  }
}

const find = (events, subject) => events.find((e) => e.subject === subject);
const json = (e) => JSON.parse(e.data);

function assertServerInfo(si, s) {
  assert.equal(si.id, s.server.serverId);
  assert.equal(si.name, s.server.serverName);
  assert.equal(typeof si.ver, "string");
  assert.equal(typeof si.seq, "number");
  assert.equal(si.jetstream, false);
  assert.ok(!Number.isNaN(Date.parse(si.time)));
}

test("a $SYS user sees connect, disconnect and account connection events of account A", T, async () => {
  await withSys(async (s, _sys, events) => {
    const a = await connect({ servers: s.url, user: "a", pass: "a", name: "app" });
    a.publish("x", "12345");
    await a.flush();
    await waitUntil(() => find(events, "$SYS.ACCOUNT.A.CONNECT"), 2000, "CONNECT event");
    const c = json(find(events, "$SYS.ACCOUNT.A.CONNECT"));
    assert.equal(c.type, "io.nats.server.advisory.v1.client_connect");
    assert.equal(c.id.length, 22);
    assertServerInfo(c.server, s);
    assert.deepEqual(
      { acc: c.client.acc, user: c.client.user, name: c.client.name, lang: c.client.lang, kind: c.client.kind, client_type: c.client.client_type, host: c.client.host },
      { acc: "A", user: "a", name: "app", lang: "nats.js", kind: "Client", client_type: "nats", host: "127.0.0.1" },
    );
    const conns = json(find(events, "$SYS.ACCOUNT.A.SERVER.CONNS"));
    assert.equal(conns.type, "io.nats.server.advisory.v1.account_connections");
    assert.deepEqual([conns.acc, conns.conns, conns.total_conns, conns.leafnodes], ["A", 1, 1, 0]);
    assert.ok(find(events, "$SYS.SERVER.ACCOUNT.A.CONNS"), "the old subject too");
    await a.close();
    await waitUntil(() => find(events, "$SYS.ACCOUNT.A.DISCONNECT"), 2000, "DISCONNECT event");
    const d = json(find(events, "$SYS.ACCOUNT.A.DISCONNECT"));
    assert.equal(d.type, "io.nats.server.advisory.v1.client_disconnect");
    assert.equal(d.reason, "Client Closed");
    assert.deepEqual(d.sent, { msgs: 1, bytes: 5 });
    assert.ok(!Number.isNaN(Date.parse(d.client.stop)));
    assert.equal(d.client.id, c.client.id);
    const last = events.filter((e) => e.subject === "$SYS.ACCOUNT.A.SERVER.CONNS").map(json).at(-1);
    assert.equal(last.conns, 0);
  });
});

test("failed authentication is announced on CLIENT.AUTH.ERR", T, async () => {
  await withSys(async (s, _sys, events) => {
    await assert.rejects(connect({ servers: s.url, user: "a", pass: "wrong", reconnect: false }));
    const subject = `$SYS.SERVER.${s.server.serverId}.CLIENT.AUTH.ERR`;
    await waitUntil(() => find(events, subject), 2000, "auth error event");
    const e = json(find(events, subject));
    assert.equal(e.reason, "Authentication Failure");
    assert.equal(e.client.user, "a");
    assert.equal(e.client.acc, "$G");
  });
});

test("$SYS.REQ.SERVER services answer in Go's envelope, by PING and by server id", T, async () => {
  await withSys(async (s, sys) => {
    const statsz = JSON.parse((await sys.request("$SYS.REQ.SERVER.PING", "", { timeout: 2000 })).string());
    assertServerInfo(statsz.server, s);
    assert.equal(statsz.statsz.connections, 1);
    for (const k of ["start", "mem", "cores", "cpu", "total_connections", "active_accounts", "subscriptions", "sent", "received", "slow_consumers"]) assert.ok(k in statsz.statsz, k);
    const varz = JSON.parse((await sys.request(`$SYS.REQ.SERVER.${s.server.serverId}.VARZ`, "", { timeout: 2000 })).string());
    assert.equal(varz.data.server_id, s.server.serverId);
    assert.equal(varz.data.system_account, "SYS");
    const connz = JSON.parse((await sys.request("$SYS.REQ.SERVER.PING.CONNZ", JSON.stringify({ subscriptions: true }), { timeout: 2000 })).string());
    assert.equal(connz.data.num_connections, 1);
    assert.ok(Array.isArray(connz.data.connections[0].subscriptions_list));
    const subsz = JSON.parse((await sys.request("$SYS.REQ.SERVER.PING.SUBSZ", "", { timeout: 2000 })).string());
    for (const k of ["server_id", "num_subscriptions", "total", "offset", "limit"]) assert.ok(k in subsz.data, k);
    const health = JSON.parse((await sys.request("$SYS.REQ.SERVER.PING.HEALTHZ", "", { timeout: 2000 })).string());
    assert.deepEqual(health.data, { status: "ok" });
    const bad = JSON.parse((await sys.request("$SYS.REQ.SERVER.PING.CONNZ", "{nope", { timeout: 2000 })).string());
    assert.equal(bad.error.code, 400);
    // A filter naming another server: no answer from this one.
    await assert.rejects(sys.request("$SYS.REQ.SERVER.PING.VARZ", JSON.stringify({ server_name: "elsewhere" }), { timeout: 300 }));
    const accz = JSON.parse((await sys.request("$SYS.REQ.ACCOUNT.A.INFO", "", { timeout: 2000 })).string());
    assert.equal(accz.data.account_name, "A");
    assert.ok(accz.data.imports.some((i) => i.subject === "$SYS.REQ.SERVER.PING.CONNZ" && i.to === "$SYS.REQ.ACCOUNT.A.CONNZ"));
    const jsz = JSON.parse((await sys.request("$SYS.REQ.ACCOUNT.A.JSZ", "", { timeout: 2000 })).string());
    assert.deepEqual(jsz.error, { code: 500, description: "jetstream not enabled" });
  });
});

test("USER.INFO and the account's own CONNZ/STATZ reach the system services from account A", T, async () => {
  await withSys(async (s, sys) => {
    const a = await connect({ servers: s.url, user: "a", pass: "a" });
    try {
      const me = JSON.parse((await a.request("$SYS.REQ.USER.INFO", "", { timeout: 2000 })).string());
      assertServerInfo(me.server, s);
      assert.equal(me.data.user, "a");
      assert.equal(me.data.account, "A");
      assert.deepEqual(me.data.permissions.publish, { allow: [">"] });
      const mine = JSON.parse((await sys.request("$SYS.REQ.USER.INFO", "", { timeout: 2000 })).string());
      assert.deepEqual([mine.data.user, mine.data.account], ["sys", "SYS"]);
      // Through the system imports, A sees only its own connections.
      const connz = JSON.parse((await a.request("$SYS.REQ.SERVER.PING.CONNZ", JSON.stringify({ auth: true }), { timeout: 2000 })).string());
      assert.equal(connz.data.num_connections, 1);
      assert.equal(connz.data.connections[0].account, "A");
      const statz = JSON.parse((await a.request("$SYS.REQ.ACCOUNT.PING.STATZ", "", { timeout: 2000 })).string());
      assert.deepEqual(statz.data.account_statz.map((x) => x.acc), ["A"]);
      // $SYS itself stays out of reach.
      await assert.rejects(a.request("$SYS.REQ.SERVER.PING.VARZ", "", { timeout: 300 }));
    } finally {
      await a.close();
    }
  });
});

test("STATSZ is published on its own after start-up; SHUTDOWN and LAMEDUCK are announced", T, async () => {
  await withSys(
    async (s, _sys, events) => {
      const statsz = `$SYS.SERVER.${s.server.serverId}.STATSZ`;
      await waitUntil(() => find(events, statsz), 3000, "periodic STATSZ");
      assertServerInfo(json(find(events, statsz)).server, s);
      void s.server.enterLameDuckMode();
      await waitUntil(() => find(events, `$SYS.SERVER.${s.server.serverId}.LAMEDUCK`), 2000, "LAMEDUCK event");
      assertServerInfo(json(find(events, `$SYS.SERVER.${s.server.serverId}.LAMEDUCK`)), s);
    },
    { lameDuckGracePeriod: 500, lameDuckDuration: 30000 },
  );
  const s = await startWithAccounts(CONF);
  const sys = await connect({ servers: s.url, user: "sys", pass: "sys", reconnect: false });
  const got = [];
  sys.subscribe("$SYS.SERVER.*.SHUTDOWN", { callback: (_e, m) => got.push(m.json()) });
  await sys.flush();
  await s.shutdown();
  await sleep(100);
  assert.equal(got.length, 1);
  assert.equal(got[0].id, s.server.serverId);
});

test("no_system_account: no $SYS services", T, async () => {
  const s = await startWithAccounts("accounts { A: { users: [{user: a, password: a}] } }\nno_system_account: true\n");
  try {
    assert.equal(s.server.systemAccount, null);
    const a = await connect({ servers: s.url, user: "a", pass: "a" });
    await assert.rejects(a.request("$SYS.REQ.USER.INFO", "", { timeout: 300 }));
    await a.close();
  } finally {
    await s.shutdown();
  }
});
