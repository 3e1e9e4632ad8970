// Activation tokens that expire (Go's activationExpired timer): a stream
// import and a service import admitted by activation tokens deliver until
// the tokens' expiry and stop then, without any JWT update; a pushed
// importer JWT with a renewed token brings them back. Real clients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeActivation } from "@nats-io/jwt";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { createAccount } from "@nats-io/nkeys";
import { startServer, sleep, waitUntil } from "../helpers/server.js";
import { makeOperator, makeAccount, makeUser, memoryOptions, UNLIMITED } from "../helpers/jwt-fixtures.js";

const T = { timeout: 30000 };
const now = () => Math.floor(Date.now() / 1000);

test("stream and service imports stop at their activation's expiry; a renewed token restores them", T, async () => {
  const op = await makeOperator();
  const expKp = createAccount();
  const impKp = createAccount();
  const E = await makeAccount(op, "E", {
    limits: UNLIMITED,
    exports: [
      { name: "news", subject: "news.>", type: "stream", token_req: true },
      { name: "svc", subject: "svc", type: "service", token_req: true },
    ],
  }, { kp: expKp });
  // Seconds of margin so the imports are still valid for the first deliveries on a loaded machine.
  const exp = now() + 4;
  const importer = async (expires) => {
    const streamAct = await encodeActivation("news", impKp, expKp, "stream", { subject: "news.>" }, { exp: expires });
    const svcAct = await encodeActivation("svc", impKp, expKp, "service", { subject: "svc" }, { exp: expires });
    return makeAccount(op, "I", {
      limits: UNLIMITED,
      imports: [
        { name: "news", subject: "news.>", account: E.id, type: "stream", token: streamAct },
        { name: "svc", subject: "svc", account: E.id, type: "service", token: svcAct },
      ],
    }, { kp: impKp });
  };
  const I = await importer(exp);
  const s = await startServer(memoryOptions(op, [E, I]));
  const conns = [];
  try {
    const e = await connect({ servers: s.url, authenticator: credsAuthenticator((await makeUser(E, "e")).creds) });
    const i = await connect({ servers: s.url, authenticator: credsAuthenticator((await makeUser(I, "i")).creds) });
    const sys = await connect({ servers: s.url, authenticator: credsAuthenticator((await makeUser({ kp: op.sys, id: op.sys.getPublicKey() }, "sys")).creds) });
    conns.push(e, i, sys);
    e.subscribe("svc", { callback: (_err, m) => m.respond("pong") });
    const got = [];
    i.subscribe("news.>", { callback: (_err, m) => got.push(m.string()) });
    await Promise.all([e.flush(), i.flush()]);
    e.publish("news.a", "before");
    await waitUntil(() => got.length === 1, 2000, "imported stream message");
    assert.equal((await i.request("svc", "ping", { timeout: 1000 })).string(), "pong");

    await waitUntil(() => Date.now() > exp * 1000 + 100, 8000, "activation expiry");
    e.publish("news.b", "after");
    await e.flush();
    await sleep(150);
    assert.deepEqual(got, ["before"], "the stream import stopped at the expiry");
    await assert.rejects(i.request("svc", "ping", { timeout: 500 }), /no responders|timeout/i, "the service import stopped");

    const renewed = await importer(now() + 3600);
    const r = JSON.parse((await sys.request(`$SYS.REQ.ACCOUNT.${I.id}.CLAIMS.UPDATE`, renewed.jwt, { timeout: 2000 })).string());
    assert.equal(r.data?.message, "jwt updated");
    e.publish("news.c", "renewed");
    await waitUntil(() => got.length === 2, 2000, "stream import back");
    assert.equal((await i.request("svc", "ping", { timeout: 1000 })).string(), "pong");
  } finally {
    for (const nc of conns) await nc.close().catch(() => {});
    await s.shutdown();
  }
});
