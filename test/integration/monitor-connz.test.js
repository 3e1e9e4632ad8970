// /connz over real connections: per-connection counters, every sort key,
// paging, cid/user/acc/filter_subject filters, subs=1 / subs=detail, auth=1,
// and closed connections with their reasons (client close, maximum payload
// violation, slow consumer) and the closed-connections ring.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, get, getJson, rawClient, sleep, startMonitored, waitFor } from "./monitor-helpers.js";

const names = (cz) => cz.connections.map((c) => c.name);

/**
 * A: user alice, queue sub a.1, publishes 5 × 1 byte to to.c
 * B: token, subs b.1 b.2 b.3, publishes 2 × 100 bytes to to.c
 * C: subs to.c and c.2 (max 10), receives the 7 messages
 */
async function scenario(s) {
  const a = await client(s, "A", { user: "alice", pass: "pw" });
  await sleep(5);
  const b = await client(s, "B", { token: "secret" });
  await sleep(5);
  const c = await client(s, "C");
  let got = 0;
  c.subscribe("to.c", { callback: () => got++ });
  c.subscribe("c.2", { max: 10 });
  a.subscribe("a.1", { queue: "qa" });
  for (const subj of ["b.1", "b.2", "b.3"]) b.subscribe(subj);
  await Promise.all([b.flush(), c.flush()]);
  for (let i = 0; i < 5; i++) a.publish("to.c", "x");
  for (let i = 0; i < 2; i++) b.publish("to.c", "y".repeat(100));
  await b.flush();
  await waitFor(() => got === 7, "C to receive 7 messages");
  // Looking at /connz makes the server measure each client's RTT (a PING);
  // let those finish so that they do not change activity times later.
  await waitFor(async () => (await getJson(s, "/connz")).connections.every((x) => x.rtt !== "0s"), "RTTs measured");
  await c.flush();
  await b.flush();
  await sleep(3);
  // A is the most recently active (by a clear millisecond). Like Go, only
  // messages and interest changes count as activity, not PING/PONG.
  a.publish("nobody.listens", "z");
  await a.flush();
  return { a, b, c };
}

test("connz: counters, subscriptions and auth details of open connections", async () => {
  const s = await startMonitored();
  const { a, b, c } = await scenario(s);
  try {
    const cz = await getJson(s, "/connz");
    assert.equal(cz.server_id.length, 56);
    assert.equal(cz.total, 3);
    assert.equal(cz.num_connections, 3);
    assert.equal(cz.offset, 0);
    assert.equal(cz.limit, 1024);
    assert.deepEqual(names(cz), ["A", "B", "C"]);
    const [ca, cb, cc] = cz.connections;
    assert.equal(ca.kind, "Client");
    assert.equal(ca.type, "nats");
    assert.equal(ca.ip, "127.0.0.1");
    assert.ok(ca.port > 0);
    assert.equal(ca.lang, "nats.js");
    assert.match(ca.version, /^3\./);
    // Five to "to.c" plus the one that made A the most recently active.
    assert.deepEqual([ca.in_msgs, ca.in_bytes, ca.out_msgs, ca.subscriptions], [6, 6, 0, 1]);
    assert.deepEqual([cb.in_msgs, cb.in_bytes, cb.out_msgs, cb.subscriptions], [2, 200, 0, 3]);
    assert.deepEqual([cc.in_msgs, cc.out_msgs, cc.out_bytes, cc.subscriptions], [0, 7, 205, 2]);
    // RTTs measured on the scenario's request, in Go's duration format.
    assert.match(ca.rtt, /^\d+(\.\d+)?(µs|ms|s)$/);
    assert.match(ca.uptime, /^\d+s$/);
    assert.equal(ca.pending_bytes, 0);
    assert.ok(!("stop" in ca) && !("reason" in ca));
    assert.ok(!("subscriptions_list" in cb) && !("authorized_user" in ca));

    const subs = await getJson(s, "/connz?subs=1");
    assert.deepEqual(subs.connections[1].subscriptions_list.sort(), ["b.1", "b.2", "b.3"]);
    const det = await getJson(s, "/connz?subs=detail");
    const dc = det.connections[2].subscriptions_list_detail;
    const toC = dc.find((d) => d.subject === "to.c");
    assert.equal(toC.msgs, 7);
    assert.equal(toC.cid, cc.cid);
    assert.equal(typeof toC.sid, "string");
    assert.ok(!("account" in toC) && !("max" in toC) && !("qgroup" in toC));
    assert.equal(dc.find((d) => d.subject === "c.2").max, 10);
    assert.equal(det.connections[0].subscriptions_list_detail[0].qgroup, "qa");
    assert.ok(!("subscriptions_list" in det.connections[0]));

    const auth = await getJson(s, "/connz?auth=1");
    assert.equal(auth.connections[0].authorized_user, "alice");
    assert.equal(auth.connections[1].authorized_user, "[REDACTED]");
    assert.ok(!("authorized_user" in auth.connections[2]));
    assert.ok(!("account" in auth.connections[0]), "the global account is not named");
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
    await s.shutdown();
  }
});

test("connz: every sort key, paging, cid/user/acc/filter_subject", async () => {
  const s = await startMonitored();
  const { a, b, c } = await scenario(s);
  try {
    const order = async (q) => names(await getJson(s, `/connz?${q}`));
    assert.deepEqual(await order("sort=cid"), ["A", "B", "C"]);
    assert.deepEqual(await order("sort=start"), ["A", "B", "C"]);
    assert.deepEqual(await order("sort=subs"), ["B", "C", "A"]);
    assert.deepEqual(await order("sort=msgs_from"), ["A", "B", "C"]);
    assert.deepEqual(await order("sort=bytes_from"), ["B", "A", "C"]);
    assert.deepEqual(await order("sort=msgs_to"), ["C", "A", "B"]);
    assert.deepEqual(await order("sort=bytes_to"), ["C", "A", "B"]);
    assert.deepEqual(await order("sort=uptime"), ["C", "B", "A"]);
    assert.equal((await order("sort=last"))[0], "A");
    assert.equal((await order("sort=idle")).at(-1), "A");
    assert.deepEqual((await order("sort=pending")).sort(), ["A", "B", "C"]);
    assert.deepEqual((await order("sort=rtt")).sort(), ["A", "B", "C"]);

    const page = await getJson(s, "/connz?sort=subs&limit=2");
    assert.deepEqual([names(page), page.total, page.num_connections, page.limit], [["B", "C"], 3, 2, 2]);
    const page2 = await getJson(s, "/connz?offset=1&limit=1");
    assert.deepEqual([names(page2), page2.offset, page2.total], [["B"], 1, 3]);
    const past = await getJson(s, "/connz?offset=10");
    assert.deepEqual([past.connections, past.total, past.num_connections], [[], 3, 0]);

    const ids = (await getJson(s, "/connz")).connections.map((x) => x.cid);
    const one = await getJson(s, `/connz?cid=${ids[1]}&limit=50`);
    assert.deepEqual([names(one), one.limit], [["B"], 1]);
    assert.deepEqual(names(await getJson(s, "/connz?cid=9999")), []);

    assert.deepEqual(await order("user=alice"), ["A"]);
    assert.deepEqual(await order("acc=$G"), ["A", "B", "C"]);
    const none = await getJson(s, "/connz?acc=nope");
    assert.deepEqual([none.connections, none.total], [[], 0]);
    assert.deepEqual(await order("acc=$G&filter_subject=b.*"), ["B"]);
    assert.deepEqual(await order("acc=$G&filter_subject=to.>"), ["C"]);
    assert.deepEqual(await order("acc=$G&filter_subject=>"), ["A", "B", "C"]);
    assert.deepEqual(await order("mqtt_client=x"), []);
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
    await s.shutdown();
  }
});

test("connz: closed connections keep stop, reason and subscriptions", async () => {
  const s = await startMonitored();
  const { a, b, c } = await scenario(s);
  try {
    const cidC = (await getJson(s, "/connz")).connections[2].cid;
    await c.close();
    await waitFor(async () => (await getJson(s, "/connz")).total === 2, "C to be closed");

    // A maximum payload violation from a raw client.
    const raw = await rawClient(s);
    raw.send("CONNECT {}\r\nPUB foo 2000000\r\n");
    await raw.waitFor("-ERR 'Maximum Payload Violation'");
    await raw.waitClosed();

    const closed = await getJson(s, "/connz?state=closed&subs=1");
    assert.equal(closed.total, 2);
    const [cc, cr] = closed.connections;
    assert.equal(cc.cid, cidC);
    assert.equal(cc.reason, "Client Closed");
    assert.ok(Date.parse(cc.stop) >= Date.parse(cc.start));
    assert.deepEqual(cc.subscriptions_list.sort(), ["c.2", "to.c"]);
    assert.deepEqual([cc.out_msgs, cc.out_bytes, cc.name], [7, 205, "C"]);
    assert.equal(cr.reason, "Maximum Message Payload Exceeded");

    // Closed subscription details carry the account, as Go's do.
    const det = await getJson(s, `/connz?state=closed&subs=detail&cid=${cidC}`);
    assert.deepEqual(det.connections[0].subscriptions_list_detail.map((d) => d.account), ["$G", "$G"]);

    const all = await getJson(s, "/connz?state=all");
    assert.equal(all.total, 4);
    assert.deepEqual(all.connections.map((x) => "reason" in x), [false, false, true, true]);
    assert.deepEqual(names(await getJson(s, `/connz?state=ALL&cid=${cidC}`)), ["C"]);
    const byReason = await getJson(s, "/connz?state=closed&sort=reason");
    assert.deepEqual(byReason.connections.map((x) => x.reason), ["Client Closed", "Maximum Message Payload Exceeded"]);
    const byStop = await getJson(s, "/connz?state=closed&sort=stop");
    assert.deepEqual(byStop.connections.map((x) => x.cid), [cr.cid, cidC]);
    assert.deepEqual(names(await getJson(s, "/connz?state=open")), ["A", "B"]);
    assert.deepEqual((await get(s, "/connz?state=closed&sort=stop")).status, 200);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await s.shutdown();
  }
});

test("connz: a slow consumer is closed with its reason and counted", async () => {
  const s = await startMonitored({ maxPending: 256 * 1024 });
  const pub = await client(s, "pub");
  const slow = await rawClient(s);
  try {
    slow.send("CONNECT {}\r\nSUB slow 1\r\nPING\r\n");
    await slow.waitFor("PONG");
    slow.socket.pause();
    const payload = new Uint8Array(64 * 1024);
    for (let i = 0; i < 400 && !slow.isClosed(); i++) {
      pub.publish("slow", payload);
      if (i % 20 === 0) await pub.flush();
    }
    await pub.flush();
    const closed = await waitFor(async () => {
      const cz = await getJson(s, "/connz?state=closed");
      return cz.connections.find((x) => x.reason?.startsWith("Slow Consumer"));
    }, "the slow consumer to be closed");
    assert.equal(closed.reason, "Slow Consumer (Pending Bytes)");
    const v = await getJson(s, "/varz");
    assert.equal(v.slow_consumers, 1);
    assert.equal(v.slow_consumer_stats.clients, 1);
    const st = await getJson(s, "/accstatz");
    assert.equal(st.account_statz[0].slow_consumers, 1);
  } finally {
    slow.close();
    await pub.close();
    await s.shutdown();
  }
});

test("connz: the closed ring keeps only max_closed_clients", async () => {
  const s = await startMonitored({ maxClosedClients: 2 });
  try {
    for (const n of ["x1", "x2", "x3"]) await (await client(s, n)).close();
    const cz = await waitFor(async () => {
      const r = await getJson(s, "/connz?state=closed");
      return r.connections.some((x) => x.name === "x3") && r;
    }, "x3 in closed list");
    assert.deepEqual(names(cz), ["x2", "x3"]);
    assert.equal((await getJson(s, "/varz")).total_connections, 3);
  } finally {
    await s.shutdown();
  }
});
