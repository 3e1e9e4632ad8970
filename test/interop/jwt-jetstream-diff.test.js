// Differential: JetStream limits from account JWTs, tsnats beside Go
// nats-server 2.9.10 with the same operator, MEMORY resolver and -js. The
// same requests get the same replies: "not enabled for account" for an
// account whose JWT has no JetStream limits, $JS.API.INFO limits, and the
// limit errors (storage reservation, stream count, consumer count, account
// storage on publish, max_ack_pending). Skipped when nats-server is not on PATH.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { startServer } from "../helpers/server.js";
import { goServerPath, startGoServer } from "../helpers/go-server.js";
import { loadConfigFile } from "../../dist/config/index.js";
import { makeOperator, makeAccount, makeUser, memoryConfig, UNLIMITED } from "../helpers/jwt-fixtures.js";

const goBin = goServerPath();
const T = { timeout: 30000 };

describe("JWT JetStream limits: tsnats vs nats-server", { skip: goBin ? false : "nats-server not on PATH" }, () => {
  const tmp = goBin ? fs.mkdtempSync(path.join(os.tmpdir(), "jwt-js-diff-")) : "";
  let go, ts, JS, NOJS;
  const opened = [];
  before(async () => {
    if (!goBin) return;
    const op = await makeOperator();
    JS = await makeAccount(op, "JS", { limits: { ...UNLIMITED, mem_storage: 1 << 20, disk_storage: 2048, streams: 2, consumer: 1, max_ack_pending: 5 } });
    NOJS = await makeAccount(op, "NOJS", { limits: UNLIMITED });
    const conf = (name) => memoryConfig(op, [JS, NOJS], `jetstream { store_dir: "${path.join(tmp, name)}" }\n`);
    fs.writeFileSync(path.join(tmp, "go.conf"), conf("go"));
    fs.writeFileSync(path.join(tmp, "ts.conf"), conf("ts"));
    const { options } = loadConfigFile(path.join(tmp, "ts.conf"));
    [go, ts] = await Promise.all([startGoServer(["-c", path.join(tmp, "go.conf")]), startServer({ ...options, host: "127.0.0.1", port: 0 })]);
  });
  after(async () => {
    for (const nc of opened) await nc.close().catch(() => {});
    await go?.stop();
    await ts?.shutdown();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const clients = async (acc) => {
    const u = await makeUser(acc, "u");
    const pair = await Promise.all([go, ts].map((s) => connect({ servers: s.url, authenticator: credsAuthenticator(u.creds) })));
    opened.push(...pair);
    return pair;
  };
  /** The same request to both servers: the two decoded replies. */
  const both = (pair, subject, body) => Promise.all(pair.map(async (nc) => JSON.parse((await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: 3000 })).string())));

  test("an account without JetStream limits", T, async () => {
    const pair = await clients(NOJS);
    for (const [subject, body] of [["$JS.API.INFO"], ["$JS.API.STREAM.CREATE.X", { name: "X", subjects: ["x"] }], ["$JS.API.STREAM.NAMES", {}]]) {
      const [g, t] = await both(pair, subject, body);
      assert.deepEqual(t, g, subject);
    }
  });

  test("INFO limits and the limit errors", T, async () => {
    const pair = await clients(JS);
    const [gi, ti] = await both(pair, "$JS.API.INFO");
    assert.deepEqual(ti.limits, gi.limits);
    for (const [subject, body] of [
      ["$JS.API.STREAM.CREATE.F", { name: "F", subjects: ["f.>"], storage: "file", max_bytes: 4096 }],
      ["$JS.API.STREAM.CREATE.F", { name: "F", subjects: ["f.>"], storage: "file", num_replicas: 1 }],
      ["$JS.API.STREAM.CREATE.M", { name: "M", subjects: ["m.>"], storage: "memory", num_replicas: 1 }],
      ["$JS.API.STREAM.CREATE.X", { name: "X", subjects: ["x.>"], storage: "memory", num_replicas: 1 }],
      ["$JS.API.CONSUMER.DURABLE.CREATE.M.c1", { stream_name: "M", config: { durable_name: "c1", ack_policy: "explicit" } }],
      ["$JS.API.CONSUMER.DURABLE.CREATE.M.c2", { stream_name: "M", config: { durable_name: "c2", ack_policy: "explicit" } }],
      ["$JS.API.CONSUMER.DURABLE.CREATE.F.c3", { stream_name: "F", config: { durable_name: "c3", ack_policy: "explicit", max_ack_pending: 10 } }],
      ["$JS.API.CONSUMER.DURABLE.CREATE.F.c4", { stream_name: "F", config: { durable_name: "c4", ack_policy: "explicit" } }],
    ]) {
      const [g, t] = await both(pair, subject, body);
      if (g.error) assert.deepEqual(t.error, g.error, subject);
      else assert.equal(t.error, undefined, `${subject}: ${JSON.stringify(t.error)}`);
    }
    const acks = await Promise.all(pair.map(async (nc) => {
      await nc.request("f.1", new Uint8Array(1500), { timeout: 2000 });
      return JSON.parse((await nc.request("f.2", new Uint8Array(1500), { timeout: 2000 })).string());
    }));
    assert.deepEqual(acks[1].error, acks[0].error);
    assert.ok(acks[0].error, "Go refused the publish beyond the account's storage");
  });
});
