// ClosedConnectionRing: the newest max_closed_clients records, oldest first,
// reused slots once full, and a capacity change (reload) keeping the newest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClosedConnectionRing } from "../../dist/server/closed-connection.js";

/** The fields ClosedConnection.fill reads from a ClientConnection. */
function fakeConn(cid) {
  return {
    cid, host: "127.0.0.1", port: 1000 + cid, start: new Date(cid * 1000), stop: new Date(cid * 1000 + 5), lastActivity: 0,
    closeReason: "Client Closed", rtt: -1, inMsgs: cid, outMsgs: 0, inBytes: 0, outBytes: 0, account: { name: "$G" },
    jwtIdentity: null, opts: { name: `c${cid}`, lang: "", version: "", user: "", nkey: "", authToken: "", jwt: "" },
    subs: new Map(cid % 2 ? [["1", { subject: `s.${cid}`, queue: undefined, sid: "1", delivered: 0, max: 0 }]] : []),
    transportType: "nats", tls: null,
  };
}

const cids = (ring) => [...ring].map((r) => r.cid);

test("keeps the newest records in order and reuses evicted slots", () => {
  const ring = new ClosedConnectionRing();
  for (let i = 1; i <= 3; i++) ring.add(fakeConn(i), 3);
  const first = [...ring][0];
  assert.deepEqual(cids(ring), [1, 2, 3]);
  ring.add(fakeConn(4), 3);
  ring.add(fakeConn(5), 3);
  assert.deepEqual(cids(ring), [3, 4, 5]);
  assert.equal(ring.length, 3);
  // The record of cid 1 now holds cid 4, with all of 4's fields (none of 1's left over).
  assert.equal(first.cid, 4);
  assert.equal(first.port, 1004);
  assert.equal(first.opts.name, "c4");
  assert.equal(first.subs.length, 0);
  assert.equal(first.start.getTime(), 4000);
  const five = [...ring][2];
  assert.deepEqual(five.subs.map((s) => s.subject), ["s.5"]);
});

test("a capacity change keeps the newest, then continues in order", () => {
  const ring = new ClosedConnectionRing();
  for (let i = 1; i <= 5; i++) ring.add(fakeConn(i), 3);
  ring.add(fakeConn(6), 2);
  assert.deepEqual(cids(ring), [5, 6]);
  ring.add(fakeConn(7), 4);
  ring.add(fakeConn(8), 4);
  ring.add(fakeConn(9), 4);
  assert.deepEqual(cids(ring), [6, 7, 8, 9]);
  ring.add(fakeConn(10), 0);
  assert.equal(ring.length, 0);
});
