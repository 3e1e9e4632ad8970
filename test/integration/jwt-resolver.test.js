// Operator mode with the real client: a full nats-resolver (directory) and
// the MEMORY resolver. Users connect with credsAuthenticator /
// jwtAuthenticator; a system account user pushes account JWTs
// ($SYS.REQ.CLAIMS.UPDATE, per-account UPDATE), looks them up, lists and
// deletes them, as `nats`/`nsc` do. Pushed revocations and connection
// limits act on live connections; deleted accounts lose their clients;
// garbage in the directory or in a push is refused and never stored.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connect, credsAuthenticator, jwtAuthenticator } from "@nats-io/transport-node";
import { startServer, waitUntil, withTimeout } from "../helpers/server.js";
import { makeOperator, makeAccount, makeUser, makeGeneric, memoryOptions, UNLIMITED } from "../helpers/jwt-fixtures.js";

const T = { timeout: 30000 };
const now = () => Math.floor(Date.now() / 1000);
const json = (m) => JSON.parse(new TextDecoder().decode(m.data));

describe("full nats-resolver", () => {
  let op, A, B, sysUser, uA, uB, dir, s;
  const conns = [];
  const client = async (u, opts = {}) => {
    const nc = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator(u.creds), ...opts });
    conns.push(nc);
    return nc;
  };
  before(async () => {
    op = await makeOperator();
    A = await makeAccount(op, "A", { limits: UNLIMITED });
    B = await makeAccount(op, "B", { limits: UNLIMITED });
    uA = await makeUser(A, "ua");
    uB = await makeUser(B, "ub");
    sysUser = await makeUser({ kp: op.sys, id: op.sys.getPublicKey() }, "sys");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "jwt-full-"));
    fs.writeFileSync(path.join(dir, "garbage.jwt"), "not a jwt at all");
    fs.writeFileSync(path.join(dir, `${B.id.slice(0, -1)}${B.id.endsWith("X") ? "Y" : "X"}.jwt`), "eyJ.junk.here");
    s = await startServer({
      trustedOperators: [op.jwt],
      systemAccount: op.sys.getPublicKey(),
      accountResolver: { type: "full", dir, allowDelete: true, interval: 120000, timeout: 300, limit: 1000 },
      resolverPreload: { [op.sys.getPublicKey()]: op.sysJwt, [A.id]: A.jwt },
    });
  });
  after(async () => {
    for (const nc of conns) await nc.close().catch(() => {});
    await s?.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("preloaded account: users connect; an unknown account is refused after the fetch timeout", T, async () => {
    const nc = await client(uA);
    await nc.flush();
    assert.ok(fs.existsSync(path.join(dir, `${A.id}.jwt`)), "preload stored in the directory");
    const t0 = Date.now();
    await assert.rejects(client(uB), /Authorization Violation/);
    assert.ok(Date.now() - t0 >= 200, `waited for the lookup (${Date.now() - t0}ms)`);
  });

  test("push, lookup, list; a pushed account takes users", T, async () => {
    const sys = await client(sysUser);
    const r = json(await sys.request("$SYS.REQ.CLAIMS.UPDATE", B.jwt, { timeout: 2000 }));
    assert.deepEqual(r.data, { account: B.id, code: 200, message: "jwt updated" });
    assert.equal(typeof r.server.id, "string");
    assert.equal(fs.readFileSync(path.join(dir, `${B.id}.jwt`), "utf8"), B.jwt);
    const look = await sys.request(`$SYS.REQ.ACCOUNT.${B.id}.CLAIMS.LOOKUP`, "", { timeout: 2000 });
    assert.equal(new TextDecoder().decode(look.data), B.jwt);
    const list = json(await sys.request("$SYS.REQ.CLAIMS.LIST", "", { timeout: 2000 }));
    assert.deepEqual(list.data.sort(), [A.id, B.id, op.sys.getPublicKey()].sort());
    const nb = await client(uB);
    await nb.flush();
  });

  test("bad pushes are answered with Go's errors and not stored", T, async () => {
    const sys = await client(sysUser);
    const garbage = json(await sys.request("$SYS.REQ.CLAIMS.UPDATE", "garbage", { timeout: 2000 }));
    assert.deepEqual(garbage.error, { account: "n/a", code: 500, description: "jwt update resulted in error - expected 3 chunks" });
    const C = await makeAccount(op, "C", { limits: UNLIMITED });
    const wrongSubject = json(await sys.request(`$SYS.REQ.ACCOUNT.${A.id}.CLAIMS.UPDATE`, C.jwt, { timeout: 2000 }));
    assert.deepEqual(wrongSubject.error, { account: A.id, code: 500, description: "jwt update resulted in error - subject does not match jwt content" });
    const userJwt = json(await sys.request("$SYS.REQ.CLAIMS.UPDATE", uA.jwt, { timeout: 2000 }));
    assert.match(userJwt.error.description, /^jwt update resulted in error - not account claim/);
    const { createOperator } = await import("@nats-io/nkeys");
    const rogue = await makeAccount(op, "ROGUE", { limits: UNLIMITED }, { signer: createOperator() });
    const untrusted = json(await sys.request("$SYS.REQ.CLAIMS.UPDATE", rogue.jwt, { timeout: 2000 }));
    assert.deepEqual(untrusted.error, { account: rogue.id, code: 500, description: "jwt update resulted in error - not trusted" });
    assert.ok(!fs.existsSync(path.join(dir, `${rogue.id}.jwt`)));
    assert.ok(!fs.existsSync(path.join(dir, `${C.id}.jwt`)));
  });

  test("a pushed revocation disconnects the user with Go's error", T, async () => {
    const victim = await makeUser(B, "victim");
    const nc = await client(victim);
    await nc.flush();
    const closed = nc.closed();
    const sys = await client(sysUser);
    const events = [];
    sys.subscribe(`$SYS.ACCOUNT.${B.id}.DISCONNECT`, { callback: (_e, m) => events.push(json(m)) });
    await sys.flush();
    const B2 = await makeAccount(op, "B", { limits: UNLIMITED, revocations: { [victim.kp.getPublicKey()]: now() + 1 } }, { kp: B.kp });
    const r = json(await sys.request(`$SYS.REQ.ACCOUNT.${B.id}.CLAIMS.UPDATE`, B2.jwt, { timeout: 2000 }));
    assert.equal(r.data.message, "jwt updated");
    const err = await withTimeout(closed, 3000, "revoked client closed");
    assert.match(String(err?.message ?? err), /User Authentication Revoked/i);
    await waitUntil(() => events.length > 0, 2000, "disconnect event");
    assert.equal(events[0].reason, "Credentials Revoked");
    assert.equal(events[0].client.user, victim.kp.getPublicKey());
    await assert.rejects(client(victim), /Authorization Violation/);
  });

  test("a lower connection limit closes the newest connections", T, async () => {
    const C = await makeAccount(op, "C2", { limits: UNLIMITED });
    const sys = await client(sysUser);
    await sys.request("$SYS.REQ.CLAIMS.UPDATE", C.jwt, { timeout: 2000 });
    const u = await makeUser(C, "c");
    const first = await client(u);
    await first.flush();
    const second = await client(u);
    await second.flush();
    const closed = second.closed();
    const C2 = await makeAccount(op, "C2", { limits: { ...UNLIMITED, conn: 1 } }, { kp: C.kp });
    await sys.request("$SYS.REQ.CLAIMS.UPDATE", C2.jwt, { timeout: 2000 });
    const err = await withTimeout(closed, 3000, "newest closed");
    assert.match(String(err?.message ?? err), /maximum account active connections exceeded/);
    assert.equal(first.isClosed(), false);
    await assert.rejects(client(u), /maximum account active connections exceeded/);
  });

  test("delete: operator-signed request; the account's clients go, its file is renamed", T, async () => {
    const D = await makeAccount(op, "D", { limits: UNLIMITED });
    const sys = await client(sysUser);
    await sys.request("$SYS.REQ.CLAIMS.UPDATE", D.jwt, { timeout: 2000 });
    const nd = await client(await makeUser(D, "d"));
    await nd.flush();
    const closed = nd.closed();
    const notSelf = await makeGeneric("x", op.kp, "generic", { accounts: [D.id] }, { aud: undefined });
    const bySys = json(await sys.request("$SYS.REQ.CLAIMS.DELETE", await makeGeneric("x", op.sys, "generic", { accounts: [D.id] }), { timeout: 2000 }));
    assert.match(bySys.error.description, /^delete accounts request by .* failed - not trusted$/);
    const sysDel = json(await sys.request("$SYS.REQ.CLAIMS.DELETE", await makeGeneric("x", op.kp, "generic", { accounts: [op.sys.getPublicKey()] }), { timeout: 2000 }));
    assert.match(sysDel.error.description, /not allowed to delete system account$/);
    const ok = json(await sys.request("$SYS.REQ.CLAIMS.DELETE", notSelf, { timeout: 2000 }));
    assert.deepEqual(ok.data, { code: 200, message: "deleted 1 accounts" });
    await withTimeout(closed, 3000, "deleted account's client closed");
    assert.ok(!fs.existsSync(path.join(dir, `${D.id}.jwt`)));
    assert.ok(fs.existsSync(path.join(dir, `${D.id}.jwt.deleted`)));
  });

  test("a garbage file for an account: refused, nothing cached, the server keeps serving", T, async () => {
    const E = await makeAccount(op, "E", { limits: UNLIMITED });
    const uE = await makeUser(E, "e");
    fs.writeFileSync(path.join(dir, `${E.id}.jwt`), "eyJhbGciOiJlZDI1NTE5LW5rZXkifQ.garbage.x");
    await assert.rejects(client(uE), /Authorization Violation/);
    const nc = await client(uA);
    await nc.flush();
    // A valid JWT written later is used: the garbage was not remembered.
    fs.writeFileSync(path.join(dir, `${E.id}.jwt`), E.jwt);
    const ne = await client(uE);
    await ne.flush();
  });
});

describe("MEMORY resolver", () => {
  let op, A, s;
  const conns = [];
  before(async () => {
    op = await makeOperator();
    A = await makeAccount(op, "A", { limits: UNLIMITED });
    s = await startServer(memoryOptions(op, [A]));
  });
  after(async () => {
    for (const nc of conns) await nc.close().catch(() => {});
    await s?.shutdown();
  });
  const client = async (opts) => {
    const nc = await connect({ servers: s.url, reconnect: false, ...opts });
    conns.push(nc);
    return nc;
  };

  test("jwtAuthenticator; an update pushed on $SYS.ACCOUNT.<id>.CLAIMS.UPDATE revokes", T, async () => {
    const u = await makeUser(A, "u");
    const nc = await client({ authenticator: jwtAuthenticator(u.jwt, u.seed) });
    await nc.flush();
    const closed = nc.closed();
    const sys = await client({ authenticator: credsAuthenticator((await makeUser({ kp: op.sys, id: op.sys.getPublicKey() }, "sys")).creds) });
    const A2 = await makeAccount(op, "A", { limits: UNLIMITED, revocations: { [u.kp.getPublicKey()]: now() + 1 } }, { kp: A.kp });
    const r = json(await sys.request(`$SYS.REQ.ACCOUNT.${A.id}.CLAIMS.UPDATE`, A2.jwt, { timeout: 2000 }));
    assert.equal(r.data.message, "jwt updated");
    const err = await withTimeout(closed, 3000, "revoked");
    assert.match(String(err?.message ?? err), /User Authentication Revoked/i);
    const empty = json(await sys.request(`$SYS.REQ.ACCOUNT.${A.id}.CLAIMS.UPDATE`, "", { timeout: 2000 }));
    assert.deepEqual(empty.error, { account: A.id, code: 500, description: "jwt update error - request body is empty" });
  });

  test("a user JWT that expires is disconnected with 'User Authentication Expired'", T, async () => {
    const u = await makeUser(A, "short", {}, { encoding: { exp: now() + 2 } });
    const nc = await client({ authenticator: credsAuthenticator(u.creds) });
    await nc.flush();
    const err = await withTimeout(nc.closed(), 5000, "expired");
    assert.match(String(err?.message ?? err), /User Authentication Expired/i);
  });

  test("each account has its own subjects", T, async () => {
    const B = await makeAccount(op, "B", { limits: UNLIMITED });
    const s2 = await startServer(memoryOptions(op, [A, B]));
    try {
      const a = await connect({ servers: s2.url, authenticator: credsAuthenticator((await makeUser(A, "a")).creds) });
      const b = await connect({ servers: s2.url, authenticator: credsAuthenticator((await makeUser(B, "b")).creds) });
      const got = [];
      b.subscribe("news", { callback: (_e, m) => got.push(m.string()) });
      const mine = a.subscribe("news", { max: 1 });
      await b.flush();
      a.publish("news", "from a");
      for await (const m of mine) assert.equal(m.string(), "from a");
      await b.flush();
      assert.deepEqual(got, []);
      b.publish("news", "from b");
      await waitUntil(() => got.length === 1);
      await a.close();
      await b.close();
    } finally {
      await s2.shutdown();
    }
  });
});
