// Reload of authorization, side by side with the Go nats-server: the same
// config files and the same connected clients; after rewriting the config and
// SIGHUP, the clients must see the same thing (closed with -ERR, subscriptions
// removed with -ERR, new permissions in force) and the servers must log the
// same auth lines. Skipped when nats-server is not on PATH.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RawClient } from "../helpers/raw-client.js";
import { goServerPath, startGoServer } from "../helpers/go-server.js";
import { startWithConfig, writeConfig, removeDir, sleep } from "../helpers/tsnats-process.js";

const goBin = goServerPath();
const T = { timeout: 30000 };

const BEFORE = `authorization {
  users: [
    {user: alice, password: a1}
    {user: bob, password: b1}
    {user: carol, password: c1, permissions: {publish: "foo.>", subscribe: ["foo.>", "bar"]}}
    {user: dave, password: d1, permissions: {subscribe: "dave.>"}}
    {user: erin, password: e1}
  ]
}`;
const AFTER = `authorization {
  users: [
    {user: alice, password: a2}
    {user: carol, password: c1, permissions: {publish: "foo.x", subscribe: ["foo.x", "bar"]}}
    {user: dave, password: d1}
    {user: erin, password: e1, permissions: {publish: "erin.>", subscribe: {deny: "secret.>"}}}
  ]
}`;

const connect = (user, pass) => `CONNECT {"verbose":false,"pedantic":false,"user":"${user}","pass":"${pass}"}\r\n`;
const CLIENTS = [
  ["alice", "a1", "SUB x 1\r\n"],
  ["bob", "b1", "SUB x 1\r\n"],
  ["carol", "c1", "SUB foo.x 1\r\nSUB foo.y 2\r\nSUB bar 3\r\nSUB foo.> q 4\r\n"],
  ["dave", "d1", "SUB dave.a 1\r\n"],
  ["erin", "e1", "SUB secret.a 1\r\nSUB > 2\r\n"],
];
/** After the reload: what each client then tries. */
const AFTERWARDS = ["", "", "PUB foo.y 1\r\na\r\nPUB foo.x 1\r\nb\r\nSUB foo.z 5\r\n", "SUB other 2\r\nPUB other 1\r\nc\r\n", "PUB erin.a 1\r\nd\r\nPUB other 1\r\ne\r\nSUB secret.b 3\r\n"];

async function sync(c) {
  if (c.closed) return;
  const n = c.count("PONG\r\n");
  c.send("PING\r\n");
  await c.waitFor(() => c.count("PONG\r\n") > n, 3000).catch((e) => {
    if (!c.closed) throw e;
  });
}

/** Clients send `first` (CONNECT and subscriptions), the config is reloaded, then they send `then`. */
async function scenario(port, doReload, first = CLIENTS.map(([u, p, subs]) => connect(u, p) + subs), then = AFTERWARDS) {
  const conns = [];
  for (const bytes of first) {
    const c = await RawClient.open(port);
    c.send(bytes);
    await sync(c);
    conns.push(c);
  }
  await doReload();
  await sleep(500);
  for (let i = 0; i < conns.length; i++) {
    if (!conns[i].closed && then[i]) conns[i].send(then[i]);
    await sync(conns[i]);
  }
  const out = conns.map((c) => sortRemovals(c.afterInfo()) + (c.closed ? "<closed>" : ""));
  for (const c of conns) c.close();
  return out;
}

/** Go reports removed subscriptions in map order (random): sort those -ERR lines where they start. */
function sortRemovals(text) {
  const lines = text.split("\n");
  const isRemoval = (l) => /\(sid "|Removed sub/.test(l);
  const removals = lines.filter(isRemoval).sort();
  const first = lines.findIndex(isRemoval);
  if (first < 0) return text;
  const rest = lines.filter((l) => !isRemoval(l));
  rest.splice(first, 0, ...removals);
  return rest.join("\n");
}

/** The auth-related log messages, without timestamps and client addresses. */
const authLines = (log) =>
  log
    .split("\n")
    .filter((l) => /authentication error|Removed sub|Reloaded: authorization|Violation/.test(l))
    .map((l) => l.replace(/^.*?\[(INF|ERR|WRN)\] /, "[$1] ").replace(/\d+\.\d+\.\d+\.\d+:\d+ - cid:\d+ - /, ""));

/** Run `first`/`then` against both servers started from `before`, reloaded to `afterConf`; returns [go, ts] results and logs. */
async function sideBySide(tmp, name, before, afterConf, first, then) {
  const goConf = path.join(tmp, `${name}.go.conf`);
  fs.writeFileSync(goConf, before);
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const go = await startGoServer(["-c", goConf]);
  const ts = await startWithConfig(before, { dir });
  try {
    const [want, got] = await Promise.all([
      scenario(go.port, async () => {
        fs.writeFileSync(goConf, afterConf);
        go.proc.kill("SIGHUP");
      }, first, then),
      scenario(ts.port, async () => {
        writeConfig(ts.confFile, afterConf, dir);
        ts.child.kill("SIGHUP");
      }, first, then),
    ]);
    await sleep(100);
    return { want, got, goLog: go.output(), tsLog: ts.log };
  } finally {
    await go.stop();
    await ts.kill();
  }
}

const tokenConnect = (t) => `CONNECT {"verbose":false,"pedantic":false,"auth_token":"${t}"}\r\n`;

describe("auth reload: tsnats vs nats-server", { skip: goBin ? false : "nats-server not on PATH" }, () => {
  const tmp = goBin ? fs.mkdtempSync(path.join(os.tmpdir(), "auth-reload-")) : "";
  after(() => removeDir(tmp));

  test("token changed; auth switched on for clients that had none", T, async () => {
    const r1 = await sideBySide(tmp, "token", "authorization { token: old }", "authorization { token: new }", [tokenConnect("old") + "SUB a 1\r\n", tokenConnect("new")], ["", ""]);
    assert.deepEqual(r1.got, r1.want);
    assert.match(r1.want[0], /Authorization Violation.*<closed>$/s);
    assert.deepEqual(authLines(r1.tsLog).sort(), authLines(r1.goLog).sort());
    const r2 = await sideBySide(tmp, "on", "max_payload: 1000", "authorization { users: [ {user: u, password: p} ] }", [tokenConnect("x"), 'CONNECT {"verbose":false,"user":"u","pass":"p"}\r\n'], ["", ""]);
    assert.deepEqual(r2.got, r2.want);
    assert.deepEqual(authLines(r2.tsLog).sort(), authLines(r2.goLog).sort());
  });

  test("password change, user removed, permissions narrowed and widened", T, async () => {
    const goConf = path.join(tmp, "go.conf");
    fs.writeFileSync(goConf, BEFORE);
    const go = await startGoServer(["-c", goConf]);
    const ts = await startWithConfig(BEFORE, { dir: tmp });
    try {
      const [want, got] = await Promise.all([
        scenario(go.port, async () => {
          fs.writeFileSync(goConf, AFTER);
          go.proc.kill("SIGHUP");
        }),
        scenario(ts.port, async () => {
          writeConfig(ts.confFile, AFTER, tmp);
          ts.child.kill("SIGHUP");
        }),
      ]);
      assert.deepEqual(got, want);
      // The clients saw something: the test would pass vacuously otherwise.
      assert.match(want[0], /Authorization Violation.*<closed>$/s);
      assert.match(want[2], /Permissions Violation for Subscription to "foo.y" \(sid "2"\)/);
      await sleep(100);
      // Go walks its clients (and their subscriptions) in map order: compare the lines as a set.
      assert.deepEqual(authLines(ts.log).sort(), authLines(go.output()).sort());
      assert.ok(authLines(go.output()).some((l) => l.includes("Removed sub")));
    } finally {
      await go.stop();
      await ts.kill();
    }
  });
});
