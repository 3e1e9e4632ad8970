// Operator mode, claim changes on live connections with the real client:
// a removed or re-scoped signing key closes the users it issued, an
// account JWT that expires closes its clients with "Account Authentication
// Expired", a cache resolver keeps what it fetched (bounded), and an
// operator given as a decorated JWT file, pushed payload/subscription
// limits enforced on live connections. Also bad creds: a user JWT with a
// seed that does not match is refused.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connect, credsAuthenticator, jwtAuthenticator } from "@nats-io/transport-node";
import { createAccount, createUser } from "@nats-io/nkeys";
import { startServer, withTimeout, sleep } from "../helpers/server.js";
import { makeOperator, makeAccount, makeUser, memoryOptions, UNLIMITED } from "../helpers/jwt-fixtures.js";
import { loadConfigFile } from "../../dist/config/index.js";

const T = { timeout: 30000 };
const json = (m) => JSON.parse(new TextDecoder().decode(m.data));
const sysCreds = async (op) => (await makeUser({ kp: op.sys, id: op.sys.getPublicKey() }, "sys")).creds;

describe("live claim changes", () => {
  test("a signing key removed from the account closes the users it issued; others stay", T, async () => {
    const op = await makeOperator();
    const sk = createAccount();
    const A = await makeAccount(op, "A", { limits: UNLIMITED, signing_keys: [sk.getPublicKey()] });
    const s = await startServer(memoryOptions(op, [A]));
    try {
      const bySk = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(A, "s", {}, { signer: sk })).creds) });
      const direct = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(A, "d")).creds) });
      const sys = await connect({ servers: s.url, authenticator: credsAuthenticator(await sysCreds(op)) });
      const closed = bySk.closed();
      const A2 = await makeAccount(op, "A", { limits: UNLIMITED }, { kp: A.kp });
      assert.equal(json(await sys.request(`$SYS.REQ.ACCOUNT.${A.id}.CLAIMS.UPDATE`, A2.jwt)).data.message, "jwt updated");
      await withTimeout(closed, 3000, "signing-key user closed");
      await direct.flush();
      assert.equal(direct.isClosed(), false);
      await direct.close();
      await sys.close();
    } finally {
      await s.shutdown();
    }
  });

  test("an account JWT that expires closes its clients with 'Account Authentication Expired'", T, async () => {
    const op = await makeOperator();
    // Seconds of margin: the account must still be valid when the client connects on a loaded machine.
    const A = await makeAccount(op, "A", { limits: UNLIMITED }, { encoding: { exp: Math.floor(Date.now() / 1000) + 4 } });
    const s = await startServer(memoryOptions(op, [A]));
    try {
      const nc = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(A, "u")).creds) });
      await nc.flush();
      const err = await withTimeout(nc.closed(), 8000, "account expired");
      assert.match(String(err?.message ?? err), /Account Authentication Expired/i);
    } finally {
      await s.shutdown();
    }
  });

  test("creds whose seed does not match the JWT are refused", T, async () => {
    const op = await makeOperator();
    const A = await makeAccount(op, "A", { limits: UNLIMITED });
    const s = await startServer(memoryOptions(op, [A]));
    try {
      const u = await makeUser(A, "u");
      await assert.rejects(connect({ servers: s.url, reconnect: false, authenticator: jwtAuthenticator(u.jwt, createUser().getSeed()) }), /Authorization Violation/);
      await assert.rejects(connect({ servers: s.url, reconnect: false, authenticator: jwtAuthenticator(A.jwt, u.seed) }), /Authorization Violation/);
    } finally {
      await s.shutdown();
    }
  });
});

describe("account JWT mappings, exports and imports", () => {
  test("mappings apply to the account's messages", T, async () => {
    const op = await makeOperator();
    const A = await makeAccount(op, "A", { limits: UNLIMITED, mappings: { "map.src": [{ subject: "map.dst", weight: 100 }], "split.*": [{ subject: "split.a.$1", weight: 0 }] } });
    const s = await startServer(memoryOptions(op, [A]));
    try {
      const nc = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(A, "u")).creds) });
      const got = [];
      nc.subscribe("map.>", { callback: (_e, m) => got.push(m.subject) });
      nc.subscribe("split.>", { callback: (_e, m) => got.push(m.subject) });
      await nc.flush();
      nc.publish("map.src", "x");
      nc.publish("split.q", "y");
      await nc.flush();
      await sleep(50);
      assert.deepEqual(got.sort(), ["map.dst", "split.a.q"]);
      await nc.close();
    } finally {
      await s.shutdown();
    }
  });
});

test("a stream import by activation; revoking the activation in a pushed export update stops the stream", T, async () => {
  const { encodeActivation } = await import("@nats-io/jwt");
  const op = await makeOperator();
  const expKp = createAccount();
  const impKp = createAccount();
  const exportsOf = (revocations) => [{ name: "priv", subject: "priv.>", type: "stream", token_req: true, ...(revocations ? { revocations } : {}) }];
  const E = await makeAccount(op, "E", { limits: UNLIMITED, exports: exportsOf() }, { kp: expKp });
  const act = await encodeActivation("act", impKp, expKp, "stream", { subject: "priv.>" });
  const I = await makeAccount(op, "I", { limits: UNLIMITED, imports: [{ name: "priv", subject: "priv.>", account: E.id, type: "stream", token: act }] }, { kp: impKp });
  const s = await startServer(memoryOptions(op, [E, I]));
  try {
    const pub = await connect({ servers: s.url, authenticator: credsAuthenticator((await makeUser(E, "e")).creds) });
    const sub = await connect({ servers: s.url, authenticator: credsAuthenticator((await makeUser(I, "i")).creds) });
    const got = [];
    sub.subscribe("priv.>", { callback: (_e, m) => got.push(m.string()) });
    await sub.flush();
    pub.publish("priv.a", "1");
    await pub.flush();
    await withTimeout((async () => { while (got.length < 1) await sleep(10); })(), 2000, "imported message");
    const sys = await connect({ servers: s.url, authenticator: credsAuthenticator(await sysCreds(op)) });
    const E2 = await makeAccount(op, "E", { limits: UNLIMITED, exports: exportsOf({ [I.id]: Math.floor(Date.now() / 1000) + 1 }) }, { kp: expKp });
    assert.equal(json(await sys.request(`$SYS.REQ.ACCOUNT.${E.id}.CLAIMS.UPDATE`, E2.jwt)).data.message, "jwt updated");
    pub.publish("priv.b", "2");
    await pub.flush();
    await sleep(100);
    assert.deepEqual(got, ["1"]);
    await Promise.all([pub.close(), sub.close(), sys.close()]);
  } finally {
    await s.shutdown();
  }
});

describe("cache resolver", () => {
  test("fetches through the system account, keeps at most `limit` JWTs, ignores updates for accounts it does not hold", T, async () => {
    const op = await makeOperator();
    const A = await makeAccount(op, "A", { limits: UNLIMITED });
    const B = await makeAccount(op, "B", { limits: UNLIMITED });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jwt-cache-"));
    const s = await startServer({
      trustedOperators: [op.jwt],
      systemAccount: op.sys.getPublicKey(),
      accountResolver: { type: "cache", dir, ttl: 3600000, timeout: 500, limit: 2 },
      resolverPreload: { [op.sys.getPublicKey()]: op.sysJwt },
    });
    try {
      // An account service in the system account answers lookups, as another server would.
      const svc = await connect({ servers: s.url, authenticator: credsAuthenticator(await sysCreds(op)) });
      const known = new Map([[A.id, A.jwt], [B.id, B.jwt]]);
      svc.subscribe("$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP", {
        callback: (_e, m) => {
          const id = m.subject.split(".")[3];
          if (known.has(id)) m.respond(known.get(id));
        },
      });
      await svc.flush();
      const r = json(await svc.request("$SYS.REQ.CLAIMS.UPDATE", B.jwt));
      assert.deepEqual(r.data, { account: B.id, code: 200, message: "jwt update cache skipped" });
      const a = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(A, "a")).creds) });
      await a.flush();
      assert.equal(fs.readFileSync(path.join(dir, `${A.id}.jwt`), "utf8"), A.jwt);
      const b = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(B, "b")).creds) });
      await b.flush();
      const files = fs.readdirSync(dir).filter((f) => f.endsWith(".jwt"));
      assert.ok(files.length <= 2, `at most 2 cached: ${files}`);
      await a.close();
      await b.close();
      await svc.close();
    } finally {
      await s.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("operator from a file", () => {
  test("a decorated operator JWT file in the config", T, async () => {
    const op = await makeOperator();
    const A = await makeAccount(op, "A", { limits: UNLIMITED });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jwt-opfile-"));
    try {
      const opFile = path.join(dir, "op.jwt");
      fs.writeFileSync(opFile, `-----BEGIN NATS OPERATOR JWT-----\n${op.jwt}\n------END NATS OPERATOR JWT------\n`);
      const conf = path.join(dir, "s.conf");
      fs.writeFileSync(conf, `operator: "${opFile}"\nsystem_account: ${op.sys.getPublicKey()}\nresolver: MEMORY\nresolver_preload: { ${op.sys.getPublicKey()}: ${op.sysJwt}, ${A.id}: ${A.jwt} }\n`);
      const { options } = loadConfigFile(conf);
      assert.deepEqual(options.trustedOperators, [op.jwt]);
      const s = await startServer(options);
      try {
        const nc = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(A, "u")).creds) });
        await nc.flush();
        await nc.close();
      } finally {
        await s.shutdown();
      }
      await sleep(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("$SYS.REQ.USER.INFO answers a JWT user with its key, account, permissions and time left", T, async () => {
  const op = await makeOperator();
  const A = await makeAccount(op, "A", { limits: UNLIMITED });
  const s = await startServer(memoryOptions(op, [A]));
  try {
    const u = await makeUser(A, "u", { pub: { allow: ["_INBOX.>", "$SYS.REQ.USER.INFO", "a.>"] }, sub: { allow: ["_INBOX.>"] } }, { encoding: { exp: Math.floor(Date.now() / 1000) + 60 } });
    const nc = await connect({ servers: s.url, authenticator: credsAuthenticator(u.creds) });
    const r = json(await nc.request("$SYS.REQ.USER.INFO", "", { timeout: 2000 }));
    assert.equal(r.data.user, u.kp.getPublicKey());
    assert.equal(r.data.account, A.id);
    assert.deepEqual(r.data.permissions.publish.allow, ["_INBOX.>", "$SYS.REQ.USER.INFO", "a.>"]);
    assert.ok(r.data.expires > 50e9 && r.data.expires <= 60e9, String(r.data.expires));
    await nc.close();
  } finally {
    await s.shutdown();
  }
});

test("a config reload in operator mode keeps JWT users connected; changing the operator is refused as Go", T, async () => {
  const { applyReload } = await import("../../dist/server/reload.js");
  const { resolveOptions } = await import("../../dist/options.js");
  const op = await makeOperator();
  const A = await makeAccount(op, "A", { limits: UNLIMITED });
  const opts = { host: "127.0.0.1", port: 0, ...memoryOptions(op, [A]) };
  const s = await startServer(opts);
  try {
    const nc = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(A, "u")).creds) });
    await nc.flush();
    assert.equal(applyReload(s.server, resolveOptions({ ...opts, quiet: true, debug: true })), "");
    await nc.flush();
    assert.equal(nc.isClosed(), false);
    const other = await makeOperator();
    assert.match(applyReload(s.server, resolveOptions({ ...opts, quiet: true, trustedOperators: [other.jwt] })), /^config reload not supported for /);
    await nc.close();
  } finally {
    await s.shutdown();
  }
});

test("resolver_pinned_accounts: only listed accounts (and the system account) may connect", T, async () => {
  const op = await makeOperator();
  const A = await makeAccount(op, "A", { limits: UNLIMITED });
  const B = await makeAccount(op, "B", { limits: UNLIMITED });
  const s = await startServer(memoryOptions(op, [A, B], { resolverPinnedAccounts: [A.id] }));
  try {
    const a = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(A, "a")).creds) });
    const sys = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator(await sysCreds(op)) });
    await assert.rejects(connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator((await makeUser(B, "b")).creds) }), /Authorization Violation/);
    await Promise.all([a.close(), sys.close()]);
  } finally {
    await s.shutdown();
  }
});

test("pushed account limits act on live connections: payload and subscriptions, with Go's errors", T, async () => {
  const op = await makeOperator();
  const A = await makeAccount(op, "A", { limits: UNLIMITED });
  const s = await startServer(memoryOptions(op, [A]));
  try {
    const sys = await connect({ servers: s.url, authenticator: credsAuthenticator(await sysCreds(op)) });
    const u = await makeUser(A, "u");
    const big = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator(u.creds) });
    const many = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator(u.creds) });
    for (let i = 0; i < 3; i++) many.subscribe(`s.${i}`);
    await Promise.all([big.flush(), many.flush()]);
    const bigClosed = big.closed();
    const manyClosed = many.closed();
    const A2 = await makeAccount(op, "A", { limits: { ...UNLIMITED, payload: 10, subs: 2 } }, { kp: A.kp });
    assert.equal(json(await sys.request(`$SYS.REQ.ACCOUNT.${A.id}.CLAIMS.UPDATE`, A2.jwt)).data.message, "jwt updated");
    // Over the new subscription limit already: closed as Go's applyAccountLimits does.
    assert.match(String((await withTimeout(manyClosed, 3000, "over subs"))?.message), /maximum subscriptions exceeded/i);
    // The connection's INFO still says the old max_payload; the server enforces the new one.
    big.protocol.sendCommand(`PUB p 11\r\n${"x".repeat(11)}\r\n`);
    assert.match(String((await withTimeout(bigClosed, 3000, "over payload"))?.message), /maximum payload/i);
    await sys.close();
  } finally {
    await s.shutdown();
  }
});
