// Reload of accounts (SIGHUP on `tsnats -c FILE`): accounts, users, imports
// and exports change live; connections of a removed account are closed,
// the others stay; a new account's imports work at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { removeDir, startWithConfig, writeConfig, waitFor } from "../helpers/tsnats-process.js";

const T = { timeout: 20000 };

const BEFORE = `
accounts {
  A: { users: [{user: a, password: a}], exports: [{stream: "news.>"}] }
  B: { users: [{user: b, password: b}], imports: [{stream: {account: A, subject: "news.>"}}] }
}
`;
const AFTER = `
accounts {
  A: { users: [{user: a, password: a}], exports: [{stream: "news.>"}, {service: "svc"}] }
  C: { users: [{user: c, password: c}], imports: [{stream: {account: A, subject: "news.>"}, prefix: "a"}, {service: {account: A, subject: "svc"}}] }
}
`;

test("reload adds and removes accounts, users, imports and exports", T, async () => {
  const p = await startWithConfig(BEFORE);
  const url = `127.0.0.1:${p.port}`;
  try {
    const a = await connect({ servers: url, user: "a", pass: "a", reconnect: false });
    const b = await connect({ servers: url, user: "b", pass: "b", reconnect: false });
    const bClosed = b.closed();
    const inB = [];
    b.subscribe("news.>", { callback: (_e, m) => inB.push(m.subject) });
    await b.flush();
    a.publish("news.1", "x");
    await a.flush();
    await waitFor(() => inB.length === 1, "import before reload");

    writeConfig(p.confFile, AFTER, p.dir);
    const mark = p.log.length;
    p.child.kill("SIGHUP");
    await p.waitLog(/Reloaded server configuration/, 3000, mark);
    assert.match(p.log.slice(mark), /Reloaded: accounts/);
    // B is gone: its client is closed; A's stays.
    await bClosed;
    assert.equal(a.isClosed(), false);

    const c = await connect({ servers: url, user: "c", pass: "c", reconnect: false });
    const inC = [];
    c.subscribe("a.news.>", { callback: (_e, m) => inC.push(m.subject) });
    a.subscribe("svc", { callback: (_e, m) => m.respond("served") });
    await c.flush();
    await a.flush();
    a.publish("news.2", "y");
    await a.flush();
    await waitFor(() => inC.length === 1, "new account's stream import");
    assert.deepEqual(inC, ["a.news.2"]);
    assert.equal((await c.request("svc", "", { timeout: 2000 })).string(), "served");
    await assert.rejects(connect({ servers: url, user: "b", pass: "b", reconnect: false }), /Authorization Violation/);
    await a.close();
    await c.close();
  } finally {
    await p.kill();
    removeDir(p.dir);
  }
});
