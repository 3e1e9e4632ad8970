// Monitoring must not disturb message flow: a sustained publish stream with
// /connz?subs=1 and /varz polled every 100 ms loses nothing, reorders nothing
// and makes no slow consumer; the counters the endpoints report add up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { startMonitored, getJson } from "./monitor-helpers.js";

test("a publish stream with /connz polled every 100 ms loses nothing", { timeout: 60_000 }, async () => {
  const s = await startMonitored();
  const pub = await connect({ servers: s.url, name: "pub" });
  const sub = await connect({ servers: s.url, name: "sub" });
  const N = 200_000;
  try {
    let next = 0;
    let outOfOrder = 0;
    const done = new Promise((resolve) => {
      sub.subscribe("load.stream", {
        callback: (_err, m) => {
          const seq = new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength).getUint32(0);
          if (seq !== next) outOfOrder++;
          next = seq + 1;
          if (next === N) resolve();
        },
      });
    });
    await sub.flush();

    let polls = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const cz = await getJson(s, "/connz?subs=1");
        assert.equal(cz.num_connections, 2);
        await getJson(s, "/varz");
        polls++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    for (let i = 0; i < N; i++) {
      // A fresh payload each time: the client may still hold the previous one.
      const payload = Buffer.alloc(64);
      payload.writeUInt32BE(i, 0);
      pub.publish("load.stream", payload);
      // Let the poller and the sockets breathe now and then.
      if (i % 5000 === 4999) await pub.flush();
    }
    await pub.flush();
    await done;
    polling = false;
    await poller;

    assert.equal(next, N, "every message arrived");
    assert.equal(outOfOrder, 0, "in publish order");
    assert.ok(polls >= 2, `connz was polled during the run (${polls} polls)`);
    const varz = await getJson(s, "/varz");
    assert.equal(varz.slow_consumers, 0);
    const cz = await getJson(s, "/connz");
    const byName = Object.fromEntries(cz.connections.map((c) => [c.name, c]));
    assert.equal(byName.pub.in_msgs, N);
    assert.equal(byName.sub.out_msgs, N);
    assert.equal(byName.sub.out_bytes, N * 64);
  } finally {
    await pub.close();
    await sub.close();
    await s.shutdown();
  }
});
