// Operator mode with JetStream: an account JWT with JetStream limits gets
// JetStream (default tier or tiered_limits.R1), one without answers
// "JetStream not enabled for account"; the limits are enforced with Go's
// errors, shown by $JS.API.INFO, and a pushed JWT update changes them
// (and can take JetStream away); file streams survive a restart. Real
// clients with credsAuthenticator.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { jetstreamManager, jetstream } from "@nats-io/jetstream";
import { startServer } from "../helpers/server.js";
import { makeOperator, makeAccount, makeUser, UNLIMITED } from "../helpers/jwt-fixtures.js";

const T = { timeout: 30000 };
const json = (m) => JSON.parse(new TextDecoder().decode(m.data));
const JS_LIMITS = { mem_storage: 1024 * 1024, disk_storage: 2048, streams: 2, consumer: 1, max_ack_pending: 5, mem_max_stream_bytes: 0, disk_max_stream_bytes: 0, max_bytes_required: false };

describe("JetStream limits from account JWTs", () => {
  let op, JS, NOJS, TIER, sysUser, s, storeDir;
  const conns = [];
  const client = async (u) => {
    const nc = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator(u.creds) });
    conns.push(nc);
    return nc;
  };
  const push = async (acc) => {
    const sys = await client(sysUser);
    const r = json(await sys.request(`$SYS.REQ.ACCOUNT.${acc.id}.CLAIMS.UPDATE`, acc.jwt, { timeout: 2000 }));
    assert.equal(r.data?.message, "jwt updated", JSON.stringify(r));
  };
  before(async () => {
    op = await makeOperator();
    JS = await makeAccount(op, "JS", { limits: { ...UNLIMITED, ...JS_LIMITS } });
    NOJS = await makeAccount(op, "NOJS", { limits: UNLIMITED });
    TIER = await makeAccount(op, "TIER", { limits: { ...UNLIMITED, tiered_limits: { R1: { mem_storage: -1, disk_storage: -1, streams: 1, consumer: -1, max_ack_pending: -1 } } } });
    sysUser = await makeUser({ kp: op.sys, id: op.sys.getPublicKey() }, "sys");
    storeDir = fs.mkdtempSync(path.join(os.tmpdir(), "jwt-js-"));
    s = await startServer({
      jetstream: true,
      storeDir,
      trustedOperators: [op.jwt],
      systemAccount: op.sys.getPublicKey(),
      accountResolver: { type: "memory" },
      resolverPreload: { [op.sys.getPublicKey()]: op.sysJwt, [JS.id]: JS.jwt, [NOJS.id]: NOJS.jwt, [TIER.id]: TIER.jwt },
    });
  });
  after(async () => {
    for (const nc of conns) await nc.close().catch(() => {});
    await s?.shutdown();
    fs.rmSync(storeDir, { recursive: true, force: true });
  });

  test("an account without JetStream limits answers JetStream not enabled for account", T, async () => {
    const nc = await client(await makeUser(NOJS, "u"));
    const info = json(await nc.request("$JS.API.INFO", "", { timeout: 2000 }));
    assert.deepEqual(info.error, { code: 503, err_code: 10039, description: "JetStream not enabled for account" });
    assert.equal(info.type, "io.nats.jetstream.api.v1.account_info_response");
  });

  test("$JS.API.INFO shows the JWT's limits; streams, consumers and storage are limited with Go's errors", T, async () => {
    const nc = await client(await makeUser(JS, "u"));
    const jsm = await jetstreamManager(nc);
    const info = await jsm.getAccountInfo();
    assert.deepEqual(info.limits, {
      max_memory: 1024 * 1024,
      max_storage: 2048,
      max_streams: 2,
      max_consumers: 1,
      max_ack_pending: 5,
      memory_max_stream_bytes: -1,
      storage_max_stream_bytes: -1,
      max_bytes_required: false,
    });
    await jsm.streams.add({ name: "M", subjects: ["m.>"], storage: "memory" });
    await assert.rejects(jsm.streams.add({ name: "F", subjects: ["f.>"], storage: "file", max_bytes: 4096 }), /insufficient storage resources available/);
    await jsm.streams.add({ name: "F", subjects: ["f.>"], storage: "file" });
    await assert.rejects(jsm.streams.add({ name: "X", subjects: ["x.>"], storage: "memory" }), /maximum number of streams reached/);
    await jsm.consumers.add("M", { durable_name: "c1", ack_policy: "explicit" });
    await assert.rejects(jsm.consumers.add("M", { durable_name: "c2", ack_policy: "explicit" }), /maximum consumers limit reached/);
    const js = jetstream(nc);
    await js.publish("f.1", new Uint8Array(1500));
    await assert.rejects(js.publish("f.2", new Uint8Array(1500)), /resource limits exceeded for account/);
  });

  test("a pushed JWT update changes the limits and can take JetStream away", T, async () => {
    const nc = await client(await makeUser(JS, "u2"));
    const jsm = await jetstreamManager(nc);
    const raised = await makeAccount(op, "JS", { limits: { ...UNLIMITED, ...JS_LIMITS, streams: 5, disk_storage: 1 << 20 } }, { kp: JS.kp });
    await push(raised);
    const info = await jsm.getAccountInfo();
    assert.equal(info.limits.max_streams, 5);
    assert.equal(info.limits.max_storage, 1 << 20);
    assert.equal(info.streams, 2, "streams kept across the update");
    await jsm.streams.add({ name: "X", subjects: ["x.>"], storage: "memory" });
    const off = await makeAccount(op, "JS", { limits: UNLIMITED }, { kp: JS.kp });
    await push(off);
    const gone = json(await nc.request("$JS.API.INFO", "", { timeout: 2000 }));
    assert.equal(gone.error?.err_code, 10039);
    await push(raised);
    const back = await jsm.getAccountInfo();
    assert.equal(back.streams, 1, "the file stream is recovered when JetStream comes back (memory streams are gone)");
  });

  test("tiered limits: R1 applies and INFO lists the tier", T, async () => {
    const nc = await client(await makeUser(TIER, "u"));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "T1", subjects: ["t1"], storage: "memory" });
    await assert.rejects(jsm.streams.add({ name: "T2", subjects: ["t2"], storage: "memory" }), /maximum number of streams reached/);
    const info = json(await nc.request("$JS.API.INFO", "", { timeout: 2000 }));
    assert.equal(info.limits.max_streams, 0);
    assert.equal(info.tiers.R1.streams, 1);
    assert.equal(info.tiers.R1.limits.max_streams, 1);
    assert.equal(info.tiers.R1.limits.max_memory, -1);
    const r3only = await makeAccount(op, "TIER", { limits: { ...UNLIMITED, tiered_limits: { R3: { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 } } } }, { kp: TIER.kp });
    await push(r3only);
    await assert.rejects(jsm.streams.add({ name: "T3", subjects: ["t3"], storage: "memory" }), /no JetStream default or applicable tiered limit present/);
  });

  test("after a restart the file streams of JWT accounts are back with their messages", T, async () => {
    await s.shutdown();
    s = await startServer({
      jetstream: true,
      storeDir,
      trustedOperators: [op.jwt],
      systemAccount: op.sys.getPublicKey(),
      accountResolver: { type: "memory" },
      resolverPreload: { [op.sys.getPublicKey()]: op.sysJwt, [JS.id]: JS.jwt, [NOJS.id]: NOJS.jwt, [TIER.id]: TIER.jwt },
    });
    const nc = await client(await makeUser(JS, "u3"));
    const jsm = await jetstreamManager(nc);
    const f = await jsm.streams.info("F");
    assert.equal(f.state.messages, 1);
  });
});
