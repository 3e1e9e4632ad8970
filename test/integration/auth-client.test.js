// Authentication and permissions with the real NATS client
// (@nats-io/transport-node v3) against an embedded tsnats configured through
// the typed `authorization` option: user/password, bcrypt, token, nkey
// (the client signs the nonce), a bad credential (the client sees Go's
// error), permission violations through the client's status/error paths
// while the connection stays up, a forbidden request, and what /connz and
// /varz report.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, errors, nkeyAuthenticator, tokenAuthenticator } from "@nats-io/transport-node";
import { createUser } from "@nats-io/nkeys";
import bcrypt from "bcryptjs";
import { NatsServer } from "../../dist/index.js";
import { RawClient } from "../helpers/raw-client.js";
import { startServer, waitUntil, withTimeout, sleep } from "../helpers/server.js";

const T = { timeout: 20000 };
const nk = createUser();
const seed = nk.getSeed();

const getJson = async (s, path) => (await fetch(`${s.monitorUrl}${path}`)).json();

describe("auth with the real client", () => {
  let s;
  const conns = [];
  const client = async (opts) => {
    const nc = await connect({ servers: s.url, reconnect: false, ...opts });
    conns.push(nc);
    return nc;
  };

  before(async () => {
    s = await NatsServer.start({
      host: "127.0.0.1",
      port: 0,
      httpPort: -1,
      authorization: {
        users: [
          { user: "alice", password: "alice-pw" },
          { user: "bob", password: bcrypt.hashSync("bob-pw", 4) },
          { nkey: nk.getPublicKey(), permissions: { publish: ["nk.>", "_INBOX.>"], subscribe: "_INBOX.>" } },
          {
            user: "limited",
            password: "p",
            permissions: { publish: { allow: ["ok.>", "svc.open"], deny: "ok.secret" }, subscribe: { allow: ["ok.>", "_INBOX.>"], deny: "ok.hidden" } },
          },
          { user: "svc", password: "p", permissions: { subscribe: "svc.>", allow_responses: true } },
        ],
      },
    });
  });
  after(async () => {
    for (const nc of conns) await nc.close().catch(() => {});
    await s?.shutdown();
  });

  test("user/password and bcrypt users connect and exchange messages", T, async () => {
    const a = await client({ user: "alice", pass: "alice-pw" });
    const b = await client({ user: "bob", pass: "bob-pw" });
    const sub = b.subscribe("greet", { max: 1 });
    await b.flush();
    a.publish("greet", "hi");
    for await (const m of sub) assert.equal(m.string(), "hi");
    assert.equal(a.info.auth_required, true);
  });

  test("a wrong password is refused with Go's error", T, async () => {
    await assert.rejects(connect({ servers: s.url, user: "alice", pass: "nope", reconnect: false }), (e) => {
      assert.ok(e instanceof errors.AuthorizationError || /Authorization Violation/i.test(String(e.message)), String(e));
      return true;
    });
    await assert.rejects(connect({ servers: s.url, reconnect: false }), /Authorization Violation/i);
  });

  test("nkey: the client signs the nonce with its seed", T, async () => {
    const nc = await client({ authenticator: nkeyAuthenticator(seed) });
    assert.equal(typeof nc.info.nonce, "string");
    const r = nc.subscribe("_INBOX.x", { max: 1 });
    nc.publish("nk.a", "allowed");
    await nc.flush();
    assert.ok(!nc.isClosed());
    r.unsubscribe();
  });

  test("nkey with the wrong seed is refused", T, async () => {
    await assert.rejects(connect({ servers: s.url, authenticator: nkeyAuthenticator(createUser().getSeed()), reconnect: false }), /Authorization Violation/i);
  });

  test("a publish violation reaches the status stream; the connection stays up", T, async () => {
    const nc = await client({ user: "limited", pass: "p" });
    const seen = (async () => {
      for await (const st of nc.status()) {
        if (st.type === "error") return st.error;
      }
    })();
    nc.publish("ok.secret", "x");
    const err = await withTimeout(seen, 3000, "permission error status");
    assert.ok(err instanceof errors.PermissionViolationError, String(err));
    assert.equal(err.operation, "publish");
    assert.equal(err.subject, "ok.secret");
    // Still usable.
    const sub = nc.subscribe("ok.fine", { max: 1 });
    nc.publish("ok.fine", "y");
    for await (const m of sub) assert.equal(m.string(), "y");
    assert.ok(!nc.isClosed());
  });

  test("a subscribe violation ends that subscription with the permission error", T, async () => {
    const nc = await client({ user: "limited", pass: "p" });
    const sub = nc.subscribe("ok.hidden");
    await assert.rejects(
      (async () => {
        for await (const _ of sub);
      })(),
      (e) => e instanceof errors.PermissionViolationError && e.operation === "subscription",
    );
    await nc.flush();
    assert.ok(!nc.isClosed());
  });

  test("a request to a subject it may not publish fails with the permissions error", T, async () => {
    const nc = await client({ user: "limited", pass: "p" });
    await assert.rejects(nc.request("not.allowed", "q", { timeout: 2000 }), (e) => {
      const pe = e instanceof errors.PermissionViolationError ? e : e.cause;
      assert.ok(pe instanceof errors.PermissionViolationError, `got ${e}`);
      return true;
    });
  });

  test("allow_responses: a responder may answer requests it receives", T, async () => {
    const svc = await client({ user: "svc", pass: "p" });
    svc.subscribe("svc.open", { callback: (_e, m) => m.respond("pong") });
    await svc.flush();
    const c = await client({ user: "limited", pass: "p" });
    const r = await c.request("svc.open", "ping", { timeout: 2000 });
    assert.equal(r.string(), "pong");
  });

  test("/connz?auth=1 names the user, /varz says auth_required", T, async () => {
    const nc = await client({ user: "alice", pass: "alice-pw", name: "who" });
    await nc.flush();
    const connz = await getJson(s, "/connz?auth=1");
    const mine = connz.connections.find((c) => c.name === "who");
    assert.equal(mine.authorized_user, "alice");
    const nkc = connz.connections.find((c) => c.authorized_user === nk.getPublicKey());
    assert.ok(nkc, "nkey user listed by its public key");
    const varz = await getJson(s, "/varz");
    assert.equal(varz.auth_required, true);
  });

  test("closed connections show Go's reasons", T, async () => {
    const raw = await RawClient.open(s.port);
    raw.send('CONNECT {"user":"alice","pass":"bad"}\r\n');
    await raw.waitClosed();
    const closed = await getJson(s, "/connz?state=closed&auth=1");
    const last = closed.connections.at(-1);
    assert.equal(last.reason, "Authentication Failure");
    assert.equal(last.authorized_user, "alice");
  });
});

test("Authentication Timeout: closed with -ERR, reason in /connz", T, async () => {
  const s = await startServer({ authToken: "t", authTimeout: 200, httpPort: -1 });
  try {
    const raw = await RawClient.open(s.port);
    await raw.waitClosed(2000);
    assert.match(raw.afterInfo(), /^-ERR 'Authentication Timeout'\r\n$/);
    const closed = await getJson(s, "/connz?state=closed");
    assert.equal(closed.connections.at(-1).reason, "Authentication Timeout");
  } finally {
    await s.shutdown();
  }
});

test("token via the client's token authenticator; nonce only with nkey users", T, async () => {
  const s = await startServer({ authToken: "tok" });
  try {
    const nc = await connect({ servers: s.url, authenticator: tokenAuthenticator("tok"), reconnect: false });
    assert.equal(nc.info.nonce, undefined);
    await nc.close();
  } finally {
    await s.shutdown();
  }
});

test("bcrypt checks do not stall other clients", T, async () => {
  const s = await startServer({ users: [{ username: "slow", password: bcrypt.hashSync("pw", 10) }, { username: "fast", password: "f" }] });
  try {
    const fast = await connect({ servers: s.url, user: "fast", pass: "f", reconnect: false });
    const slow = Array.from({ length: 3 }, () => connect({ servers: s.url, user: "slow", pass: "pw", reconnect: false }));
    // While the bcrypt comparisons run, round trips of another client stay quick.
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await fast.flush();
    const rtt = performance.now() - t0;
    const done = await Promise.all(slow);
    assert.ok(rtt < 200, `round trips took ${rtt} ms`);
    for (const nc of done) await nc.close();
    await fast.close();
  } finally {
    await s.shutdown();
  }
});

test("embedding: a bad authorization block is refused with Go's text", T, async () => {
  await assert.rejects(NatsServer.start({ port: 0, authorization: { token: "x", users: [{ user: "a" }] } }), /Can not have a token and a users array/);
  await assert.rejects(NatsServer.start({ port: 0, noAuthUser: "ghost", users: [{ username: "a", password: "b" }] }), /no_auth_user: "ghost" not present/);
  await sleep(0);
});

test("no_auth_user: a client without credentials is that user", T, async () => {
  const s = await startServer({ noAuthUser: "guest", users: [{ username: "guest", password: "g", permissions: { publish: { allow: ["open.>"] } } }] });
  try {
    const nc = await connect({ servers: s.url, reconnect: false });
    assert.equal(nc.info.auth_required, undefined);
    nc.publish("open.x", "ok");
    await nc.flush();
    const seen = (async () => {
      for await (const st of nc.status()) if (st.type === "error") return st.error;
    })();
    nc.publish("closed.x", "no");
    const err = await withTimeout(seen, 3000, "violation");
    assert.ok(err instanceof errors.PermissionViolationError);
    await waitUntil(() => !nc.isClosed());
    await nc.close();
  } finally {
    await s.shutdown();
  }
});
