// Auth callout in config mode with the real client: the callout service
// (one of auth_users, connected with its password) answers
// $SYS.REQ.USER.AUTH with authorization response JWTs made with
// @nats-io/jwt. Allowed users get the name and permissions of the user JWT
// the service issued; a denial, a wrong issuer, a response for another
// user, a silent service (auth timeout) and junk all refuse the client
// with Authorization Violation. The same with xkey-sealed requests and
// responses, and an expiry given by the service.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { createAccount, createCurve, createUser, fromPublic } from "@nats-io/nkeys";
import { decode, encodeAuthorizationResponse, encodeUser } from "@nats-io/jwt";
import { startServer, withTimeout } from "../helpers/server.js";

const T = { timeout: 30000 };

/** A callout service: `decide(request claims) → {user data} | {error} | null (no answer) | "junk"`. */
async function startService(url, issuer, decide, xkp) {
  const nc = await connect({ servers: url, user: "auth", pass: "pw" });
  const requests = [];
  nc.subscribe("$SYS.REQ.USER.AUTH", {
    callback: async (_e, m) => {
      let token = m.string();
      if (xkp) token = new TextDecoder().decode(xkp.open(m.data, m.headers.get("Nats-Server-Xkey")));
      const req = decode(token);
      requests.push({ req, headers: m.headers, raw: m.data });
      const d = await decide(req);
      if (d === null) return;
      if (d === "junk") return m.respond("junk");
      const userKp = fromPublic(req.nats.user_nkey);
      const serverKp = fromPublic(req.nats.server_id.id);
      let resp;
      if (d.error) resp = await encodeAuthorizationResponse(userKp, serverKp, issuer, { error: d.error }, {});
      else {
        const ujwt = await encodeUser(d.name ?? "", d.userKp ?? userKp, d.signer ?? issuer, d.user ?? {}, { aud: d.account ?? "$G", exp: d.exp });
        resp = await encodeAuthorizationResponse(d.forUser ? d.forUser : userKp, serverKp, d.respSigner ?? issuer, { jwt: ujwt }, {});
      }
      const out = xkp ? xkp.seal(new TextEncoder().encode(resp), m.headers.get("Nats-Server-Xkey")) : resp;
      m.respond(out);
    },
  });
  await nc.flush();
  return { nc, requests };
}

describe("auth callout (config mode)", () => {
  const issuer = createAccount();
  let s, svc;
  let decide = async () => ({});
  const conns = [];
  const client = async (opts) => {
    const nc = await connect({ servers: s.url, reconnect: false, ...opts });
    conns.push(nc);
    return nc;
  };
  before(async () => {
    s = await startServer({
      authTimeout: 1000,
      authorization: { users: [{ user: "auth", password: "pw" }], auth_callout: { issuer: issuer.getPublicKey(), auth_users: ["auth"] } },
    });
    svc = await startService(s.url, issuer, (r) => decide(r));
  });
  after(async () => {
    for (const nc of conns) await nc.close().catch(() => {});
    await svc?.nc.close();
    await s?.shutdown();
  });

  test("allow: the service sees the credentials; the client gets the issued name and permissions", T, async () => {
    decide = async (r) => (r.nats.connect_opts.user === "bob" && r.nats.connect_opts.pass === "secret" ? { name: "bob", user: { pub: { allow: ["bob.>"] }, sub: { allow: ["bob.>", "_INBOX.>"] } } } : { error: "bad password" });
    const nc = await client({ user: "bob", pass: "secret" });
    const sub = nc.subscribe("bob.x", { max: 1 });
    nc.publish("bob.x", "hi");
    for await (const m of sub) assert.equal(m.string(), "hi");
    const errs = [];
    (async () => {
      for await (const st of nc.status()) if (st.type === "error") errs.push(String(st.error?.message ?? st.error));
    })();
    nc.publish("alice.x", "no");
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(errs.some((e) => /Permissions Violation for Publish to "alice.x"/.test(e)), errs.join());
    const req = svc.requests.at(-1).req;
    assert.equal(req.aud, "nats-authorization-request");
    assert.equal(req.sub, issuer.getPublicKey());
    assert.equal(req.nats.server_id.id, req.iss);
    assert.equal(req.nats.client_info.user, "bob");
    assert.equal(req.nats.client_info.kind, "Client");
  });

  test("deny: the service's error refuses the client", T, async () => {
    await assert.rejects(client({ user: "bob", pass: "wrong" }), /Authorization Violation/);
  });

  test("a wrong issuer, a response for another user, junk, silence: all refused", T, async () => {
    decide = async () => ({ signer: createAccount(), respSigner: undefined });
    await assert.rejects(client({ user: "x", pass: "y" }), /Authorization Violation/);
    decide = async () => ({ forUser: createUser() });
    await assert.rejects(client({ user: "x", pass: "y" }), /Authorization Violation/);
    decide = async () => "junk";
    await assert.rejects(client({ user: "x", pass: "y" }), /Authorization Violation/);
    decide = async () => null;
    const t0 = Date.now();
    await assert.rejects(client({ user: "x", pass: "y" }), /Authorization Violation/);
    assert.ok(Date.now() - t0 >= 900, "waited for the auth timeout");
  });

  test("the auth user itself is checked by the server, not the service", T, async () => {
    const before = svc.requests.length;
    await assert.rejects(client({ user: "auth", pass: "nope" }), /Authorization Violation/);
    const ok = await client({ user: "auth", pass: "pw" });
    await ok.flush();
    assert.equal(svc.requests.length, before);
  });

  test("an expiry from the service disconnects with 'User Authentication Expired'", T, async () => {
    decide = async () => ({ name: "short", exp: Math.floor(Date.now() / 1000) + 2 });
    const nc = await client({ token: "anything" });
    await nc.flush();
    const err = await withTimeout(nc.closed(), 5000, "expired");
    assert.match(String(err?.message ?? err), /User Authentication Expired/i);
  });
});

describe("auth callout with xkey", () => {
  test("requests and responses are sealed with curve keys", T, async () => {
    const issuer = createAccount();
    const xkp = createCurve();
    const s = await startServer({
      authorization: { users: [{ user: "auth", password: "pw" }], auth_callout: { issuer: issuer.getPublicKey(), auth_users: ["auth"], xkey: xkp.getPublicKey() } },
    });
    const svc = await startService(s.url, issuer, async () => ({ name: "sealed" }), xkp);
    try {
      const nc = await connect({ servers: s.url, user: "u", pass: "p", reconnect: false });
      await nc.flush();
      await nc.close();
      const { headers, raw, req } = svc.requests[0];
      assert.match(headers.get("Nats-Server-Xkey"), /^X[A-Z2-7]{55}$/);
      assert.equal(req.nats.server_id.xkey, headers.get("Nats-Server-Xkey"));
      assert.ok(!new TextDecoder().decode(raw).startsWith("eyJ"), "request sealed");
    } finally {
      await svc.nc.close();
      await s.shutdown();
    }
  });
});

describe("auth callout in operator mode", () => {
  test("an account JWT delegating to a service: the sentinel user is placed in an allowed account", T, async () => {
    const { makeOperator, makeAccount, makeUser, memoryOptions, UNLIMITED } = await import("../helpers/jwt-fixtures.js");
    const { credsAuthenticator } = await import("@nats-io/transport-node");
    const op = await makeOperator();
    const appKp = createAccount();
    const authKp = createAccount();
    const APP = await makeAccount(op, "APP", { limits: UNLIMITED }, { kp: appKp });
    const svcUser = createUser();
    const AUTH = await makeAccount(op, "AUTH", { limits: UNLIMITED, authorization: { auth_users: [svcUser.getPublicKey()], allowed_accounts: [APP.id] } }, { kp: authKp });
    const s = await startServer(memoryOptions(op, [APP, AUTH]));
    const conns = [];
    try {
      const svc = await connect({ servers: s.url, authenticator: credsAuthenticator((await makeUser(AUTH, "svc", {}, { kp: svcUser })).creds) });
      conns.push(svc);
      const seen = [];
      svc.subscribe("$SYS.REQ.USER.AUTH", {
        callback: async (_e, m) => {
          const req = decode(m.string());
          seen.push(req);
          const userKp = fromPublic(req.nats.user_nkey);
          const allow = req.nats.connect_opts.user === "good";
          const resp = allow
            ? await encodeAuthorizationResponse(userKp, fromPublic(req.nats.server_id.id), authKp, { jwt: await encodeUser("placed", userKp, appKp, { pub: { allow: ["app.>"] }, sub: { allow: ["app.>"] } }) }, {})
            : await encodeAuthorizationResponse(userKp, fromPublic(req.nats.server_id.id), authKp, { error: "no" }, {});
          m.respond(resp);
        },
      });
      await svc.flush();
      const sentinel = await makeUser(AUTH, "sentinel", {}, {});
      const nc = await connect({ servers: s.url, reconnect: false, user: "good", pass: "x", authenticator: credsAuthenticator(sentinel.creds) });
      conns.push(nc);
      const sub = nc.subscribe("app.x", { max: 1 });
      nc.publish("app.x", "in app");
      for await (const m of sub) assert.equal(m.string(), "in app");
      assert.equal(seen.at(-1).sub, AUTH.id);
      const connz = s.server.clients;
      const mine = [...connz.values()].find((c) => c.opts.user === "placed");
      assert.equal(mine?.account.name, APP.id);
      await assert.rejects(connect({ servers: s.url, reconnect: false, user: "bad", pass: "x", authenticator: credsAuthenticator(sentinel.creds) }), /Authorization Violation/);
    } finally {
      for (const c of conns) await c.close().catch(() => {});
      await s.shutdown();
    }
  });
});
