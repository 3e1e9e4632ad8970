// Operator mode with an HTTP account server (`resolver: URL(...)`), served
// by a tiny node:http server on 127.0.0.1: accounts are fetched on first
// use and verified; a 404, junk, an untrusted JWT, or a server that hangs
// past the fetch timeout refuse the client with Authorization Violation,
// nothing unverified is kept, and a later good answer is used. Over HTTPS
// the account server is verified with `resolver_tls`.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { haveOpenssl, makeCerts, removeCerts } from "../helpers/certs.js";
import { connect, credsAuthenticator } from "@nats-io/transport-node";
import { createOperator } from "@nats-io/nkeys";
import { startServer } from "../helpers/server.js";
import { makeOperator, makeAccount, makeUser, UNLIMITED } from "../helpers/jwt-fixtures.js";
import { loadConfigFile } from "../../dist/config/index.js";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const T = { timeout: 30000 };

describe("URL account resolver", () => {
  let op, http, base, s;
  const answers = new Map();
  const requests = [];
  const hanging = [];
  before(async () => {
    op = await makeOperator();
    answers.set(op.sys.getPublicKey(), { status: 200, body: op.sysJwt });
    // The base URL: the server checks it answers at start-up, as Go's.
    answers.set("", { status: 200, body: "" });
    http = createServer((req, res) => {
      requests.push(req.url);
      const id = req.url.split("/").pop();
      const a = answers.get(id) ?? { status: 404, body: "not found" };
      if (a.hang) {
        hanging.push(res);
        return;
      }
      res.writeHead(a.status, { "content-type": "application/jwt" });
      res.end(a.body);
    });
    await new Promise((r) => http.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${http.address().port}/jwt/v1/accounts/`;
    s = await startServer({ trustedOperators: [op.jwt], systemAccount: op.sys.getPublicKey(), accountResolver: { type: "url", url: base } });
  });
  after(async () => {
    await s?.shutdown();
    for (const r of hanging) r.destroy();
    http?.closeAllConnections();
    await new Promise((r) => http.close(r));
  });
  const tryConnect = async (u) => {
    const nc = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator(u.creds) });
    await nc.flush();
    await nc.close();
  };

  test("an account is fetched once, verified, and its users connect", T, async () => {
    const A = await makeAccount(op, "A", { limits: UNLIMITED });
    answers.set(A.id, { status: 200, body: A.jwt });
    const u = await makeUser(A, "u");
    await tryConnect(u);
    await tryConnect(u);
    assert.equal(requests.filter((r) => r === `/jwt/v1/accounts/${A.id}`).length, 1);
  });

  test("404, junk and an untrusted JWT are refused and not kept", T, async () => {
    const B = await makeAccount(op, "B", { limits: UNLIMITED });
    const u = await makeUser(B, "u");
    await assert.rejects(tryConnect(u), /Authorization Violation/);
    answers.set(B.id, { status: 200, body: "<html>junk</html>" });
    await assert.rejects(tryConnect(u), /Authorization Violation/);
    const rogue = await makeAccount(op, "B", { limits: UNLIMITED }, { kp: B.kp, signer: createOperator() });
    answers.set(B.id, { status: 200, body: rogue.jwt });
    await assert.rejects(tryConnect(u), /Authorization Violation/);
    answers.set(B.id, { status: 200, body: B.jwt });
    await tryConnect(u);
    assert.equal(requests.filter((r) => r.endsWith(B.id)).length, 4, "each failure fetched again");
  });

  test("an account server that hangs: refused after the fetch timeout; others keep being served", T, async () => {
    const C = await makeAccount(op, "C", { limits: UNLIMITED });
    answers.set(C.id, { hang: true });
    const t0 = Date.now();
    const slow = assert.rejects(tryConnect(await makeUser(C, "c")), /Authorization Violation/);
    const A2 = await makeAccount(op, "A2", { limits: UNLIMITED });
    answers.set(A2.id, { status: 200, body: A2.jwt });
    await tryConnect(await makeUser(A2, "a2"));
    assert.ok(Date.now() - t0 < 1500, "another account was served meanwhile");
    await slow;
    const waited = Date.now() - t0;
    assert.ok(waited >= 1800 && waited < 5000, `waited ${waited}ms`);
  });

  test("an account server nobody answers at stops the start, with Go's error", T, async () => {
    await assert.rejects(
      startServer({ trustedOperators: [op.jwt], systemAccount: op.sys.getPublicKey(), accountResolver: { type: "url", url: "http://127.0.0.1:1/x/" } }),
      { message: 'could not fetch <"http://127.0.0.1:1/x/">: Get "http://127.0.0.1:1/x/": dial tcp 127.0.0.1:1: connect: connection refused' },
    );
  });

  test("config: resolver: URL(...) and a bad resolver string", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "url-res-"));
    try {
      const f = path.join(dir, "a.conf");
      fs.writeFileSync(f, `operator: ${op.jwt}\nresolver: URL(${base})\n`);
      assert.deepEqual(loadConfigFile(f).options.accountResolver, { type: "url", url: base });
      fs.writeFileSync(f, `operator: ${op.jwt}\nresolver: NOPE\n`);
      assert.throws(() => loadConfigFile(f), /error parsing account resolver, should be MEM or {2}URL\("url"\) or a map containing dir and type state=\[FULL\|CACHE\]\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("URL account resolver over HTTPS (resolver_tls)", { skip: !haveOpenssl() && "openssl missing" }, () => {
  let op, certs, https, base;
  before(async () => {
    op = await makeOperator();
    certs = makeCerts();
    https = createHttpsServer({ cert: fs.readFileSync(certs.server.cert), key: fs.readFileSync(certs.server.key) }, (req, res) => {
      const id = req.url.split("/").pop();
      if (id === "") return res.end("");
      if (id === op.sys.getPublicKey()) return res.end(op.sysJwt);
      res.writeHead(404).end();
    });
    await new Promise((r) => https.listen(0, "127.0.0.1", r));
    base = `https://127.0.0.1:${https.address().port}/jwt/v1/accounts/`;
  });
  after(async () => {
    https?.closeAllConnections();
    await new Promise((r) => https.close(r));
    removeCerts(certs);
  });

  test("the account server's certificate is verified with resolver_tls ca_file; without it Go's x509 error stops the start", T, async () => {
    const cfg = { trustedOperators: [op.jwt], systemAccount: op.sys.getPublicKey(), accountResolver: { type: "url", url: base } };
    await assert.rejects(startServer(cfg), {
      message: `could not fetch <"${base}">: Get "${base}": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "url-tls-"));
    try {
      const f = path.join(dir, "a.conf");
      fs.writeFileSync(f, `operator: ${op.jwt}\nresolver: URL(${base})\nresolver_tls { ca_file: "${certs.ca}" }\n`);
      const { options } = loadConfigFile(f);
      assert.equal(options.accountResolverTls.caFile, certs.ca);
      const s = await startServer({ ...cfg, accountResolverTls: options.accountResolverTls });
      try {
        const sysUser = await makeUser({ kp: op.sys, id: op.sys.getPublicKey() }, "sys");
        const nc = await connect({ servers: s.url, reconnect: false, authenticator: credsAuthenticator(sysUser.creds) });
        await nc.flush();
        await nc.close();
      } finally {
        await s.shutdown();
      }
      const missing = path.join(dir, "missing.pem");
      await assert.rejects(startServer({ ...cfg, accountResolverTls: { ...options.accountResolverTls, caFile: missing } }), {
        message: `open ${missing}: no such file or directory`,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
