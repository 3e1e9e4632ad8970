// /accountz, /accstatz, /jsz, /healthz, /routez, /gatewayz, /leafz.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, get, getJson, startMonitored, waitFor } from "./monitor-helpers.js";

/** Service imports from the system account in every other account ($SYS.REQ.… CONNZ, STATZ, USER.INFO). */
const SYSTEM_IMPORTS = 4;

test("accountz: account list and details", async () => {
  const s = await startMonitored({
    mappings: [
      { source: "src.*", destinations: [{ subject: "dst.$1", weight: 100 }] },
      { source: "a", destinations: [{ subject: "b", weight: 60 }, { subject: "c", weight: 40, cluster: "east" }] },
    ],
  });
  const nc = await client(s, "acc");
  try {
    nc.subscribe("x");
    nc.subscribe("y");
    await nc.flush();
    const list = await getJson(s, "/accountz");
    // As in Go, the system account exists by default.
    assert.deepEqual(list.accounts, ["$G", "$SYS"]);
    assert.ok(!("account_detail" in list));
    const d = (await getJson(s, "/accountz?acc=$G")).account_detail;
    assert.equal(d.account_name, "$G");
    // Two client subscriptions plus the service imports every account gets from $SYS.
    assert.deepEqual([d.client_connections, d.subscriptions, d.leafnode_connections], [1, 2 + SYSTEM_IMPORTS, 0]);
    assert.deepEqual([d.expired, d.complete, d.jetstream_enabled], [false, true, false]);
    assert.equal(d.sublist_stats.num_subscriptions, 2 + SYSTEM_IMPORTS);
    assert.deepEqual(d.imports.map((i) => i.subject).sort(), ["$SYS.REQ.ACCOUNT.PING.CONNZ", "$SYS.REQ.ACCOUNT.PING.STATZ", "$SYS.REQ.SERVER.PING.CONNZ", "$SYS.REQ.USER.INFO"]);
    assert.ok(!Number.isNaN(Date.parse(d.update_time)));
    assert.deepEqual(Object.keys(d.mappings), ["a", "src.*"]);
    assert.deepEqual(d.mappings.a, [{ subject: "b", weight: 60 }, { subject: "c", weight: 40, cluster: "east" }]);
  } finally {
    await nc.close();
    await s.shutdown();
  }
});

test("accstatz: per-account counters, unused accounts only on request", async () => {
  const s = await startMonitored();
  try {
    assert.deepEqual((await getJson(s, "/accstatz")).account_statz, []);
    const idle = (await getJson(s, "/accstatz?unused=1")).account_statz;
    assert.deepEqual(idle.map((a) => a.acc), ["$G", "$SYS"]);

    const nc = await client(s, "stats");
    let got = 0;
    nc.subscribe("s", { callback: () => got++ });
    nc.publish("s", "abc");
    nc.publish("s", "defg");
    await nc.flush();
    await waitFor(() => got === 2, "2 messages");
    const [st] = (await getJson(s, "/accstatz")).account_statz;
    assert.deepEqual(st, { acc: "$G", conns: 1, leafnodes: 0, total_conns: 1, sent: { msgs: 2, bytes: 7 }, received: { msgs: 2, bytes: 7 }, slow_consumers: 0 });
    await nc.close();
    await waitFor(async () => (await getJson(s, "/accstatz")).account_statz.length === 0, "account unused again");
    const [after] = (await getJson(s, "/accstatz?unused=true")).account_statz;
    assert.deepEqual([after.conns, after.sent.msgs, after.received.bytes], [0, 2, 7]);
  } finally {
    await s.shutdown();
  }
});

test("jsz answers as a server without JetStream", async () => {
  const s = await startMonitored();
  try {
    for (const q of ["", "?accounts=1", "?acc=$G&streams=true&consumers=1&config=1&offset=2&limit=3"]) {
      const j = await getJson(s, `/jsz${q}`);
      assert.equal(j.disabled, true, q);
      assert.deepEqual(j.config, { max_memory: 0, max_storage: 0 });
      assert.deepEqual(j.api, { total: 0, errors: 0 });
      assert.deepEqual([j.streams, j.consumers, j.messages, j.bytes, j.accounts], [0, 0, 0, 0, 0]);
      assert.ok(!("account_details" in j));
    }
    const r = await get(s, "/jsz?leader-only=1");
    assert.deepEqual([r.status, r.text], [400, "filtered response: not leader"]);
  } finally {
    await s.shutdown();
  }
});

test("healthz: ok while serving, 503 with Go's error in lame duck mode", async () => {
  const s = await startMonitored({ lameDuckGracePeriod: 300, lameDuckDuration: 400 });
  try {
    for (const q of ["", "?js-enabled-only=true", "?js-server-only=1", "?js-enabled=1"]) {
      const r = await get(s, `/healthz${q}`);
      assert.deepEqual([r.status, r.type, r.text], [200, "application/json", '{"status":"ok"}'], q);
    }
    // As in nats-server, lame duck mode without clients shuts down at once: keep one connected.
    const nc = await client(s, "ldm");
    nc.closed().catch(() => {});
    const ldm = s.server.enterLameDuckMode();
    await waitFor(() => !s.server.acceptingClients, "lame duck mode");
    const r = await get(s, "/healthz");
    assert.equal(r.status, 503);
    assert.equal(r.type, "text/plain; charset=utf-8");
    assert.deepEqual(JSON.parse(r.text), { status: "error", error: "failed to be ready for connections after 1ms: server" });
    await ldm;
  } finally {
    await s.shutdown();
  }
});

test("routez, gatewayz, leafz: empty but complete", async () => {
  const s = await startMonitored({ serverName: "solo" });
  try {
    const rz = await getJson(s, "/routez?subs=detail");
    assert.deepEqual([rz.server_name, rz.num_routes, rz.routes], ["solo", 0, []]);
    const gz = await getJson(s, "/gatewayz?accs=1&gw_name=x&acc_name=y");
    assert.deepEqual([gz.outbound_gateways, gz.inbound_gateways], [{}, {}]);
    assert.ok(!("name" in gz));
    const lz = await getJson(s, "/leafz?subs=true&acc=$G");
    assert.deepEqual([lz.leafnodes, lz.leafs], [0, null]);
    for (const x of [rz, gz, lz]) {
      assert.equal(x.server_id.length, 56);
      assert.ok(Math.abs(Date.parse(x.now) - Date.now()) < 5000);
    }
  } finally {
    await s.shutdown();
  }
});
