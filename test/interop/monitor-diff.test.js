// Differential check of the monitoring endpoints against the Go reference
// server: the same client scenario runs against `nats-server -a 127.0.0.1
// -p <free> -m <free>` and against tsnats, then every endpoint's JSON is
// reduced to its set of key paths and value types (recursively, array
// elements merged), and the two sets must agree apart from the listed,
// explained differences. Error replies (status, content type, text) must be
// identical. Skipped when nats-server is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as net from "node:net";
import { connect } from "@nats-io/transport-node";
import { NatsServer } from "../../dist/index.js";
import { goServerPath } from "../helpers/go-server.js";

const goServer = goServerPath();

/** Key paths tsnats reports that nats-server 2.9.10 lacks: fields of newer Go releases. */
const NEWER_GO_KEYS = [
  // nats-server 2.10: slow consumers by connection kind.
  "varz.slow_consumer_stats",
  "varz.slow_consumer_stats.clients",
  "varz.slow_consumer_stats.routes",
  "varz.slow_consumer_stats.gateways",
  "varz.slow_consumer_stats.leafs",
  // nats-server 2.10: the server name in /routez.
  "routez.server_name",
];


/** JSON endpoints compared by shape, under a short name used in key paths (a function gets the open cids). */
const JSON_ENDPOINTS = {
  varz: "/varz",
  connz: "/connz",
  connz_subs: "/connz?subs=1&auth=1",
  connz_detail: "/connz?subs=detail&sort=bytes_to",
  connz_all: "/connz?state=all&subs=1",
  // Last of the closed-connection queries: Go 2.9.10 keeps the detail list it
  // sets on a closed connection for subs=detail, and shows it in every later
  // closed-connection reply.
  connz_closed: "/connz?state=closed&subs=detail",
  // Go's system account client takes the first ids: use A's.
  connz_cid: (cids) => `/connz?cid=${cids[0]}`,
  connz_page: "/connz?offset=1&limit=1",
  subsz: "/subsz",
  subsz_subs: "/subsz?subs=1",
  subsz_test: "/subsz?subs=1&test=orders.new",
  routez: "/routez",
  gatewayz: "/gatewayz",
  leafz: "/leafz",
  accountz: "/accountz",
  accountz_g: "/accountz?acc=$G",
  accstatz: "/accstatz?unused=1",
  jsz: "/jsz",
  jsz_accounts: "/jsz?accounts=1",
  healthz: "/healthz",
  healthz_js: "/healthz?js-enabled-only=true",
};

/** Replies compared byte for byte (status, content type, body). */
const EXACT = [
  "/connz?sort=bogus",
  "/connz?sort=stop",
  "/connz?sort=reason&state=open",
  "/connz?auth=maybe",
  "/connz?subs=x",
  "/connz?state=gone",
  "/connz?limit=x",
  "/connz?offset=99999999999999999999",
  "/connz?cid=-1",
  "/routez?subs=x",
  "/subsz?test=foo.*",
  "/subsz?subs=x",
  "/gatewayz?accs=x",
  "/leafz?subs=x",
  "/accountz?acc=nope",
  "/accstatz?unused=x",
  "/jsz?leader-only=true",
  "/jsz?streams=x",
  "/healthz?js-server-only=x",
  "/healthz?callback=cb",
  "/nope",
  "/varz/",
];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startGo() {
  const [port, mport] = [await freePort(), await freePort()];
  const child = spawn(goServer, ["-a", "127.0.0.1", "-p", String(port), "-m", String(mport)], { stdio: "ignore" });
  const monitorUrl = `http://127.0.0.1:${mport}`;
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      // An endpoint Go does not count in http_req_stats.
      if ((await fetch(`${monitorUrl}/ipqueuesz`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("nats-server did not start");
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorUrl,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const t = setTimeout(() => child.kill("SIGKILL"), 3000);
        child.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** The same clients and traffic against either server. */
async function scenario(target) {
  const a = await connect({ servers: target.url, name: "A", user: "alice", pass: "pw" });
  const b = await connect({ servers: target.url, name: "B", token: "secret" });
  const gone = await connect({ servers: target.url, name: "gone" });
  let got = 0;
  b.subscribe("orders.*", { callback: () => got++ });
  b.subscribe("orders.new", { queue: "workers" });
  b.subscribe("orders.>", { max: 50 });
  gone.subscribe("bye");
  await Promise.all([b.flush(), gone.flush()]);
  for (let i = 0; i < 5; i++) a.publish("orders.new", "payload");
  await a.flush();
  while (got < 5) await new Promise((r) => setTimeout(r, 5));
  await gone.close();
  // A maximum payload violation on a raw connection.
  await new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port: target.port });
    s.on("error", () => {});
    s.on("close", resolve);
    s.on("connect", () => s.write("CONNECT {}\r\nPUB big 2000000\r\n"));
    s.resume();
  });
  await new Promise((r) => setTimeout(r, 50));
  const out = { json: {}, exact: {} };
  const cids = (await (await fetch(`${target.monitorUrl}/connz`)).json()).connections.map((c) => c.cid);
  for (const [name, p] of Object.entries(JSON_ENDPOINTS)) {
    const path = typeof p === "function" ? p(cids) : p;
    const r = await fetch(`${target.monitorUrl}${path}`);
    assert.equal(r.status, 200, `${path} on ${target.label}`);
    assert.equal(r.headers.get("content-type"), "application/json", `${path} on ${target.label}`);
    out.json[name] = await r.json();
  }
  for (const path of EXACT) {
    const r = await fetch(`${target.monitorUrl}${path}`);
    out.exact[path] = { status: r.status, type: r.headers.get("content-type"), body: await r.text() };
  }
  const root = await fetch(`${target.monitorUrl}/`);
  out.rootType = root.headers.get("content-type");
  await Promise.all([a.close(), b.close()]);
  return out;
}

function typeOf(v) {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** Map of key path → sorted value types, recursing into objects and array elements. */
function shape(value, path = "", out = new Map()) {
  if (path) {
    const set = out.get(path) ?? new Set();
    set.add(typeOf(value));
    out.set(path, set);
  }
  if (Array.isArray(value)) for (const el of value) shape(el, `${path}[]`, out);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) shape(v, path ? `${path}.${k}` : k, out);
  return out;
}

test("monitoring endpoints: same keys and types as nats-server, same errors", { skip: goServer ? false : "nats-server not on PATH" }, async () => {
  const go = await startGo();
  const ts = await NatsServer.start({ host: "127.0.0.1", port: 0, httpPort: -1 });
  let goOut;
  let tsOut;
  try {
    goOut = await scenario({ ...go, label: "go" });
    tsOut = await scenario({ url: ts.url, port: ts.port, monitorUrl: ts.monitorUrl, label: "tsnats" });
  } finally {
    await Promise.all([go.stop(), ts.shutdown()]);
  }

  const goShape = shape(goOut.json);
  const tsShape = shape(tsOut.json);
  const onlyGo = [...goShape.keys()].filter((k) => !tsShape.has(k)).sort();
  const onlyTs = [...tsShape.keys()].filter((k) => !goShape.has(k)).sort();
  const typeDiffs = [...goShape.keys()]
    .filter((k) => tsShape.has(k))
    .filter((k) => [...goShape.get(k)].sort().join() !== [...tsShape.get(k)].sort().join())
    .map((k) => `${k}: go ${[...goShape.get(k)]} / tsnats ${[...tsShape.get(k)]}`);

  assert.deepEqual(typeDiffs, [], "value types differ");
  assert.deepEqual(onlyGo, [], "keys only nats-server reports");
  assert.deepEqual(onlyTs, [...NEWER_GO_KEYS].sort(), "keys only tsnats reports");
  // Sanity: the comparison saw the scenario's data on both sides.
  for (const out of [goOut, tsOut]) {
    assert.equal(out.json.connz.num_connections, 2);
    assert.deepEqual(out.json.connz_closed.connections.map((c) => c.reason), ["Client Closed", "Maximum Message Payload Exceeded"]);
    assert.ok(tsShape.has("connz_detail.connections[].subscriptions_list_detail[].qgroup"));
    assert.ok(tsShape.has("connz_closed.connections[].subscriptions_list_detail[].account"));
  }

  // Same traffic, same per-connection counters.
  const counters = (out) => out.json.connz_all.connections.map((c) => [c.name, c.in_msgs, c.in_bytes, c.out_msgs, c.out_bytes, c.subscriptions, c.reason]);
  assert.deepEqual(counters(tsOut), counters(goOut));
  assert.deepEqual(tsOut.json.connz_cid.connections.map((c) => c.name), ["A"]);
  assert.deepEqual(goOut.json.connz_cid.connections.map((c) => c.name), ["A"]);

  for (const path of EXACT) assert.deepEqual(tsOut.exact[path], goOut.exact[path], path);
  assert.equal(tsOut.rootType, goOut.rootType);
});
