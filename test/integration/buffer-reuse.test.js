// Buffer reuse on both sides of the server. Plain TCP clients read into one
// reused buffer (src/server/shared-read-buffer.ts): whatever the server keeps
// past a read must be a copy. Written buffers a backed-up socket held are
// reused once written (OutboundBuffer). These tests interleave publishers
// whose frames straddle reads, store messages while other sockets overwrite
// the read buffer, and drain a slow subscriber in sips, checking every byte.
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

test("a subscriber that reads slowly gets every byte while the server reuses written buffers", async () => {
  const net = await import("node:net");
  await withServer({}, async (s) => {
    const port = s.port;
    const N = 3000;
    // About 30 MB in all: well below max_pending, far above what the socket takes at once.
    const small = (i) => payload(7, i).subarray(0, 1 + (i * 7919) % 20000);
    const sock = net.connect({ port, host: "127.0.0.1" });
    const chunks = [];
    let gotLen = 0;
    sock.on("data", (d) => {
      chunks.push(d);
      gotLen += d.length;
    });
    sock.write('CONNECT {"verbose":false}\r\nSUB slow 1\r\nPING\r\n');
    while (!Buffer.concat(chunks).includes("PONG")) await new Promise((r) => setTimeout(r, 5));
    chunks.length = 0;
    gotLen = 0;
    // Stop reading: the server's socket backs up and it must keep queuing.
    sock.pause();
    const pub = await connect({ port });
    for (let i = 0; i < N; i++) {
      pub.publish("slow", small(i));
      if (i % 200 === 0) await pub.flush();
    }
    await pub.flush();
    const expected = [];
    for (let i = 0; i < N; i++) expected.push(Buffer.from(`MSG slow 1 ${small(i).length}\r\n`), small(i), Buffer.from("\r\n"));
    const want = Buffer.concat(expected);
    // Read in sips with pauses, so some written buffers are handed back while others are still held.
    const deadline = Date.now() + 30000;
    while (gotLen < want.length && Date.now() < deadline) {
      sock.resume();
      await new Promise((r) => setTimeout(r, 2));
      sock.pause();
      await new Promise((r) => setTimeout(r, 3));
    }
    sock.resume();
    assert.equal(gotLen, want.length);
    assert.equal(Buffer.compare(Buffer.concat(chunks), want), 0, "the stream of MSG frames is byte-identical to what was published");
    sock.destroy();
    await pub.close();
  });
});
