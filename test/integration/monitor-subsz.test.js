// /subsz: sublist statistics, subs=1 listings with the test subject filter,
// account filter and paging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { client, getJson, startMonitored, waitFor } from "./monitor-helpers.js";

const STAT_KEYS = ["num_subscriptions", "num_cache", "num_inserts", "num_removes", "num_matches", "cache_hit_rate", "max_fanout", "avg_fanout"];

// These run without a system account: its internal subscriptions would be counted and listed too.
test("subsz: statistics follow subscribes, unsubscribes and matches", async () => {
  const s = await startMonitored({ noSystemAccount: true });
  const nc = await client(s, "subs");
  try {
    const empty = await getJson(s, "/subsz");
    assert.deepEqual(Object.keys(empty), STAT_KEYS);
    assert.equal(empty.num_subscriptions, 0);

    let got = 0;
    nc.subscribe("foo.*", { callback: () => got++ });
    nc.subscribe("foo.>", { callback: () => got++ });
    const gone = nc.subscribe("bar");
    await nc.flush();
    gone.unsubscribe();
    for (let i = 0; i < 4; i++) nc.publish("foo.x");
    await nc.flush();
    await waitFor(() => got === 8, "8 deliveries");
    const st = await getJson(s, "/subsz");
    assert.equal(st.num_subscriptions, 2);
    assert.equal(st.num_inserts, 3);
    assert.equal(st.num_removes, 1);
    assert.ok(st.num_matches >= 4);
    assert.ok(st.cache_hit_rate > 0 && st.cache_hit_rate < 1);
    assert.equal(st.max_fanout, 2);
    assert.ok(st.avg_fanout > 0);
    assert.deepEqual(await getJson(s, "/subsz?acc=$G"), await getJson(s, "/subsz"));
    assert.equal((await getJson(s, "/subsz?acc=nope")).num_subscriptions, 0);
  } finally {
    await nc.close();
    await s.shutdown();
  }
});

test("subsz: subs=1 lists subscriptions, filtered by test, paged", async () => {
  const s = await startMonitored({ noSystemAccount: true });
  const a = await client(s, "a");
  const b = await client(s, "b");
  try {
    a.subscribe("orders.*");
    a.subscribe("orders.new", { queue: "workers" });
    b.subscribe("orders.>", { max: 3 });
    b.subscribe("other");
    await Promise.all([a.flush(), b.flush()]);

    const all = await getJson(s, "/subsz?subs=1");
    assert.equal(all.server_id.length, 56);
    for (const k of STAT_KEYS) assert.ok(k in all, k);
    assert.deepEqual([all.total, all.offset, all.limit, all.subscriptions_list.length], [4, 0, 1024, 4]);
    const bySubject = Object.fromEntries(all.subscriptions_list.map((d) => [d.subject, d]));
    assert.equal(bySubject["orders.new"].qgroup, "workers");
    assert.equal(bySubject["orders.>"].max, 3);
    assert.equal(bySubject["other"].account, "$G");
    assert.equal(bySubject["other"].msgs, 0);
    assert.ok(bySubject["orders.*"].cid !== bySubject["other"].cid);

    const test1 = await getJson(s, "/subsz?subs=1&test=orders.new");
    assert.deepEqual(test1.subscriptions_list.map((d) => d.subject).sort(), ["orders.*", "orders.>", "orders.new"]);
    assert.equal(test1.total, 3);
    const deep = await getJson(s, "/subsz?subs=1&test=orders.new.eu");
    assert.deepEqual(deep.subscriptions_list.map((d) => d.subject), ["orders.>"]);

    const page = await getJson(s, "/subsz?subs=1&offset=1&limit=2");
    assert.deepEqual([page.total, page.offset, page.limit, page.subscriptions_list.length], [4, 1, 2, 2]);
    assert.deepEqual(page.subscriptions_list, all.subscriptions_list.slice(1, 3));

    // Nothing listed: the bare statistics, as Go answers.
    assert.deepEqual(Object.keys(await getJson(s, "/subsz?subs=1&test=nothing.here")), STAT_KEYS);
    assert.deepEqual(Object.keys(await getJson(s, "/subsz?subs=1&offset=4")), STAT_KEYS);
    // Without subs=1, test only validates.
    assert.deepEqual(Object.keys(await getJson(s, "/subsz?test=orders.new")), STAT_KEYS);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await s.shutdown();
  }
});
