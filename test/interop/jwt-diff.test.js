// Differential operator-mode check: one operator with a MEMORY resolver and
// preloaded accounts, generated here with @nats-io/jwt, run by the Go
// nats-server (the reference) and by tsnats from the same config file. Raw
// protocol scripts send CONNECT with user JWTs (signing the INFO nonce) and
// the transcripts (INFO reduced to its key set) and whether the server closed
// the connection must be identical: valid users, every claim rule (expiry,
// not-before, signing keys and scopes, bearer, revocation, source networks,
// connect times, connection types, permissions, user and account limits) and
// bad input (garbage, truncated, tampered, wrongly typed JWTs). Also the
// operator-mode startup errors. Skipped when nats-server is not on PATH.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createUser, createAccount } from "@nats-io/nkeys";
import { RawClient } from "../helpers/raw-client.js";
import { startServer, sleep } from "../helpers/server.js";
import { goServerPath, startGoServer } from "../helpers/go-server.js";
import { BIN } from "../helpers/tsnats-process.js";
import { loadConfigFile } from "../../dist/config/index.js";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { makeOperator, makeAccount, makeUser, makeGeneric, memoryConfig, UNLIMITED } from "../helpers/jwt-fixtures.js";
import { runWithConfig } from "../helpers/config-run.js";

const goBin = goServerPath();
const now = () => Math.floor(Date.now() / 1000);

const connectLine = (fields) => `CONNECT ${JSON.stringify({ verbose: false, pedantic: false, protocol: 1, headers: true, ...fields })}\r\n`;
/** CONNECT presenting `u` (jwt + nonce signed with its key, unless `sig` overrides). */
const as = (u, extra = {}) => (info) => connectLine({ jwt: u.jwt, sig: Buffer.from(u.kp.sign(Buffer.from(info.nonce ?? ""))).toString("base64url"), ...extra });

async function fixtures() {
  const op = await makeOperator();
  const skA = createAccount();
  const scoped = createAccount();
  const A = await makeAccount(op, "A", {
    signing_keys: [skA.getPublicKey(), { kind: "user_scope", key: scoped.getPublicKey(), role: "r", template: { pub: { allow: ["{{name()}}.>", "t.{{tag(team)}}"] }, sub: { allow: ["_INBOX.>"] }, subs: -1, data: -1, payload: -1 } }],
    limits: { subs: 3, conn: 2, payload: 50, data: -1, imports: -1, exports: -1, leaf: -1, wildcards: true },
    default_permissions: { pub: { deny: ["default.denied"] } },
  });
  const revokedUser = createUser();
  const B = await makeAccount(op, "B", { revocations: { [revokedUser.getPublicKey()]: now() + 5 }, limits: { disallow_bearer: true, subs: -1, conn: -1, payload: -1, data: -1, imports: -1, exports: -1, leaf: -1, wildcards: true } });
  const expiredAcc = await makeAccount(op, "EXP", {}, { encoding: { exp: now() - 10 } });
  const unlimited = { limits: { subs: -1, conn: -1, payload: -1, data: -1, imports: -1, exports: -1, leaf: -1, wildcards: true } };
  const bySk = await makeAccount(op, "SK", unlimited, { signer: op.sk });
  const noLimits = await makeAccount(op, "NOLIMITS", {});
  const untrusted = await makeAccount(op, "UNTRUSTED", {}, { signer: createAccount() }).catch(() => null);
  const notPreloaded = await makeAccount(op, "MISSING");
  const u = {
    plain: await makeUser(A, "plain"),
    perms: await makeUser(A, "perms", { pub: { allow: ["ok.>", "_INBOX.>"], deny: ["ok.no"] }, sub: { allow: ["ok.>"], deny: ["ok.hidden"] } }),
    resp: await makeUser(A, "resp", { pub: { allow: ["nothing"] }, sub: { allow: ["svc"] }, resp: { max: 1, ttl: 0 } }),
    subs1: await makeUser(A, "subs1", { subs: 1 }),
    pay5: await makeUser(A, "pay5", { payload: 5 }),
    expired: await makeUser(A, "expired", {}, { encoding: { exp: now() - 5 } }),
    notYet: await makeUser(A, "notyet", {}, { encoding: { nbf: now() + 3600 } }),
    bySk: await makeUser(A, "bysk", {}, { signer: skA }),
    byUnknownSk: await makeUser(A, "unknownsk", {}, { signer: createAccount() }),
    scoped: await makeUser(A, "alice", { tags: ["team:red"] }, { signer: scoped, scoped: true }),
    scopedWithPerms: await makeUser(A, "bad", { pub: { allow: ["x"] } }, { signer: scoped }),
    bearer: await makeUser(A, "bearer", { bearer_token: true }),
    bearerB: await makeUser(B, "bearerb", { bearer_token: true }),
    revoked: await makeUser(B, "revoked", {}, { kp: revokedUser }),
    srcNo: await makeUser(A, "srcno", { src: ["10.0.0.0/8"] }),
    srcYes: await makeUser(A, "srcyes", { src: ["10.0.0.0/8", "127.0.0.0/8"] }),
    srcBad: await makeUser(A, "srcbad", { src: ["not-a-cidr"] }),
    timesNo: await makeUser(A, "timesno", { times: [outsideWindow()] }),
    timesBad: await makeUser(A, "timesbad", { times: [{ start: "25:00:00", end: "26:00:00" }] }),
    wsOnly: await makeUser(A, "wsonly", { allowed_connection_types: ["WEBSOCKET"] }),
    stdOnly: await makeUser(A, "stdonly", { allowed_connection_types: ["STANDARD"] }),
    unknownType: await makeUser(A, "unknowntype", { allowed_connection_types: ["CARRIER_PIGEON"] }),
    expiredAcc: await makeUser(expiredAcc, "ea"),
    skAcc: await makeUser(bySk, "ska"),
    missing: await makeUser(notPreloaded, "m"),
    b: await makeUser(B, "b"),
  };
  u.noLimits = await makeUser(noLimits, "nl");
  // Exports and imports between accounts (public, token-required with an activation, a missing activation).
  const { encodeActivation } = await import("@nats-io/jwt");
  const expKp = createAccount();
  const impKp = createAccount();
  const EXPO = await makeAccount(op, "EXPO", {
    ...unlimited,
    exports: [
      { name: "pub", subject: "pub.>", type: "stream" },
      { name: "echo", subject: "svc.echo", type: "service" },
      { name: "priv", subject: "priv.>", type: "stream", token_req: true },
    ],
  }, { kp: expKp });
  const activation = await encodeActivation("act", impKp, expKp, "stream", { subject: "priv.>" });
  const IMPO = await makeAccount(op, "IMPO", {
    ...unlimited,
    imports: [
      { name: "pub", subject: "pub.>", account: expKp.getPublicKey(), type: "stream", to: "from_a" },
      { name: "echo", subject: "svc.echo", account: expKp.getPublicKey(), type: "service", local_subject: "echo" },
      { name: "priv", subject: "priv.>", account: expKp.getPublicKey(), type: "stream", token: activation },
    ],
  }, { kp: impKp });
  const NOTOKEN = await makeAccount(op, "NOTOKEN", { ...unlimited, imports: [{ name: "priv", subject: "priv.>", account: expKp.getPublicKey(), type: "stream" }] });
  // Import/export counts and wildcard exports beyond the account's limits make the account JWT invalid.
  const overImports = await makeAccount(op, "OVERIMP", { limits: { ...UNLIMITED, imports: 0 }, imports: [{ name: "p", subject: "pub.>", account: expKp.getPublicKey(), type: "stream" }] });
  const wildExports = await makeAccount(op, "WILDEXP", { limits: { ...UNLIMITED, wildcards: false }, exports: [{ name: "w", subject: "w.>", type: "stream" }] });
  const noLimitsImports = await makeAccount(op, "NOLIMIMP", { imports: [{ name: "p", subject: "pub.>", account: expKp.getPublicKey(), type: "stream" }] });
  u.overImports = await makeUser(overImports, "oi");
  u.wildExports = await makeUser(wildExports, "we");
  u.noLimitsImports = await makeUser(noLimitsImports, "nli");
  u.expo = await makeUser(EXPO, "expo");
  u.impo = await makeUser(IMPO, "impo");
  u.notoken = await makeUser(NOTOKEN, "nt");
  return { op, accounts: [A, B, expiredAcc, bySk, noLimits, EXPO, IMPO, NOTOKEN, overImports, wildExports, noLimitsImports], A, B, u, untrusted };
}

/** A connect window that does not contain the present moment (server local time = UTC in tests). */
function outsideWindow() {
  const d = new Date(Date.now() + 2 * 3600_000);
  const h = String(d.getUTCHours()).padStart(2, "0");
  return { start: `${h}:00:00`, end: `${h}:30:00` };
}

function scripts(f) {
  const { u, A } = f;
  const tamper = (jwt) => {
    const [h, p, s] = jwt.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url"));
    claims.name = "mallory";
    return `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
  };
  return [
    { name: "valid user: pub/sub inside its account", steps: [[0, as(u.plain), "SUB foo 1\r\nPUB foo 2\r\nhi\r\n"]] },
    { name: "accounts are isolated", steps: [[0, as(u.plain), "SUB iso 1\r\n"], [1, as(u.b), "SUB iso 1\r\nPUB iso 1\r\nb\r\n"], [0, null, "PUB iso 1\r\na\r\n"]] },
    { name: "no JWT", steps: [[0, () => connectLine({})]] },
    { name: "user/password in operator mode", steps: [[0, () => connectLine({ user: "a", pass: "b" })]] },
    { name: "garbage JWT", steps: [[0, () => connectLine({ jwt: "garbage", sig: "x" })]] },
    { name: "truncated JWT", steps: [[0, (i) => as(u.plain, { jwt: u.plain.jwt.slice(0, u.plain.jwt.length - 20) })(i)]] },
    { name: "tampered JWT", steps: [[0, (i) => as(u.plain, { jwt: tamper(u.plain.jwt) })(i)]] },
    { name: "account JWT where a user JWT belongs", steps: [[0, (i) => as(u.plain, { jwt: A.jwt })(i)]] },
    { name: "expired user", steps: [[0, as(u.expired)]] },
    { name: "not yet valid user", steps: [[0, as(u.notYet)]] },
    { name: "nonce signed by another key", steps: [[0, (i) => connectLine({ jwt: u.plain.jwt, sig: Buffer.from(createUser().sign(Buffer.from(i.nonce))).toString("base64url") })]] },
    { name: "signature missing", steps: [[0, () => connectLine({ jwt: u.plain.jwt })]] },
    { name: "signature not base64", steps: [[0, () => connectLine({ jwt: u.plain.jwt, sig: "***" })]] },
    { name: "account not known to the resolver", steps: [[0, as(u.missing)]] },
    { name: "account JWT expired", steps: [[0, as(u.expiredAcc)]] },
    // Go closes at once; whether its -ERR is flushed first varies from run to run.
    { name: "account JWT without limits takes no connections", closedOnly: true, steps: [[0, as(u.noLimits)]] },
    { name: "account signed by an operator signing key", steps: [[0, as(u.skAcc), "SUB a 1\r\nPUB a 1\r\nx\r\n"]] },
    { name: "user signed by an account signing key", steps: [[0, as(u.bySk), "SUB a 1\r\nPUB a 1\r\nx\r\n"]] },
    { name: "user signed by an unknown key", steps: [[0, as(u.byUnknownSk)]] },
    { name: "scoped signing key: template permissions", steps: [[0, as(u.scoped), "SUB _INBOX.x 1\r\nSUB other 2\r\nPUB alice.x 0\r\n\r\nPUB bob.x 0\r\n\r\nPUB t.red 0\r\n\r\nPUB t.blue 0\r\n\r\n"]] },
    { name: "scoped signing key: user with its own permissions", steps: [[0, as(u.scopedWithPerms)]] },
    { name: "bearer token without a signature", steps: [[0, () => connectLine({ jwt: u.bearer.jwt }), "PING\r\n"]] },
    { name: "bearer token refused by the account", steps: [[0, () => connectLine({ jwt: u.bearerB.jwt })]] },
    { name: "revoked user", steps: [[0, as(u.revoked)]] },
    { name: "source network: outside", steps: [[0, as(u.srcNo)]] },
    { name: "source network: inside", steps: [[0, as(u.srcYes), "PING\r\n"]] },
    { name: "source network: bad CIDR", steps: [[0, as(u.srcBad)]] },
    { name: "connect times: outside", steps: [[0, as(u.timesNo)]] },
    { name: "connect times: bad format", steps: [[0, as(u.timesBad)]] },
    { name: "connection type WEBSOCKET only", steps: [[0, as(u.wsOnly)]] },
    { name: "connection type STANDARD", steps: [[0, as(u.stdOnly), "PING\r\n"]] },
    { name: "unknown connection type only", steps: [[0, as(u.unknownType)]] },
    { name: "user permissions", steps: [[0, as(u.perms), "SUB ok.a 1\r\nSUB ok.hidden 2\r\nSUB no 3\r\nPUB ok.a 1\r\na\r\nPUB ok.no 1\r\nb\r\nPUB elsewhere 1\r\nc\r\n"]] },
    { name: "account default permissions", steps: [[0, as(u.plain), "PUB default.denied 1\r\nx\r\nPUB default.fine 1\r\ny\r\n"]] },
    {
      name: "response permission",
      steps: [
        [0, as(u.resp), "SUB svc 1\r\n"],
        [1, as(u.plain), "SUB reply.1 1\r\nPUB svc reply.1 1\r\nq\r\n"],
        [0, null, "PUB reply.1 1\r\nr\r\nPUB reply.1 1\r\ns\r\n"],
        [1, null, ""],
      ],
    },
    // Account JWT mappings are left out: nats-server 2.9.10 reports them ("has mappings true") but does not
    // apply them to its clients' messages; tsnats applies them (test/integration/jwt-claims-live.test.js).
    {
      name: "stream imports: public with prefix, token-required with an activation, without one",
      steps: [
        [1, as(u.impo), "SUB from_a.> 1\r\nSUB priv.> 2\r\n"],
        [2, as(u.notoken), "SUB priv.> 1\r\n"],
        [0, as(u.expo), "PUB pub.x 1\r\np\r\nPUB priv.y 1\r\nq\r\n"],
        [1, null, ""],
        [2, null, ""],
      ],
    },
    {
      name: "service import",
      steps: [
        [0, as(u.expo), "SUB svc.echo 1\r\n"],
        [1, as(u.impo), "SUB rep.1 1\r\nPUB echo rep.1 2\r\nhi\r\n"],
        [0, null, ""],
      ],
    },
    { name: "user subscription limit", steps: [[0, as(u.subs1), "SUB a 1\r\nSUB b 2\r\n"]] },
    { name: "account subscription limit", steps: [[0, as(u.plain), "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nSUB d 4\r\n"]] },
    { name: "user payload limit", steps: [[0, as(u.pay5), "PUB a 5\r\n12345\r\n"], [0, null, "PUB a 6\r\n123456\r\n", { nosync: true, wait: 200 }]] },
    { name: "account payload limit", steps: [[0, as(u.plain), "PUB a 50\r\n" + "x".repeat(50) + "\r\n"], [0, null, "PUB a 51\r\n" + "x".repeat(51) + "\r\n", { nosync: true, wait: 200 }]] },
    { name: "account connection limit", steps: [[0, as(u.plain), ""], [1, as(u.bySk), ""], [2, as(u.stdOnly), ""]] },
  ];
}

async function runScript(port, script) {
  const conns = [];
  try {
    for (const [i, connectStep, bytes, o = {}] of script.steps) {
      if (!conns[i]) {
        conns[i] = await RawClient.open(port);
        conns[i].send(connectStep(conns[i].info()));
      }
      const c = conns[i];
      if (!c.closed && bytes) c.send(bytes);
      if (o.wait) await sleep(o.wait);
      if (!o.nosync && !c.closed) {
        c.send("PING\r\n");
        await c.waitFor(/PONG\r\n$/, 3000).catch(() => {});
      }
      await sleep(30);
    }
    for (const c of conns) {
      if (c.closed) continue;
      const n = c.count("PONG\r\n");
      c.send("PING\r\n");
      await c.waitFor(() => c.count("PONG\r\n") > n || c.closed, 3000).catch(() => {});
    }
    // The server's keepalive PING depends on timing (Go's first one comes after ~2s): left out.
    return conns.map((c) => c.data.replace(/(^|\n)INFO (.*) \r\n/g, (_, pre, j) => `${pre}INFO ${Object.keys(JSON.parse(j)).sort().join(",")} max_payload=${JSON.parse(j).max_payload}\r\n`).replace(/(^|\n)PING\r\n/g, "$1").replace(/_R_\.\S+/g, "_R_").replace(/"rtt":\d+/g, '"rtt":N').replace(/^(HMSG \S+ \S+ _R_) \d+ \d+/gm, "$1 H S") + (c.closed ? "<closed>" : ""));
  } finally {
    for (const c of conns) c?.close();
  }
}


describe("operator mode: tsnats vs nats-server", { skip: goBin ? false : "nats-server not on PATH" }, () => {
  const tmp = goBin ? fs.mkdtempSync(path.join(os.tmpdir(), "jwt-diff-")) : "";
  let f;
  let go;
  let ts;
  before(async () => {
    if (!goBin) return;
    f = await fixtures();
    const { encodeOperator } = await import("@nats-io/jwt");
    const { createOperator } = await import("@nats-io/nkeys");
    f.opNoSys = await encodeOperator("NOSYS", createOperator(), {});
    // assert_server_version: malformed ones, and one newer than both servers.
    f.opAssert = {};
    for (const v of ["bad", "1.2", "2.x.1", "3.0.0"]) f.opAssert[v] = await encodeOperator("ASSERT", createOperator(), { assert_server_version: v });
    const file = path.join(tmp, "op.conf");
    fs.writeFileSync(file, `# operator\n${memoryConfig(f.op, f.accounts)}\n`);
    const { options } = loadConfigFile(file);
    [go, ts] = await Promise.all([startGoServer(["-c", file]), startServer({ ...options, host: "127.0.0.1", port: 0 })]);
  });
  after(async () => {
    await go?.stop();
    await ts?.shutdown();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("INFO as Go: auth_required, nonce", async () => {
    const [g, t] = await Promise.all([RawClient.open(go.port), RawClient.open(ts.port)]);
    try {
      assert.deepEqual(Object.keys(t.info()).sort(), Object.keys(g.info()).sort());
      assert.equal(t.info().auth_required, true);
      assert.equal(t.info().nonce.length, g.info().nonce.length);
    } finally {
      g.close();
      t.close();
    }
  });

  test("every script: same transcript", { timeout: 120000 }, async (t) => {
    for (const script of scripts(f)) {
      await t.test(script.name, async () => {
        const [want, got] = await Promise.all([runScript(go.port, script), runScript(ts.port, script)]);
        if (script.closedOnly) assert.deepEqual(got.map((t) => t.endsWith("<closed>")), want.map((t) => t.endsWith("<closed>")));
        else assert.deepEqual(got, want);
      });
    }
  });

  describe("startup errors", () => {
    const cases = () => [
      ["operator without a resolver", `operator: ${f.op.jwt}`],
      ["operator with users", `operator: ${f.op.jwt}\nresolver: MEMORY\nauthorization { users: [{user: a, password: b}] }`],
      ["full resolver without a system account", `operator: ${f.op.jwt.replace(/.*/, f.opNoSys)}\nresolver: { type: full, dir: "${tmp}/full" }`],
      ["operator and trusted keys", `operator: ${f.op.jwt}\nresolver: MEMORY\ntrusted: ${f.op.kp.getPublicKey()}`],
      ["bad trusted key", `trusted: OBAD`],
      ["bad operator JWT", `operator: eyJhbGciOiJlZDI1NTE5LW5rZXkiLCJ0eXAiOiJKV1QifQ.e30.AAAA`],
      ["operator file missing", `operator: ${tmp}/nope.jwt`],
      ["invalid preload", `operator: ${f.op.jwt}\nresolver: MEMORY\nresolver_preload { ${f.A.id}: "not a jwt" }`],
      ["different system account", `operator: ${f.op.jwt}\nsystem_account: ${f.A.id}\nresolver: MEMORY`],
      ["resolver: bad string", `operator: ${f.op.jwt}\nresolver: FOO`],
      ["resolver: dir missing", `operator: ${f.op.jwt}\nresolver: { type: full }`],
      ["resolver: cache with allow_delete", `operator: ${f.op.jwt}\nresolver: { type: cache, dir: "${tmp}/c", allow_delete: true }`],
      ["resolver: full with ttl", `operator: ${f.op.jwt}\nresolver: { type: full, dir: "${tmp}/c", ttl: "1h" }`],
      ["URL resolver nobody answers", `operator: ${f.op.jwt}\nresolver: URL(http://127.0.0.1:1/jwt/v1/accounts/)`],
      ["operator with accounts", `operator: ${f.op.jwt}\nresolver: MEMORY\naccounts { X: {} }`],
      ...["bad", "1.2", "2.x.1", "3.0.0"].map((v) => [`assert_server_version ${v}`, `operator: ${f.opAssert[v]}\nresolver: MEMORY`]),
      ["URL resolver with preloads", `operator: ${f.op.jwt}\nresolver: URL(http://127.0.0.1:1/jwt/v1/accounts/)\nresolver_preload { ${f.A.id}: ${f.A.jwt} }`],
    ];
    test("same exit code and message", { timeout: 60000 }, async (t) => {
      for (const [name, text] of cases()) {
        await t.test(name, async () => {
          const file = path.join(tmp, `bad-${name.replace(/\W+/g, "_")}.conf`);
          fs.writeFileSync(file, `# ${name}\n${text}\n`);
          const [g, ts] = await Promise.all([runWithConfig(goBin, [], file), runWithConfig(process.execPath, [BIN], file)]);
          const lastLine = (s) => s.trim().split("\n").pop().replace(/^\[\d+\] [\d/ :.]+ \[[A-Z]+\] /, "").replace(/^(nats-server|tsnats): /, "");
          assert.equal(ts.code, g.code, `${name}: go said ${g.stderr}`);
          assert.equal(lastLine(ts.stderr), lastLine(g.stderr));
        });
      }
    });
  });
});

describe("full nats-resolver: tsnats vs nats-server", { skip: goBin ? false : "nats-server not on PATH" }, () => {
  const tmp = goBin ? fs.mkdtempSync(path.join(os.tmpdir(), "jwt-full-diff-")) : "";
  let op, go, ts, goSys, tsSys;
  const opened = [];
  before(async () => {
    if (!goBin) return;
    op = await makeOperator();
    const sysUser = await makeUser({ kp: op.sys, id: op.sys.getPublicKey() }, "sys");
    const conf = (dir) => `operator: ${op.jwt}\nsystem_account: ${op.sys.getPublicKey()}\nresolver: { type: full, dir: "${dir}", allow_delete: true, timeout: "300ms" }\nresolver_preload: { ${op.sys.getPublicKey()}: ${op.sysJwt} }\n`;
    fs.writeFileSync(path.join(tmp, "go.conf"), conf(path.join(tmp, "go-jwt")));
    fs.writeFileSync(path.join(tmp, "ts.conf"), conf(path.join(tmp, "ts-jwt")));
    const { options } = loadConfigFile(path.join(tmp, "ts.conf"));
    [go, ts] = await Promise.all([startGoServer(["-c", path.join(tmp, "go.conf")]), startServer({ ...options, host: "127.0.0.1", port: 0 })]);
    goSys = await connect({ servers: go.url, authenticator: credsAuthenticator(sysUser.creds) });
    tsSys = await connect({ servers: ts.url, authenticator: credsAuthenticator(sysUser.creds) });
    opened.push(goSys, tsSys);
  });
  after(async () => {
    for (const nc of opened) await nc.close().catch(() => {});
    await go?.stop();
    await ts?.shutdown();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  /** The same request to both; the replies with the `server` block (ids, times) left out. */
  const both = async (subject, payload) => {
    const strip = (m) => {
      const text = new TextDecoder().decode(m.data);
      try {
        const j = JSON.parse(text);
        delete j.server;
        if (Array.isArray(j.data)) j.data.sort();
        return j;
      } catch {
        return text;
      }
    };
    const [g, t] = await Promise.all([goSys.request(subject, payload, { timeout: 2000 }), tsSys.request(subject, payload, { timeout: 2000 })]);
    return [strip(g), strip(t)];
  };

  test("update, lookup, list, delete: same replies", { timeout: 60000 }, async () => {
    const B = await makeAccount(op, "B", { limits: UNLIMITED });
    const C = await makeAccount(op, "C", { limits: UNLIMITED });
    const cases = [
      ["$SYS.REQ.CLAIMS.UPDATE", B.jwt],
      [`$SYS.REQ.ACCOUNT.${C.id}.CLAIMS.UPDATE`, C.jwt],
      [`$SYS.REQ.ACCOUNT.${B.id}.CLAIMS.UPDATE`, C.jwt],
      ["$SYS.REQ.CLAIMS.UPDATE", "garbage"],
      ["$SYS.REQ.CLAIMS.UPDATE", B.jwt.slice(0, -10)],
      [`$SYS.REQ.ACCOUNT.${B.id}.CLAIMS.LOOKUP`, ""],
      ["$SYS.REQ.CLAIMS.LIST", ""],
      ["$SYS.REQ.CLAIMS.DELETE", await makeGeneric("d", op.sys, "generic", { accounts: [C.id] })],
      ["$SYS.REQ.CLAIMS.DELETE", await makeGeneric("d", op.kp, "generic", { accounts: ["nope"] })],
      ["$SYS.REQ.CLAIMS.DELETE", await makeGeneric("d", op.kp, "generic", { accounts: [op.sys.getPublicKey()] })],
      ["$SYS.REQ.CLAIMS.DELETE", await makeGeneric("d", op.kp, "generic", { accounts: [C.id] })],
      ["$SYS.REQ.CLAIMS.LIST", ""],
    ];
    for (const [subject, payload] of cases) {
      const [want, got] = await both(subject, payload);
      assert.deepEqual(got, want, `${subject} ${payload.slice(0, 20)}`);
    }
    // A pushed account takes users on both.
    const u = await makeUser(B, "b");
    for (const url of [go.url, ts.url]) {
      const nc = await connect({ servers: url, authenticator: credsAuthenticator(u.creds), reconnect: false });
      await nc.flush();
      await nc.close();
    }
  });
});

describe("connz for JWT users: tsnats vs nats-server", { skip: goBin ? false : "nats-server not on PATH" }, () => {
  test("authorized_user, account, jwt, issuer_key, name_tag, tags; open and closed", { timeout: 30000 }, async () => {
    const { freePort } = await import("../helpers/go-server.js");
    const op = await makeOperator();
    const sk = (await import("@nats-io/nkeys")).createAccount();
    const A = await makeAccount(op, "A", { limits: UNLIMITED, signing_keys: [sk.getPublicKey()], tags: ["env:test"] });
    const u = await makeUser(A, "named", { tags: ["role:x", "y"] }, { signer: sk });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "jwt-connz-"));
    const file = path.join(tmp, "c.conf");
    fs.writeFileSync(file, `# connz\n${memoryConfig(op, [A])}\n`);
    const mport = await freePort();
    const { options } = loadConfigFile(file);
    const [go, ts] = await Promise.all([startGoServer(["-c", file, "-m", String(mport)]), startServer({ ...options, host: "127.0.0.1", port: 0, httpPort: -1, httpHost: "127.0.0.1" })]);
    const pick = (c) => ({ authorized_user: c.authorized_user, account: c.account, jwt: c.jwt, issuer_key: c.issuer_key, name_tag: c.name_tag, tags: c.tags });
    try {
      const gnc = await connect({ servers: go.url, authenticator: credsAuthenticator(u.creds) });
      const tnc = await connect({ servers: ts.url, authenticator: credsAuthenticator(u.creds) });
      await Promise.all([gnc.flush(), tnc.flush()]);
      const get = async (base, q) => (await (await fetch(`${base}/connz?${q}`)).json()).connections;
      const goBase = `http://127.0.0.1:${mport}`;
      const [gOpen, tOpen] = await Promise.all([get(goBase, "auth=1"), get(ts.monitorUrl, "auth=1")]);
      // Go's list may still hold the helper's TCP probe: only JWT clients are compared.
      const jwtOnly = (l) => l.filter((c) => c.jwt).map(pick);
      assert.deepEqual(jwtOnly(tOpen), jwtOnly(gOpen));
      assert.equal(jwtOnly(tOpen).length, 1);
      await Promise.all([gnc.close(), tnc.close()]);
      await sleep(100);
      const [gClosed, tClosed] = await Promise.all([get(goBase, "auth=1&state=closed"), get(ts.monitorUrl, "auth=1&state=closed")]);
      assert.deepEqual(jwtOnly(tClosed), jwtOnly(gClosed));
      assert.equal(jwtOnly(tClosed).length, 1);
    } finally {
      await go.stop();
      await ts.shutdown();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("URL resolver: tsnats vs nats-server against one HTTP account server", { skip: goBin ? false : "nats-server not on PATH" }, () => {
  test("good, 404, junk, untrusted and hanging answers: same client transcripts", { timeout: 60000 }, async () => {
    const { createServer } = await import("node:http");
    const { createOperator } = await import("@nats-io/nkeys");
    const op = await makeOperator();
    // The base URL answers too: both servers probe it at start-up.
    const answers = new Map([[op.sys.getPublicKey(), { status: 200, body: op.sysJwt }], ["", { status: 200, body: "" }]]);
    const hanging = [];
    const http = createServer((req, res) => {
      const a = answers.get(req.url.split("/").pop()) ?? { status: 404, body: "nope" };
      if (a.hang) return hanging.push(res);
      res.writeHead(a.status);
      res.end(a.body);
    });
    await new Promise((r) => http.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${http.address().port}/jwt/v1/accounts/`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "jwt-url-diff-"));
    const file = path.join(tmp, "u.conf");
    fs.writeFileSync(file, `# url\noperator: ${op.jwt}\nsystem_account: ${op.sys.getPublicKey()}\nresolver: URL(${url})\n`);
    const { options } = loadConfigFile(file);
    const [go, ts] = await Promise.all([startGoServer(["-c", file]), startServer({ ...options, host: "127.0.0.1", port: 0 })]);
    try {
      const good = await makeAccount(op, "GOOD", { limits: UNLIMITED });
      const junk = await makeAccount(op, "JUNK", { limits: UNLIMITED });
      const rogue = await makeAccount(op, "ROGUE", { limits: UNLIMITED }, { signer: createOperator() });
      const hang = await makeAccount(op, "HANG", { limits: UNLIMITED });
      const missing = await makeAccount(op, "MISSING", { limits: UNLIMITED });
      answers.set(good.id, { status: 200, body: good.jwt });
      answers.set(junk.id, { status: 200, body: "<html>junk</html>" });
      answers.set(rogue.id, { status: 200, body: rogue.jwt });
      answers.set(hang.id, { hang: true });
      for (const [name, acc] of [["good", good], ["junk", junk], ["untrusted", rogue], ["missing", missing], ["hanging", hang]]) {
        const u = await makeUser(acc, name);
        const script = { name, steps: [[0, as(u), "SUB a 1\r\nPUB a 1\r\nx\r\n"]] };
        const [want, got] = await Promise.all([runScript(go.port, script), runScript(ts.port, script)]);
        assert.deepEqual(got, want, name);
      }
    } finally {
      await go.stop();
      await ts.shutdown();
      for (const r of hanging) r.destroy();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
