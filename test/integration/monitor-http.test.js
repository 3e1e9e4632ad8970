// Monitoring listener: ports and URLs, routing under a base path, the index
// page, 404/301, JSONP, parameter errors, http_req_stats, and /varz values.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NatsServer } from "../../dist/index.js";
import { client, get, getJson, rawGet, startMonitored, waitFor } from "./monitor-helpers.js";

const ENDPOINTS = ["varz", "connz", "subsz", "routez", "gatewayz", "leafz", "accountz", "accstatz", "jsz", "healthz"];

test("monitoring is off by default and on a random port with -1", async () => {
  const off = await NatsServer.start({ host: "127.0.0.1", port: 0 });
  try {
    assert.equal(off.monitorPort, 0);
    assert.equal(off.monitorUrl, "");
  } finally {
    await off.shutdown();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-mon-"));
  const s = await startMonitored({ portsFileDir: dir });
  const port = s.monitorPort;
  try {
    assert.ok(port > 0 && port !== s.port);
    assert.equal(s.monitorUrl, `http://127.0.0.1:${port}`);
    const ports = JSON.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith(".ports"))), "utf8"));
    assert.deepEqual(ports.monitoring, [`http://127.0.0.1:${port}`]);
    assert.deepEqual(ports.nats, [`nats://127.0.0.1:${s.port}`]);
  } finally {
    await s.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // The port is released on shutdown.
  await assert.rejects(fetch(`http://127.0.0.1:${port}/varz`));
});

test("index page, 404s, redirects, JSONP and content types", async () => {
  const s = await startMonitored();
  try {
    const root = await get(s, "/");
    assert.equal(root.status, 200);
    assert.equal(root.type, "text/html; charset=utf-8");
    for (const e of ENDPOINTS) assert.ok(root.text.includes(`href="./${e}"`), `index links ${e}`);

    for (const p of ["/nope", "/varz/", "/stacksz"]) {
      const r = await get(s, p);
      assert.equal(r.status, 404, p);
      assert.equal(r.type, "text/plain; charset=utf-8");
      assert.equal(r.text, "404 page not found\n");
    }
    for (const p of ["/./varz?x=1", "//varz?x=1", "/a/../varz?x=1"]) {
      const redirect = await rawGet(s, p);
      assert.equal(redirect.status, 301, p);
      assert.equal(redirect.headers.location, "/varz?x=1", p);
    }

    for (const e of ENDPOINTS) {
      const r = await get(s, `/${e}`);
      assert.equal(r.status, 200, e);
      assert.equal(r.type, "application/json", e);
      JSON.parse(r.text);
      const p = await get(s, `/${e}?callback=cb_1`);
      assert.equal(p.type, "application/javascript", e);
      assert.match(p.text, /^cb_1\(\{[\s\S]*\}\)$/, e);
      JSON.parse(p.text.slice(5, -1));
    }
    // Indented like Go's MarshalIndent; healthz is compact.
    assert.match((await get(s, "/varz")).text, /^\{\n  "server_id": "/);
    assert.equal((await get(s, "/healthz")).text, '{"status":"ok"}');
    // /subscriptionsz is the old name of /subsz.
    assert.deepEqual(Object.keys(await getJson(s, "/subscriptionsz")), Object.keys(await getJson(s, "/subsz")));
    assert.equal((await get(s, "/ipqueuesz")).text, "{}");
  } finally {
    await s.shutdown();
  }
});

test("base path: endpoints move under it, links follow", async () => {
  const s = await startMonitored({ httpBasePath: "mon/" });
  try {
    assert.equal(s.monitorUrl, `http://127.0.0.1:${s.monitorPort}/mon`);
    const v = await getJson(s, "/varz");
    assert.equal(v.http_base_path, "mon/");
    const root = await get(s, "");
    assert.equal(root.status, 200);
    assert.ok(root.text.includes('href="./mon/connz"'));
    const direct = await fetch(`http://127.0.0.1:${s.monitorPort}/varz`);
    assert.equal(direct.status, 404);
    const top = await fetch(`http://127.0.0.1:${s.monitorPort}/`);
    assert.equal(top.status, 404);
  } finally {
    await s.shutdown();
  }
});

test("parameter errors: 400 with Go's text as text/plain", async () => {
  const s = await startMonitored();
  const cases = {
    "/connz?auth=maybe": `Error decoding boolean for 'auth': strconv.ParseBool: parsing "maybe": invalid syntax`,
    "/connz?subs=x": `Error decoding boolean for 'subs': strconv.ParseBool: parsing "x": invalid syntax`,
    "/connz?offset=1.5": `Error decoding int for 'offset': strconv.Atoi: parsing "1.5": invalid syntax`,
    "/connz?limit=99999999999999999999": `Error decoding int for 'limit': strconv.Atoi: parsing "99999999999999999999": value out of range`,
    "/connz?cid=-1": `Error decoding uint64 for 'cid': strconv.ParseUint: parsing "-1": invalid syntax`,
    "/connz?state=gone": "Error decoding state for gone",
    "/connz?sort=bogus": "invalid sorting option: bogus",
    "/connz?sort=stop": "sort by stop only valid on closed connections",
    "/connz?sort=reason&state=all": "sort by reason only valid on closed connections",
    "/connz?filter_subject=foo": "filter by subject only valid with account filtering",
    "/routez?subs=2": `Error decoding boolean for 'subs': strconv.ParseBool: parsing "2": invalid syntax`,
    "/subsz?subs=yes": `Error decoding boolean for 'subs': strconv.ParseBool: parsing "yes": invalid syntax`,
    "/subsz?test=foo.*": "invalid test subject, must be valid publish subject: foo.*",
    "/gatewayz?accs=x": `Error decoding boolean for 'accs': strconv.ParseBool: parsing "x": invalid syntax`,
    "/leafz?subs=x": `Error decoding boolean for 'subs': strconv.ParseBool: parsing "x": invalid syntax`,
    "/accountz?acc=nope": "Account nope does not exist",
    "/accstatz?unused=x": `Error decoding boolean for 'unused': strconv.ParseBool: parsing "x": invalid syntax`,
    "/jsz?leader-only=true": "filtered response: not leader",
    "/jsz?limit=x": `Error decoding int for 'limit': strconv.Atoi: parsing "x": invalid syntax`,
    "/healthz?js-enabled-only=x": `Error decoding boolean for 'js-enabled-only': strconv.ParseBool: parsing "x": invalid syntax`,
  };
  try {
    for (const [p, text] of Object.entries(cases)) {
      const r = await get(s, p);
      assert.equal(r.status, 400, p);
      assert.equal(r.type, "text/plain; charset=utf-8", p);
      assert.equal(r.text, text, p);
    }
  } finally {
    await s.shutdown();
  }
});

test("http_req_stats counts requests per endpoint as Go does", async () => {
  const s = await startMonitored();
  try {
    await get(s, "/");
    await get(s, "/connz");
    await get(s, "/connz?limit=x"); // decoding failed first: not counted
    await get(s, "/connz?sort=bogus"); // decoded, then rejected: counted
    await get(s, "/subscriptionsz");
    await get(s, "/subsz?subs=x"); // counted before decoding
    await get(s, "/healthz");
    await get(s, "/nope");
    await get(s, "/varz");
    const v = await getJson(s, "/varz");
    assert.deepEqual(v.http_req_stats, { "/": 1, "/connz": 2, "/healthz": 1, "/subsz": 2, "/varz": 2 });
    assert.deepEqual(Object.keys(v.http_req_stats), Object.keys(v.http_req_stats).sort());
  } finally {
    await s.shutdown();
  }
});

test("/varz reports options, identity and live counters", async () => {
  // Without the system account's internal subscriptions, the counters are the client's alone.
  const s = await startMonitored({ maxPayload: 4096, maxSubscriptions: 50, pingInterval: 30_000, writeDeadline: 2_000, authTimeout: 1_500, tags: ["a:1"], serverName: "mon-1", noSystemAccount: true });
  const nc = await client(s, "varz");
  try {
    let got = 0;
    nc.subscribe("v.>", { callback: () => got++ });
    nc.subscribe("w");
    for (let i = 0; i < 3; i++) nc.publish("v.x", "12345");
    await nc.flush();
    await waitFor(() => got === 3, "3 messages");
    const v = await getJson(s, "/varz");
    assert.equal(v.server_name, "mon-1");
    assert.match(v.server_id, /^N[A-Z0-9]{55}$/);
    assert.equal(v.host, "127.0.0.1");
    assert.equal(v.port, s.port);
    assert.equal(v.http_host, "127.0.0.1");
    assert.equal(v.http_port, -1);
    assert.equal(v.max_payload, 4096);
    assert.equal(v.max_subscriptions, 50);
    assert.equal(v.ping_interval, 30_000_000_000);
    assert.equal(v.write_deadline, 2_000_000_000);
    assert.equal(v.auth_timeout, 1.5);
    assert.deepEqual(v.tags, ["a:1"]);
    assert.equal(v.connections, 1);
    assert.equal(v.total_connections, 1);
    assert.equal(v.subscriptions, 2);
    assert.equal(v.in_msgs, 3);
    assert.equal(v.out_msgs, 3);
    assert.equal(v.in_bytes, 15);
    assert.equal(v.out_bytes, 15);
    assert.equal(v.slow_consumers, 0);
    assert.ok(v.mem > 0 && v.cores > 0);
    assert.equal(typeof v.cpu, "number");
    assert.ok(Date.parse(v.now) >= Date.parse(v.start));
    assert.match(v.uptime, /^\d+s$/);
    // Counters survive the connection closing.
    await nc.close();
    const after = await getJson(s, "/varz");
    assert.equal(after.connections, 0);
    assert.equal(after.total_connections, 1);
    assert.equal(after.in_msgs, 3);
    assert.equal(after.out_bytes, 15);
    assert.equal(after.subscriptions, 0);
  } finally {
    await nc.close().catch(() => {});
    await s.shutdown();
  }
});
