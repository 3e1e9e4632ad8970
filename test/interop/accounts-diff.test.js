// Differential accounts check against the Go nats-server 2.9.10 (the
// reference), same config files: raw-protocol transcripts of isolation,
// stream imports and service imports (reply subjects and the request-info
// RTT masked); account limits; the startup errors for bad imports and
// exports; and the JSON of the system account — $SYS.REQ.SERVER.PING and
// its VARZ, CONNZ, STATSZ, SUBSZ, ACCOUNTZ, HEALTHZ, the ACCOUNT.<acc>
// services, CONNECT / DISCONNECT / SERVER.CONNS events, the latency metric,
// Nats-Request-Info — whose key paths and value types must match wherever
// Go reports them.
// Keys tsnats reports beyond 2.9.10 are listed in NEWER_KEYS.
// Skipped when nats-server is not on PATH.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connect } from "@nats-io/transport-node";
import { RawClient } from "../helpers/raw-client.js";
import { sleep } from "../helpers/server.js";
import { goServerPath, startGoServer } from "../helpers/go-server.js";
import { BIN } from "../helpers/tsnats-process.js";
import { startWithAccounts } from "../helpers/accounts.js";
import { runWithConfig } from "../helpers/config-run.js";
import { shapeDiffs } from "../helpers/json-shape.js";

const goBin = goServerPath();

const CONF = `
accounts {
  A: {
    users: [{user: a, password: a}]
    exports: [
      {stream: "news.>"}
      {stream: "priv.>", accounts: [B]}
      {service: "svc.echo"}
      {service: "svc.lat", latency: {sampling: 100, subject: "lat.results"}}
    ]
  }
  B: {
    users: [{user: b, password: b}]
    imports: [
      {stream: {account: A, subject: "news.>"}, prefix: "imp"}
      {stream: {account: A, subject: "priv.>"}, to: "private.>"}
      {service: {account: A, subject: "svc.echo"}, to: "echo"}
      {service: {account: A, subject: "svc.lat"}}
    ]
  }
  SYS: { users: [{user: sys, password: sys}] }
}
system_account: SYS
`;

/** Key paths tsnats reports beyond nats-server 2.9.10 (nats-server 2.10 has them). */
const NEWER_KEYS = new Set(["varz.data.slow_consumer_stats", "varz.data.slow_consumer_stats.clients", "varz.data.slow_consumer_stats.routes", "varz.data.slow_consumer_stats.gateways", "varz.data.slow_consumer_stats.leafs"]);

/** Requests, events and metrics of the system account, the same way on either server. */
async function systemView(port) {
  const url = `127.0.0.1:${port}`;
  const sys = await connect({ servers: url, user: "sys", pass: "sys" });
  const events = [];
  sys.subscribe("$SYS.ACCOUNT.>", { callback: (_e, m) => events.push({ subject: m.subject, json: m.json() }) });
  await sys.flush();
  const a = await connect({ servers: url, user: "a", pass: "a", name: "responder" });
  const b = await connect({ servers: url, user: "b", pass: "b", name: "requester" });
  const out = {};
  try {
    let requestInfo = null;
    a.subscribe("svc.echo", {
      callback: (_e, m) => {
        requestInfo = JSON.parse(m.headers.get("Nats-Request-Info"));
        m.respond("ok");
      },
    });
    a.subscribe("svc.lat", { callback: (_e, m) => m.respond("ok") });
    const lat = [];
    a.subscribe("lat.results", { callback: (_e, m) => lat.push(m.json()) });
    await a.flush();
    await b.request("echo", "x", { timeout: 2000 });
    await b.request("svc.lat", "x", { timeout: 2000 });
    await sleep(200);
    out.request_info = requestInfo;
    out.latency = lat[0];
    for (const [k, subj] of [
      ["varz", "$SYS.REQ.SERVER.PING.VARZ"],
      ["connz", "$SYS.REQ.SERVER.PING.CONNZ"],
      ["statsz", "$SYS.REQ.SERVER.PING.STATSZ"],
      ["ping", "$SYS.REQ.SERVER.PING"],
      ["healthz", "$SYS.REQ.SERVER.PING.HEALTHZ"],
      ["accstatz", "$SYS.REQ.ACCOUNT.PING.STATZ"],
      ["acc_conns", "$SYS.REQ.ACCOUNT.A.CONNS"],
      ["subsz", "$SYS.REQ.SERVER.PING.SUBSZ"],
      ["accountz", "$SYS.REQ.SERVER.PING.ACCOUNTZ"],
      ["acc_info", "$SYS.REQ.ACCOUNT.A.INFO"],
      ["acc_info_b", "$SYS.REQ.ACCOUNT.B.INFO"],
      ["acc_subsz", "$SYS.REQ.ACCOUNT.A.SUBSZ"],
      ["acc_connz", "$SYS.REQ.ACCOUNT.A.CONNZ"],
      ["acc_statz", "$SYS.REQ.ACCOUNT.A.STATZ"],
      ["acc_jsz", "$SYS.REQ.ACCOUNT.A.JSZ"],
      ["acc_leafz", "$SYS.REQ.ACCOUNT.A.LEAFZ"],
    ]) {
      out[k] = (await sys.request(subj, "", { timeout: 2000 })).json();
    }
    await a.close();
    await sleep(200);
    out.connect = events.find((e) => e.subject === "$SYS.ACCOUNT.A.CONNECT")?.json;
    out.disconnect = events.find((e) => e.subject === "$SYS.ACCOUNT.A.DISCONNECT")?.json;
    out.conns = events.find((e) => e.subject === "$SYS.ACCOUNT.A.SERVER.CONNS")?.json;
  } finally {
    await b.close();
    await sys.close();
  }
  return out;
}

/** Raw protocol: isolation, stream imports with prefix and `to`, a service request and its answer. */
async function transcripts(port) {
  const open = async (user) => {
    const c = await RawClient.connect(port);
    await c.waitFor(/^INFO .*\r\n/);
    c.send(`CONNECT {"verbose":false,"pedantic":false,"headers":true,"user":"${user}","pass":"${user}"}\r\nPING\r\n`);
    await c.waitFor("PONG\r\n");
    return c;
  };
  const sync = async (c) => {
    const n = c.count("PONG\r\n") + 1;
    c.send("PING\r\n");
    await c.waitFor(() => c.count("PONG\r\n") >= n);
  };
  const a = await open("a");
  const b = await open("b");
  try {
    a.send("SUB x 1\r\nSUB svc.echo 2\r\n");
    b.send("SUB x 1\r\nSUB imp.news.> 2\r\nSUB private.> 3\r\nSUB news.> 4\r\nSUB _INBOX.r 5\r\n");
    await sync(a);
    await sync(b);
    a.send("PUB x 3\r\naaa\r\nPUB news.one 4\r\nnews\r\nPUB priv.x 4\r\npriv\r\n");
    await sync(a);
    await sync(b);
    b.send("PUB x 3\r\nbbb\r\nPUB news.local 5\r\nlocal\r\nPUB echo _INBOX.r 3\r\nreq\r\n");
    await sync(b);
    await sync(a);
    await a.waitFor(/HMSG svc\.echo 2 \S+ \d+ \d+\r\n/);
    const m = /HMSG svc\.echo 2 (\S+) /.exec(a.data);
    a.send(`PUB ${m[1]} 6\r\nanswer\r\n`);
    await sync(a);
    await b.waitFor("answer\r\n");
    await sync(b);
    const mask = (s) =>
      s
        .replace(/^INFO .*\r\n/, "")
        .replace(/_R_\.[0-9A-Za-z]+\.[0-9A-Za-z]+/g, "_R_.X")
        .replace(/"rtt":\d+/g, '"rtt":N')
        .replace(/^HMSG (\S+ \d+ \S+) \d+ \d+\r\n/gm, "HMSG $1 N N\r\n");
    return [mask(a.data), mask(b.data)];
  } finally {
    a.close();
    b.close();
  }
}

const LIMITS_CONF = `accounts { C: { users: [{user: c, password: c}], limits: {max_connections: 1, max_subscriptions: 1, max_payload: 10} } }`;

/** Raw protocol against account limits: a second connection, a second subscription, a too large payload. */
async function limitTranscripts(port) {
  const run = async (script) => {
    const c = await RawClient.connect(port);
    await c.waitFor(/^INFO .*\r\n/);
    c.send(script);
    await c.waitClosed(3000).catch(() => {});
    const out = c.data.replace(/^INFO .*\r\n/, "") + (c.closed ? "<closed>" : "");
    c.close();
    return out;
  };
  const first = await RawClient.connect(port);
  await first.waitFor(/^INFO .*\r\n/);
  first.send('CONNECT {"user":"c","pass":"c","verbose":false}\r\nPING\r\n');
  await first.waitFor("PONG\r\n");
  const second = await run('CONNECT {"user":"c","pass":"c","verbose":false}\r\nPING\r\n');
  first.close();
  await sleep(100);
  const limits = await run('CONNECT {"user":"c","pass":"c","verbose":false}\r\nSUB a 1\r\nSUB b 2\r\nPING\r\nPUB a 11\r\n01234567890\r\nPING\r\n');
  return [second, limits];
}

const BAD_CONFIGS = [
  ["import not authorized", `accounts {\n  A: { exports: [ {service: "svc.x", accounts: [C]}, {stream: "s.>", accounts: [C]} ] }\n  B: { imports: [ {service: {account: A, subject: "svc.x"}}, {stream: {account: A, subject: "s.>"}} ] }\n  C: {}\n}`],
  ["bad prefix, missing account", `accounts {\n  A: { imports: [{stream: {account: B, subject: "s.>"}, prefix: "p.*"}, {stream: {account: X, subject: "s.>"}}] }\n  B: { exports: [{stream: "s.>"}] }\n}`],
  // Go locates this at the end of the import's map, tsnats at its start: the position is not compared.
  ["duplicate service import", `accounts {\n  A: { exports: [{service: "svc.x"}] }\n  B: { imports: [ {service: {account: A, subject: "svc.x"}, to: "a"}, {service: {account: A, subject: "svc.x"}, to: "a"} ] }\n}`, { anyPosition: true }],
  // Which of the two imports Go reports depends on its map order.
  ["service import cycle", `accounts {\n  A: { exports: [ {service: "x.>"}], imports: [{service: {account: B, subject: "y.>"}, to: "x.>"}] }\n  B: { exports: [{service: "y.>"}], imports: [ {service: {account: A, subject: "x.>"}, to: "y.>"} ] }\n}`, { anySubject: true }],
  ["reserved account", `accounts { $G: {} }`],
  ["bad latency sampling", `accounts { A: { exports: [{service: "x", latency: {sampling: 200, subject: "l"}}] } }`],
  ["unknown limits field", `accounts { A: { limits: {max_conn: 1, foo: 2} } }`],
  ["unknown system account", `accounts { A: {} }\nsystem_account: NOPE`],
];


describe("accounts: tsnats vs nats-server", { skip: goBin ? false : "nats-server not on PATH" }, () => {
  const tmp = goBin ? fs.mkdtempSync(path.join(os.tmpdir(), "accounts-diff-")) : "";
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const confFile = (name, text) => {
    const f = path.join(tmp, `${name}.conf`);
    // First line left blank: nats-server counts columns on line 1 differently.
    fs.writeFileSync(f, `# ${name}\n${text}\n`);
    return f;
  };

  test("isolation, stream imports and a service request: same transcripts", { timeout: 20000 }, async () => {
    const file = confFile("transcripts", CONF);
    const go = await startGoServer(["-c", file]);
    const ts = await startWithAccounts(CONF);
    try {
      const [g, t] = [await transcripts(go.port), await transcripts(ts.port)];
      assert.deepEqual(t, g);
      assert.match(g[1], /MSG imp\.news\.one 2 4/);
    } finally {
      await go.stop();
      await ts.shutdown();
    }
  });

  test("account limits: same errors and closes", { timeout: 20000 }, async () => {
    const file = confFile("limits", LIMITS_CONF);
    const go = await startGoServer(["-c", file]);
    const ts = await startWithAccounts(LIMITS_CONF);
    try {
      const g = await limitTranscripts(go.port);
      assert.deepEqual(await limitTranscripts(ts.port), g);
      assert.match(g[0], /maximum account active connections exceeded/);
    } finally {
      await go.stop();
      await ts.shutdown();
    }
  });

  test("system account requests, events and metrics: same keys and types", { timeout: 30000 }, async () => {
    const file = confFile("system", CONF);
    const go = await startGoServer(["-c", file]);
    const ts = await startWithAccounts(CONF);
    try {
      const g = await systemView(go.port);
      const t = await systemView(ts.port);
      for (const k of Object.keys(g)) assert.ok(g[k] !== undefined, `Go answered ${k}`);
      // Key paths start with the view's names (varz.data...), as NEWER_KEYS lists them.
      assert.deepEqual(shapeDiffs("system", g, t, NEWER_KEYS), [], "key paths and types as nats-server");
    } finally {
      await go.stop();
      await ts.shutdown();
    }
  });

  for (const [name, text, how = {}] of BAD_CONFIGS) {
    test(`startup refused: ${name}`, async () => {
      const file = confFile(`bad-${name.replace(/\W+/g, "-")}`, text);
      const [g, t] = await Promise.all([runWithConfig(goBin, [], file), runWithConfig(process.execPath, [BIN], file)]);
      assert.equal(g.code, 1);
      assert.equal(t.code, g.code);
      // Go reports several problems in its map order: compare them as sets.
      const lines = (s) =>
        s
          .split("\n")
          .map((l) => l.replace(/^(nats-server|tsnats): /, "").trim())
          .map((l) => (how.anyPosition ? l.replace(/^\S+:\d+:\d+: /, "") : l))
          .map((l) => (how.anySubject ? l.replace(/import "[^"]*"/, 'import "…"') : l))
          .filter((l) => l !== "")
          .sort();
      assert.deepEqual(lines(t.stderr), lines(g.stderr));
    });
  }
});
