// Internal clients (the seam for $SYS services and JetStream): a handler
// subscribed in an account answers a real client's request, sees headers and
// the publisher, receives its own publications only after the current
// message, and a handler that keeps publishing to itself cannot hang the
// server or starve other clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, headers } from "@nats-io/transport-node";
import { withServer, waitUntil, sleep } from "../helpers/server.js";

test("an internal handler answers a client's request", async () => {
  await withServer({}, async (s) => {
    const ic = s.server.createInternalClient(s.server.globalAccount, "test");
    let seenHdr = null;
    let seenPublisher = null;
    ic.subscribe("svc.>", (subject, reply, hdr, data, publisher) => {
      seenHdr = hdr ? hdr.toString() : null;
      seenPublisher = publisher;
      ic.publish(reply, undefined, `${subject}:${data.toString()}`);
    });
    const nc = await connect({ servers: s.url });
    try {
      const h = headers();
      h.set("X-Test", "1");
      const m = await nc.request("svc.echo", "hi", { timeout: 2000, headers: h });
      assert.equal(m.string(), "svc.echo:hi");
      assert.match(seenHdr, /^NATS\/1\.0\r\nX-Test: 1\r\n\r\n$/);
      assert.equal(seenPublisher.kind, 0, "publisher is the client connection");
    } finally {
      await nc.close();
    }
  });
});

test("internal publications carry headers to clients and are routed after the current message", async () => {
  await withServer({}, async (s) => {
    const ic = s.server.createInternalClient(s.server.globalAccount, "test");
    const order = [];
    ic.subscribe("a", () => {
      ic.publish("b", undefined, "from-a", Buffer.from("NATS/1.0\r\nK: v\r\n\r\n"));
      order.push("a-done");
    });
    ic.subscribe("b", () => order.push("b"));
    const nc = await connect({ servers: s.url });
    try {
      const sub = nc.subscribe("b", { max: 1 });
      await nc.flush();
      nc.publish("a", "x");
      for await (const m of sub) {
        assert.equal(m.string(), "from-a");
        assert.equal(m.headers.get("K"), "v");
      }
      assert.deepEqual(order, ["a-done", "b"]);
    } finally {
      await nc.close();
    }
  });
});

test("a handler publishing to itself forever does not starve clients", async () => {
  await withServer({}, async (s) => {
    const ic = s.server.createInternalClient(s.server.globalAccount, "loop");
    let n = 0;
    ic.subscribe("loop", () => {
      n++;
      ic.publish("loop", undefined, "again");
    });
    const nc = await connect({ servers: s.url });
    try {
      nc.publish("loop", "go");
      await waitUntil(() => n > 1000, 5000, "loop running");
      const sub = nc.subscribe("other", { max: 1 });
      nc.publish("other", "still served");
      for await (const m of sub) assert.equal(m.string(), "still served");
      ic.close();
      const stopped = n;
      await sleep(50);
      assert.ok(n - stopped <= 1, "closed client gets no more messages");
    } finally {
      await nc.close();
    }
  });
});
