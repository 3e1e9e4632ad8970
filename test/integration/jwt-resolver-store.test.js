// The nats-resolver's store with the real client: the cache resolver's
// `ttl` (a stored JWT goes after its ttl; an expired account is fetched
// again), its `limit` (least recently used evicted), the full resolver's
// `limit` (refused with "jwt store is full"), `hard_delete`, lookups
// (none from the cache; an empty answer when absent), and its sync:
// the $SYS.REQ.CLAIMS.PACK responder (hash match: one empty message; else
// one JWT a message, then an empty one), the interval's pack request with
// the store hash, and merging answers — verified JWTs only.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connect, credsAuthenticator, createInbox } from "@nats-io/transport-node";
import { startServer, waitUntil } from "../helpers/server.js";
import { makeOperator, makeAccount, makeUser, makeGeneric, UNLIMITED } from "../helpers/jwt-fixtures.js";

const T = { timeout: 30000 };
const now = () => Math.floor(Date.now() / 1000);
const json = (m) => JSON.parse(new TextDecoder().decode(m.data));
const sysUserOf = (op) => makeUser({ kp: op.sys, id: op.sys.getPublicKey() }, "sys");

async function withResolver(op, resolver, fn, preload = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jwt-store-"));
  const s = await startServer({
    trustedOperators: [op.jwt],
    systemAccount: op.sys.getPublicKey(),
    accountResolver: { dir, timeout: 500, ...resolver },
    ...(process.env.JWT_DEBUG ? { debug: true, quiet: false } : {}),
    resolverPreload: { [op.sys.getPublicKey()]: op.sysJwt, ...preload },
  });
  const conns = [];
  const client = async (u) => {
    const nc = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator(u.creds) });
    conns.push(nc);
    return nc;
  };
  try {
    await fn({ s, dir, client, sys: await client(await sysUserOf(op)) });
  } finally {
    for (const nc of conns) await nc.close().catch(() => {});
    await s.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An account service in the system account answering lookups, as another server would; counts them. */
function lookupService(nc, jwts) {
  const asked = [];
  nc.subscribe("$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP", {
    callback: (_e, m) => {
      const id = m.subject.split(".")[3];
      asked.push(id);
      if (jwts.has(id)) m.respond(jwts.get(id));
    },
  });
  return asked;
}

/** Publish a request and collect answers until the empty one (Go's pack stream). */
async function packStream(nc, hash) {
  const inbox = createInbox();
  const got = [];
  const done = new Promise((resolve) => {
    nc.subscribe(inbox, {
      callback: (_e, m) => {
        if (m.data.length === 0) resolve();
        else got.push(new TextDecoder().decode(m.data));
      },
    });
  });
  await nc.flush();
  nc.publish("$SYS.REQ.CLAIMS.PACK", hash, { reply: inbox });
  await Promise.race([done, new Promise((_r, rej) => setTimeout(() => rej(new Error("no end of pack")), 3000))]);
  return got;
}

const storeHash = (jwts) => {
  const x = Buffer.alloc(32);
  for (const j of jwts) {
    const h = createHash("sha256").update(j).digest();
    for (let i = 0; i < 32; i++) x[i] ^= h[i];
  }
  return x;
};

describe("cache resolver", () => {
  test("ttl: the stored JWT goes after the ttl; an expired account is fetched again", T, async () => {
    const op = await makeOperator();
    const A = await makeAccount(op, "A", { limits: UNLIMITED }, { encoding: { exp: now() + 5 } });
    await withResolver(op, { type: "cache", ttl: 300, limit: 10 }, async ({ dir, client, sys }) => {
      const jwts = new Map([[A.id, A.jwt]]);
      const asked = lookupService(sys, jwts);
      await sys.flush();
      const u = await makeUser(A, "u");
      await (await client(u)).flush();
      const firstUse = Date.now();
      assert.deepEqual(asked, [A.id]);
      const file = path.join(dir, `${A.id}.jwt`);
      assert.ok(fs.existsSync(file));
      await waitUntil(() => !fs.existsSync(file), 3000);
      const list = json(await sys.request("$SYS.REQ.CLAIMS.LIST", "", { timeout: 2000 }));
      assert.ok(!list.data.includes(A.id), "gone from LIST");
      // The account JWT expires (Go asks again only a second or more after the last update); the
      // service now has a renewed one, which the next client's lookup fetches.
      const renewed = await makeAccount(op, "A", { limits: UNLIMITED }, { kp: A.kp });
      jwts.set(A.id, renewed.jwt);
      const exp = JSON.parse(Buffer.from(A.jwt.split(".")[1], "base64url")).exp;
      await waitUntil(() => now() >= exp && Date.now() - firstUse > 1100, 8000, "account expiry");
      await (await client(u)).flush();
      assert.equal(asked.length, 2, "fetched again after expiry");
      assert.equal(fs.readFileSync(file, "utf8"), renewed.jwt, "the renewed JWT is cached");
    });
  });

  test("limit: the least recently used JWT is evicted; a cache update answers with Go's cache texts", T, async () => {
    const op = await makeOperator();
    const [A, B, C] = await Promise.all(["A", "B", "C"].map((n) => makeAccount(op, n, { limits: UNLIMITED })));
    await withResolver(op, { type: "cache", ttl: 0, limit: 3 }, async ({ dir, client, sys }) => {
      lookupService(sys, new Map([[A.id, A.jwt], [B.id, B.jwt], [C.id, C.jwt]]));
      await sys.flush();
      await (await client(await makeUser(A, "a"))).flush();
      await (await client(await makeUser(B, "b"))).flush();
      // sys, A, B stored (3): C evicts the least recently used (sys, preloaded first).
      await (await client(await makeUser(C, "c"))).flush();
      const files = fs.readdirSync(dir).filter((f) => f.endsWith(".jwt")).sort();
      assert.deepEqual(files, [A.id, B.id, C.id].map((k) => `${k}.jwt`).sort());
      const updated = await makeAccount(op, "A", { limits: { ...UNLIMITED, subs: 7 } }, { kp: A.kp });
      const r = json(await sys.request(`$SYS.REQ.ACCOUNT.${A.id}.CLAIMS.UPDATE`, updated.jwt, { timeout: 2000 }));
      assert.deepEqual(r.data, { account: A.id, code: 200, message: "jwt updated cache" });
      const bad = json(await sys.request(`$SYS.REQ.ACCOUNT.${A.id}.CLAIMS.UPDATE`, "junk", { timeout: 2000 }));
      assert.deepEqual(bad.error, { account: A.id, code: 500, description: "jwt update cache resulted in error - expected 3 chunks" });
      const D = await makeAccount(op, "D", { limits: UNLIMITED });
      const skipped = json(await sys.request("$SYS.REQ.CLAIMS.UPDATE", D.jwt, { timeout: 2000 }));
      assert.deepEqual(skipped.data, { account: D.id, code: 200, message: "jwt update cache skipped" });
    });
  });
});

describe("cache resolver services", () => {
  test("deletes with an operator-signed request (no allow_delete needed) and serves no lookups", T, async () => {
    const op = await makeOperator();
    const A = await makeAccount(op, "A", { limits: UNLIMITED });
    await withResolver(op, { type: "cache", ttl: 0, limit: 10 }, async ({ dir, sys }) => {
      const noAnswer = await sys.request(`$SYS.REQ.ACCOUNT.${A.id}.CLAIMS.LOOKUP`, "", { timeout: 300 }).then(() => "answered", (e) => e.message);
      assert.match(noAnswer, /no responders|timeout/i);
      const req = await makeGeneric("del", op.kp, "generic", { accounts: [A.id] });
      const r = json(await sys.request("$SYS.REQ.CLAIMS.DELETE", req, { timeout: 2000 }));
      assert.equal(r.data.message, "deleted 1 accounts");
      assert.ok(!fs.existsSync(path.join(dir, `${A.id}.jwt`)));
    }, { [A.id]: A.jwt });
  });
});

describe("full resolver", () => {
  test("limit: a push beyond it is refused with jwt store is full", T, async () => {
    const op = await makeOperator();
    const [A, B] = await Promise.all(["A", "B"].map((n) => makeAccount(op, n, { limits: UNLIMITED })));
    await withResolver(op, { type: "full", allowDelete: false, interval: 60000, limit: 2 }, async ({ dir, sys }) => {
      const ok = json(await sys.request("$SYS.REQ.CLAIMS.UPDATE", A.jwt, { timeout: 2000 }));
      assert.equal(ok.data.message, "jwt updated");
      const full = json(await sys.request("$SYS.REQ.CLAIMS.UPDATE", B.jwt, { timeout: 2000 }));
      assert.deepEqual(full.error, { account: B.id, code: 500, description: "jwt update resulted in error - jwt store is full" });
      assert.ok(!fs.existsSync(path.join(dir, `${B.id}.jwt`)));
      // An update of a stored account still fits.
      const again = await makeAccount(op, "A", { limits: { ...UNLIMITED, subs: 3 } }, { kp: A.kp });
      assert.equal(json(await sys.request("$SYS.REQ.CLAIMS.UPDATE", again.jwt, { timeout: 2000 })).data.message, "jwt updated");
    });
  });

  test("hard_delete removes the file instead of renaming it", T, async () => {
    const op = await makeOperator();
    const A = await makeAccount(op, "A", { limits: UNLIMITED });
    await withResolver(op, { type: "full", allowDelete: true, hardDelete: true, interval: 60000, limit: 0 }, async ({ dir, sys }) => {
      const req = await makeGeneric("del", op.kp, "generic", { accounts: [A.id] });
      const r = json(await sys.request("$SYS.REQ.CLAIMS.DELETE", req, { timeout: 2000 }));
      assert.equal(r.data.message, "deleted 1 accounts");
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith(A.id)), []);
    }, { [A.id]: A.jwt });
  });

  test("LOOKUP of an account it does not hold: an empty answer", T, async () => {
    const op = await makeOperator();
    await withResolver(op, { type: "full", allowDelete: false, interval: 60000, limit: 0 }, async ({ sys }) => {
      const m = await sys.request(`$SYS.REQ.ACCOUNT.${(await makeAccount(op, "X")).id}.CLAIMS.LOOKUP`, "", { timeout: 2000 });
      assert.equal(m.data.length, 0);
    });
  });

  test("CLAIMS.PACK: all JWTs then an empty message; a matching hash gets only the empty one", T, async () => {
    const op = await makeOperator();
    const A = await makeAccount(op, "A", { limits: UNLIMITED });
    await withResolver(op, { type: "full", allowDelete: false, interval: 60000, limit: 0 }, async ({ sys }) => {
      const lines = await packStream(sys, Buffer.alloc(32));
      assert.deepEqual(lines.sort(), [`${A.id}|${A.jwt}`, `${op.sys.getPublicKey()}|${op.sysJwt}`].sort());
      assert.deepEqual(await packStream(sys, storeHash([A.jwt, op.sysJwt])), []);
    }, { [A.id]: A.jwt });
  });

  test("interval: the server asks CLAIMS.PACK with its store hash and merges verified answers only", T, async () => {
    const op = await makeOperator();
    const B = await makeAccount(op, "B", { limits: UNLIMITED });
    const rogueOp = await makeOperator();
    const R = await makeAccount(rogueOp, "R", { limits: UNLIMITED });
    await withResolver(op, { type: "full", allowDelete: false, interval: 200, limit: 0 }, async ({ dir, sys, client }) => {
      const seen = [];
      // A peer answering the sync with one JWT it has and one no trusted operator signed.
      sys.subscribe("$SYS.REQ.CLAIMS.PACK", {
        callback: (_e, m) => {
          seen.push(Buffer.from(m.data));
          if (!m.reply) return;
          sys.publish(m.reply, `${R.id}|${R.jwt}`);
          sys.publish(m.reply, `${B.id}|${B.jwt}`);
          sys.publish(m.reply, "");
        },
      });
      await sys.flush();
      await waitUntil(() => seen.length >= 1, 3000);
      assert.deepEqual(seen[0], storeHash([op.sysJwt]), "the request carries the store hash");
      await waitUntil(() => fs.existsSync(path.join(dir, `${B.id}.jwt`)), 3000);
      await (await client(await makeUser(B, "b"))).flush();
      assert.ok(!fs.existsSync(path.join(dir, `${R.id}.jwt`)), "an unverified JWT is not merged");
    });
  });
});
