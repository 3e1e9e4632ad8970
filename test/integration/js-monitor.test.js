// JetStream beside the rest of the server: /jsz with real data and its
// parameters, /varz `jetstream`, /healthz js options, the -js/-sd command
// line (banner, INFO jetstream), advisories, and bad API input (no crash,
// Go's answers; requests without a reply change state silently).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startMonitored, getJson } from "./monitor-helpers.js";
import { startServer, waitUntil, withTimeout } from "../helpers/server.js";
import { startTsnats, tempDir, removeDir } from "../helpers/tsnats-process.js";

describe("JetStream monitoring", { timeout: 30_000 }, () => {
  let server, nc;
  before(async () => {
    server = await startMonitored({ jetstream: true });
    nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "MON", subjects: ["mon.>"] });
    await jsm.streams.add({ name: "MEM", subjects: ["mem"], storage: "memory", max_bytes: 4096 });
    const js = jetstream(nc);
    for (let i = 0; i < 5; i++) await js.publish("mon.x", "hello");
    await js.publish("mem", "m");
  });
  after(async () => {
    await nc?.close();
    await server?.shutdown();
  });

  test("/accountz shows jetstream_enabled for an account with JetStream", async () => {
    const a = await getJson(server, "/accountz?acc=$G");
    assert.equal(a.account_detail.jetstream_enabled, true);
  });

  test("/jsz reports config, usage and per-account / per-stream detail", async () => {
    const j = await getJson(server, "/jsz");
    assert.equal(j.disabled, undefined);
    assert.ok(j.config.max_memory > 0 && j.config.store_dir.endsWith("/jetstream"));
    assert.deepEqual([j.streams, j.messages, j.accounts], [2, 6, 1]);
    assert.ok(j.storage > 0 && j.memory > 0);
    assert.equal(j.reserved_memory, 4096);
    assert.equal(j.account_details, undefined);
    const d = await getJson(server, "/jsz?accounts=true&streams=true&config=true");
    const acc = d.account_details[0];
    assert.equal(acc.name, "$G");
    assert.deepEqual(acc.stream_detail.map((s) => s.name), ["MEM", "MON"]);
    assert.equal(acc.stream_detail[1].state.messages, 5);
    assert.equal(acc.stream_detail[1].config.name, "MON");
    const noCfg = await getJson(server, "/jsz?streams=true");
    assert.equal(noCfg.account_details[0].stream_detail[0].config, undefined);
    // As Go: an unknown acc gives no detail; a known one gives its detail without accounts=true.
    assert.equal((await getJson(server, "/jsz?acc=NOPE")).account_details, undefined);
    assert.equal((await getJson(server, "/jsz?acc=$G")).account_details[0].name, "$G");
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add("MON", { durable_name: "watcher", ack_policy: "explicit" });
    const c = await getJson(server, "/jsz?consumers=true&config=true");
    assert.equal(c.consumers, 1);
    const mon = c.account_details[0].stream_detail.find((x) => x.name === "MON");
    assert.equal(mon.consumer_detail[0].name, "watcher");
    await jsm.consumers.delete("MON", "watcher");
  });

  test("/varz jetstream block and /healthz", async () => {
    const v = await getJson(server, "/varz");
    assert.ok(v.jetstream.config.max_storage > 0);
    assert.equal(v.jetstream.stats.accounts, 1);
    assert.ok(v.jetstream.stats.api.total >= 2);
    assert.equal((await getJson(server, "/healthz?js-enabled-only=true")).status, "ok");
  });

  test("advisories: stream created/deleted and API audit", async () => {
    const events = [];
    const sub = nc.subscribe("$JS.EVENT.ADVISORY.>", { callback: (_e, m) => events.push([m.subject, m.json()]) });
    await nc.flush();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "ADV", subjects: ["adv"] });
    await jsm.streams.delete("ADV");
    await waitUntil(() => events.some(([s]) => s === "$JS.EVENT.ADVISORY.STREAM.DELETED.ADV"), 2000, "advisories");
    sub.unsubscribe();
    const created = events.find(([s]) => s === "$JS.EVENT.ADVISORY.STREAM.CREATED.ADV")[1];
    assert.deepEqual([created.type, created.stream, created.action], ["io.nats.jetstream.advisory.v1.stream_action", "ADV", "create"]);
    const audit = events.find(([s, e]) => s === "$JS.EVENT.ADVISORY.API" && e.subject === "$JS.API.STREAM.CREATE.ADV")[1];
    assert.equal(audit.type, "io.nats.jetstream.advisory.v1.api_audit");
    assert.equal(JSON.parse(audit.response).config.name, "ADV");
  });

  test("bad API input: garbage, huge numbers, no reply subject; the server keeps serving", async () => {
    for (const body of ["", "null", "[]", "{", '{"name":{"a":1}}', "\u0000\u0001", JSON.stringify({ name: "Z", subjects: ["z"], max_msgs: 1e300 })]) {
      const m = await nc.request("$JS.API.STREAM.CREATE.Z", body, { timeout: 2000 });
      const r = JSON.parse(m.string());
      assert.equal(r.type, "io.nats.jetstream.api.v1.stream_create_response");
      assert.ok(r.error, body);
    }
    nc.publish("$JS.API.STREAM.CREATE.QUIET", JSON.stringify({ name: "QUIET", subjects: ["quiet"] }));
    const jsm = await jetstreamManager(nc);
    await waitUntil(async () => (await jsm.streams.names().next()).includes("QUIET"), 2000, "create without reply");
    const unknown = await nc.request("$JS.API.NOPE", "", { timeout: 300 }).catch((e) => e);
    assert.ok(unknown instanceof Error);
    assert.equal((await jsm.getAccountInfo()).streams, 3);
  });
});

describe("JetStream domain", { timeout: 30_000 }, () => {
  test("PubAcks carry the domain; $JS.<domain>.API answers like $JS.API", async () => {
    const s = await startServer({ jetstream: { domain: "hub" } });
    const nc = await connect({ servers: s.url });
    try {
      const info = JSON.parse((await nc.request("$JS.hub.API.INFO", "", { timeout: 2000 })).string());
      assert.equal(info.domain, "hub");
      const jsm = await jetstreamManager(nc, { domain: "hub" });
      await jsm.streams.add({ name: "DOM", subjects: ["dom"] });
      const raw = await nc.request("dom", "x", { timeout: 2000 });
      assert.equal(raw.string(), '{"stream":"DOM", "domain":"hub", "seq":1}');
      const ack = await jetstream(nc, { domain: "hub" }).publish("dom", "y");
      assert.deepEqual([ack.domain, ack.seq], ["hub", 2]);
      // A mirror through this server's own domain API is followed locally.
      await jsm.streams.add({ name: "DOMM", mirror: { name: "DOM", external: { api: "$JS.hub.API" } } });
      await waitUntil(async () => (await jsm.streams.info("DOMM")).state.messages === 2, 3000, "mirror via domain API");
    } finally {
      await nc.close();
      await s.shutdown();
    }
  });
});

describe("JetStream from the command line", { timeout: 30_000 }, () => {
  const dirs = [];
  after(() => dirs.forEach(removeDir));
  test("-js -sd: Go's banner, store directory, INFO jetstream", async () => {
    const store = tempDir("tsnats-js-");
    const run = tempDir("tsnats-run-");
    dirs.push(store, run);
    const p = await startTsnats(["-js", "-sd", store, "-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", run], { dir: run });
    try {
      assert.ok(p.lines("Starting JetStream").length === 1);
      assert.ok(p.lines(`Store Directory: "${store}/jetstream"`).length === 1, p.log);
      assert.ok(p.lines("---------------- JETSTREAM ----------------").length === 1);
      const url = (await p.portsFile()).nats[0].replace("0.0.0.0", "127.0.0.1");
      const nc = await connect({ servers: url });
      assert.equal(nc.info.jetstream, true);
      await nc.close();
    } finally {
      await p.kill();
    }
  });

  test("reload refuses JetStream limit and store directory changes with Go's texts", async () => {
    const { writeFileSync } = await import("node:fs");
    const run = tempDir("tsnats-run-");
    dirs.push(run);
    const conf = `${run}/js.conf`;
    const write = (mem, dir) => writeFileSync(conf, `listen: 127.0.0.1:-1\njetstream { store_dir: "${run}/${dir}", max_mem: ${mem} }\n`);
    write("1G", "sd");
    const p = await startTsnats(["-c", conf], { dir: run });
    try {
      await p.signalAndWait("SIGHUP", "Reloaded server configuration");
      write("2G", "sd");
      await p.signalAndWait("SIGHUP", "config reload not supported for jetstream max memory and store");
      write("1G", "sd2");
      await p.signalAndWait("SIGHUP", "config reload not supported for jetstream storage directory");
    } finally {
      await p.kill();
    }
  });

  test("embedded jetstream: true uses a temporary store removed at shutdown", async () => {
    const s = await startServer({ jetstream: true });
    const engine = s.server.extraListener("jetstream");
    const { existsSync } = await import("node:fs");
    assert.ok(existsSync(engine.storeDir));
    await s.shutdown();
    assert.equal(existsSync(engine.storeDir), false);
    await withTimeout(Promise.resolve(), 10);
  });
});
