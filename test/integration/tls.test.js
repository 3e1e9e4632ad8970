// TLS on the client port: the NATS flow (INFO with tls_required, then the
// upgrade), verify with good / wrong-CA / expired / missing client
// certificates, pinned certificates, handshake_first (with and without the
// fallback), allow_non_tls, the handshake timeout, plain text on a TLS port,
// the real client with `tls` options, /connz TLS fields, HTTPS monitoring
// and a certificate reload. Certificates are made with openssl per run.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import * as https from "node:https";
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { startServer, withServer, waitUntil, withTimeout } from "../helpers/server.js";
import { RawClient } from "../helpers/raw-client.js";
import { haveOpenssl, makeCerts, removeCerts } from "../helpers/certs.js";
import { defaultTlsOptions, resolveOptions } from "../../dist/options.js";
import { applyReload } from "../../dist/server/reload.js";

const skip = haveOpenssl() ? false : "openssl is not installed";
let certs;

function tlsOpts(extra = {}) {
  return { ...defaultTlsOptions(), certFile: certs.server.cert, keyFile: certs.server.key, caFile: certs.ca, ...extra };
}

/** Plain TCP connect, read INFO; resolves { raw, info }. */
async function openPlain(port) {
  const raw = await RawClient.open(port);
  return { raw, info: raw.info() };
}

/** Upgrade an INFO-read socket to TLS; resolves a RawClient over the TLS stream, or rejects with the TLS error. */
function upgrade(socket, client) {
  return new Promise((resolve, reject) => {
    socket.removeAllListeners("data");
    const t = tls.connect({ socket, ca: readFileSync(certs.ca), servername: "localhost", ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}) });
    const c = new RawClient(t);
    t.once("secureConnect", () => resolve(c));
    t.once("error", reject);
  });
}

/** TLS client that connects, CONNECTs and PINGs: "PONG" when served, "closed" when the server dropped it. */
async function tryClient(port, client) {
  const { raw } = await openPlain(port);
  let c;
  try {
    c = await upgrade(raw.socket, client);
  } catch {
    return "closed";
  }
  c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
  try {
    await c.waitFor("PONG\r\n", 2000);
    c.socket.destroy();
    return "PONG";
  } catch {
    return c.closed ? "closed" : "silent";
  }
}

async function closedReasons(s) {
  const r = await fetch(`${s.monitorUrl}/connz?state=closed`);
  return (await r.json()).connections.map((c) => c.reason);
}

describe("TLS client port", { skip }, () => {
  before(() => {
    certs = makeCerts();
  });
  after(() => removeCerts(certs));

  test("INFO first with tls_required, then the upgrade; /connz shows the session", async () => {
    await withServer({ tls: tlsOpts(), httpPort: -1 }, async (s) => {
      const { raw, info } = await openPlain(s.port);
      assert.equal(info.tls_required, true);
      assert.equal(info.tls_verify, undefined);
      assert.equal(info.tls_available, undefined);
      const keys = Object.keys(info);
      assert.ok(keys.indexOf("tls_required") > keys.indexOf("headers") && keys.indexOf("tls_required") < keys.indexOf("max_payload"));
      const c = await upgrade(raw.socket);
      c.send("CONNECT {\"verbose\":false,\"name\":\"t1\"}\r\nSUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n");
      await c.waitFor("PONG\r\n");
      assert.match(c.data, /MSG a 1 2\r\nhi\r\n/);
      const cz = await (await fetch(`${s.monitorUrl}/connz`)).json();
      const ci = cz.connections.find((x) => x.name === "t1");
      assert.equal(ci.tls_version, "1.3");
      assert.equal(ci.tls_cipher_suite, "TLS_AES_128_GCM_SHA256");
      const v = await (await fetch(`${s.monitorUrl}/varz`)).json();
      assert.equal(v.tls_required, true);
      assert.equal(v.tls_timeout, 2);
      c.socket.destroy();
    });
  });

  test("the real client connects with tls options and does pub/sub and request/reply", async () => {
    await withServer({ tls: tlsOpts({ verify: true }) }, async (s) => {
      const nc = await connect({ servers: s.url, tls: { caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key } });
      try {
        const sub = nc.subscribe("svc", { callback: (_e, m) => m.respond(`re:${m.string()}`) });
        const r = await nc.request("svc", "x", { timeout: 2000 });
        assert.equal(r.string(), "re:x");
        sub.unsubscribe();
        assert.equal(nc.info.tls_required, true);
        assert.equal(nc.info.tls_verify, true);
      } finally {
        await nc.close();
      }
    });
  });

  test("verify: good certificate served; wrong CA, expired and missing certificates refused with Go's log lines", async () => {
    const dir = certs.dir;
    const logFile = join(dir, "verify.log");
    await withServer({ tls: tlsOpts({ verify: true }), httpPort: -1, quiet: false, logFile }, async (s) => {
      assert.equal((await openPlain(s.port)).info.tls_verify, true);
      assert.equal(await tryClient(s.port, certs.client), "PONG");
      assert.equal(await tryClient(s.port, certs.otherClient), "closed");
      assert.equal(await tryClient(s.port, certs.expired), "closed");
      assert.equal(await tryClient(s.port, null), "closed");
      await waitUntil(async () => (await closedReasons(s)).filter((r) => r === "TLS Handshake Failure").length === 3, 3000, "3 handshake failures");
      const log = readFileSync(logFile, "utf8");
      assert.match(log, /\[ERR\] 127\.0\.0\.1:\d+ - cid:\d+ - TLS handshake error: tls: failed to verify client certificate: x509: certificate signed by unknown authority/);
      assert.match(log, /TLS handshake error: tls: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time \S+Z is after \S+Z/);
      assert.match(log, /TLS handshake error: tls: client didn't provide a certificate/);
    });
  });

  test("/connz?auth=1 lists the client certificate (subject, spki_sha256, cert_sha256)", async () => {
    await withServer({ tls: tlsOpts({ verify: true }), httpPort: -1 }, async (s) => {
      const nc = await connect({ servers: s.url, name: "certy", tls: { caFile: certs.ca, certFile: certs.client.cert, keyFile: certs.client.key } });
      try {
        const cz = await (await fetch(`${s.monitorUrl}/connz?auth=1`)).json();
        const ci = cz.connections.find((x) => x.name === "certy");
        // The client's chain: its certificate, then the CA.
        assert.equal(ci.tls_peer_certs.length, 2);
        assert.equal(ci.tls_peer_certs[1].subject, "CN=tsnats Test CA,O=tsnats test");
        const pc = ci.tls_peer_certs[0];
        assert.equal(pc.subject, "CN=alice,OU=nats.io,O=Synadia,ST=CA,C=US");
        const x = new (await import("node:crypto")).X509Certificate(readFileSync(certs.client.cert));
        const { createHash } = await import("node:crypto");
        assert.equal(pc.cert_sha256, createHash("sha256").update(x.raw).digest("hex"));
        assert.equal(pc.spki_sha256, createHash("sha256").update(x.publicKey.export({ type: "spki", format: "der" })).digest("hex"));
        const plain = await (await fetch(`${s.monitorUrl}/connz`)).json();
        assert.equal(plain.connections.find((x) => x.name === "certy").tls_peer_certs, undefined);
      } finally {
        await nc.close();
      }
    });
  });

  test("verify_and_map: the certificate's DN or SAN email names the user, with its permissions", async () => {
    const authorization = {
      users: [
        { user: "C=US, ST=CA, O=Synadia, OU=nats.io, CN=alice" },
        { user: "bob@example.com", permissions: { publish: { deny: ["secret.>"] } } },
      ],
    };
    await withServer({ tls: tlsOpts({ verify: true, map: true }), authorization, httpPort: -1 }, async (s) => {
      const first = await openPlain(s.port);
      assert.equal(first.info.auth_required, true);
      first.raw.socket.destroy();
      const connectAs = async (client, name) => {
        const { raw } = await openPlain(s.port);
        const c = await upgrade(raw.socket, client);
        c.send(`CONNECT {"verbose":false,"name":"${name}","user":"someone-else"}\r\nPUB secret.x 1\r\nx\r\nPING\r\n`);
        await c.waitFor("PONG\r\n");
        return c;
      };
      const alice = await connectAs(certs.client, "a");
      assert.doesNotMatch(alice.data, /-ERR/);
      const bob = await connectAs(certs.clientSan, "b");
      assert.match(bob.data, /-ERR 'Permissions Violation for Publish to "secret\.x"'/);
      const cz = await (await fetch(`${s.monitorUrl}/connz?auth=1`)).json();
      const users = Object.fromEntries(cz.connections.filter((c) => c.name).map((c) => [c.name, c.authorized_user]));
      assert.deepEqual(users, { a: "C=US, ST=CA, O=Synadia, OU=nats.io, CN=alice", b: "bob@example.com" });
      alice.socket.destroy();
      bob.socket.destroy();
    });
    await withServer({ tls: tlsOpts({ verify: true, map: true }), authorization: { users: [{ user: "nobody" }] } }, async (s) => {
      const { raw } = await openPlain(s.port);
      const c = await upgrade(raw.socket, certs.client);
      c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
      await c.waitClosed(2000);
      assert.match(c.data, /-ERR 'Authorization Violation'/);
    });
  });

  test("pinned_certs: the pinned client key is served, another is refused", async () => {
    const { X509Certificate, createHash } = await import("node:crypto");
    const pin = createHash("sha256").update(new X509Certificate(readFileSync(certs.client.cert)).publicKey.export({ type: "spki", format: "der" })).digest("hex");
    await withServer({ tls: tlsOpts({ verify: true, pinnedCerts: [pin] }), httpPort: -1 }, async (s) => {
      assert.equal(await tryClient(s.port, certs.client), "PONG");
      assert.equal(await tryClient(s.port, certs.clientSan), "closed");
      await waitUntil(async () => (await closedReasons(s)).includes("TLS Handshake Failure"), 2000, "pinned refusal");
    });
  });

  test("cipher_suites and min_version shape the negotiation", async () => {
    await withServer({ tls: tlsOpts({ cipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"] }), httpPort: -1 }, async (s) => {
      const { raw } = await openPlain(s.port);
      const t = tls.connect({ socket: raw.socket, ca: readFileSync(certs.ca), servername: "localhost", maxVersion: "TLSv1.2" });
      await new Promise((r, j) => t.once("secureConnect", r).once("error", j));
      assert.equal(t.getCipher().standardName, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
      assert.equal(t.getProtocol(), "TLSv1.2");
      t.write("CONNECT {\"name\":\"v12\"}\r\nPING\r\n");
      await waitUntil(async () => (await (await fetch(`${s.monitorUrl}/connz`)).json()).connections.some((c) => c.name === "v12" && c.tls_version === "1.2"), 2000, "connz 1.2");
      t.destroy();
    });
    await withServer({ tls: tlsOpts({ minVersion: "1.3" }) }, async (s) => {
      const { raw } = await openPlain(s.port);
      const t = tls.connect({ socket: raw.socket, ca: readFileSync(certs.ca), servername: "localhost", maxVersion: "TLSv1.2" });
      await assert.rejects(new Promise((r, j) => t.once("secureConnect", r).once("error", j)));
    });
  });

  test("plain text on a TLS port: closed without an answer, TLS Handshake Failure", async () => {
    await withServer({ tls: tlsOpts(), httpPort: -1 }, async (s) => {
      const { raw } = await openPlain(s.port);
      raw.send("CONNECT {}\r\nPING\r\n");
      await raw.waitClosed(2000);
      assert.equal(raw.afterInfo(), "");
      assert.deepEqual(await closedReasons(s), ["TLS Handshake Failure"]);
    });
  });

  test("a stalled handshake is cut at the tls timeout; others are served meanwhile", async () => {
    await withServer({ tls: tlsOpts({ timeout: 400 }), httpPort: -1 }, async (s) => {
      const { raw } = await openPlain(s.port);
      const t0 = Date.now();
      assert.equal(await tryClient(s.port, null), "PONG");
      await raw.waitClosed(2000);
      const took = Date.now() - t0;
      assert.ok(took >= 350 && took < 1500, `closed after ${took}ms`);
      assert.equal(raw.afterInfo(), "");
      assert.ok((await closedReasons(s)).includes("TLS Handshake Failure"));
    });
  });

  test("a stalled client holding half a TLS hello does not block the server", async () => {
    await withServer({ tls: tlsOpts({ timeout: 300 }) }, async (s) => {
      const { raw } = await openPlain(s.port);
      raw.send(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
      assert.equal(await tryClient(s.port, null), "PONG");
      await raw.waitClosed(2000);
    });
  });

  test("allow_non_tls: INFO has tls_available; plain and TLS clients are both served", async () => {
    await withServer({ tls: tlsOpts(), allowNonTls: true, httpPort: -1 }, async (s) => {
      const { raw, info } = await openPlain(s.port);
      assert.equal(info.tls_required, undefined);
      assert.equal(info.tls_available, true);
      raw.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
      await raw.waitFor("PONG\r\n");
      const c = await upgrade((await openPlain(s.port)).raw.socket);
      c.send("PING\r\n");
      await c.waitFor("PONG\r\n");
      const cz = await (await fetch(`${s.monitorUrl}/connz`)).json();
      assert.deepEqual(cz.connections.map((c) => c.tls_version ?? "plain").sort(), ["1.3", "plain"]);
      const v = await (await fetch(`${s.monitorUrl}/varz`)).json();
      assert.equal(v.tls_required, undefined);
      raw.socket.destroy();
      c.socket.destroy();
    });
  });

  test("handshake_first: TLS before INFO; a client waiting for INFO gets nothing", async () => {
    await withServer({ tls: tlsOpts({ handshakeFirst: true, timeout: 500 }) }, async (s) => {
      const t = tls.connect({ port: s.port, host: "127.0.0.1", ca: readFileSync(certs.ca), servername: "localhost" });
      const c = new RawClient(t);
      await c.waitFor(/^INFO .*\r\n/);
      assert.equal(c.info().tls_required, true);
      c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
      await c.waitFor("PONG\r\n");
      t.destroy();
      const plain = await RawClient.connect(s.port);
      await plain.waitClosed(2000);
      assert.equal(plain.data, "");
    });
  });

  test("handshake_first with the real client's handshakeFirst option", async () => {
    await withServer({ tls: tlsOpts({ handshakeFirst: true }) }, async (s) => {
      const nc = await connect({ servers: s.url, tls: { caFile: certs.ca, handshakeFirst: true } });
      await nc.flush();
      await nc.close();
    });
  });

  test("handshake_first with a fallback delay: TLS-first clients and INFO-first clients both work", async () => {
    await withServer({ tls: tlsOpts({ handshakeFirst: true, handshakeFirstFallback: 100 }) }, async (s) => {
      const t0 = Date.now();
      const { raw, info } = await openPlain(s.port);
      assert.ok(Date.now() - t0 >= 90, "INFO only after the fallback delay");
      assert.equal(info.tls_required, true);
      const c = await upgrade(raw.socket);
      c.send("PING\r\n");
      await c.waitFor("PONG\r\n");
      c.socket.destroy();
      const nc = await connect({ servers: s.url, tls: { caFile: certs.ca, handshakeFirst: true } });
      await nc.flush();
      await nc.close();
      const nc2 = await connect({ servers: s.url, tls: { caFile: certs.ca } });
      await nc2.flush();
      await nc2.close();
    });
  });

  test("a TLS hello on a plain port is a protocol error, other clients unaffected", async () => {
    await withServer({}, async (s) => {
      const raw = await RawClient.open(s.port);
      // The first bytes of a TLS ClientHello record.
      raw.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xf4, 0x01, 0x00, 0x00, 0xf0, 0x03, 0x03]));
      await raw.waitClosed(3000);
      assert.match(raw.afterInfo(), /-ERR 'Unknown Protocol Operation'/);
      const ok = await RawClient.open(s.port);
      ok.send("PING\r\n");
      await ok.waitFor("PONG\r\n");
      ok.socket.destroy();
    });
  });

  test("a reloaded certificate is used for new connections; existing ones stay", async () => {
    const dir = certs.dir;
    const certA = join(dir, "reload.pem");
    const keyA = join(dir, "reload.key");
    copyFileSync(certs.server.cert, certA);
    copyFileSync(certs.server.key, keyA);
    const s = await startServer({ tls: tlsOpts({ certFile: certA, keyFile: keyA }) });
    try {
      const peerOf = async () => {
        const { raw } = await openPlain(s.port);
        const c = await upgrade(raw.socket);
        return { c, fp: c.socket.getPeerX509Certificate().fingerprint256 };
      };
      const first = await peerOf();
      // A new certificate for the same names (the CA signed both).
      const { execFileSync } = await import("node:child_process");
      execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", keyA], { cwd: dir, stdio: "ignore" });
      execFileSync("openssl", ["req", "-new", "-key", keyA, "-out", "reload.csr", "-subj", "/CN=localhost"], { cwd: dir, stdio: "ignore" });
      writeFileSync(join(dir, "reload.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
      execFileSync("openssl", ["x509", "-req", "-in", "reload.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", certA, "-days", "5", "-extfile", "reload.ext"], { cwd: dir, stdio: "ignore" });
      const next = resolveOptions({ ...s.server.opts, tls: tlsOpts({ certFile: certA, keyFile: keyA }) });
      assert.equal(applyReload(s.server, next), "");
      const second = await peerOf();
      assert.notEqual(second.fp, first.fp);
      first.c.send("PING\r\n");
      await first.c.waitFor("PONG\r\n");
      first.c.socket.destroy();
      second.c.socket.destroy();
    } finally {
      await s.shutdown();
    }
  });

  test("reload: tls can change, allow_non_tls and the websocket listener cannot", async () => {
    await withServer({ tls: tlsOpts() }, async (s) => {
      const cur = s.server.opts;
      assert.equal(applyReload(s.server, resolveOptions({ ...cur, allowNonTls: true })), "config reload not supported for AllowNonTLS: old=false, new=true");
      assert.match(applyReload(s.server, resolveOptions({ ...cur, websocket: { ...cur.websocket, port: 1234, noTls: true } })), /^config reload not supported for Websocket: /);
      assert.equal(applyReload(s.server, resolveOptions({ ...cur, tls: tlsOpts({ timeout: 3000 }) })), "");
      assert.equal(s.server.opts.tls.timeout, 3000);
      assert.equal(applyReload(s.server, resolveOptions({ ...s.server.opts, tls: null })), "");
      const { info } = await openPlain(s.port);
      assert.equal(info.tls_required, undefined, "TLS off after the reload");
    });
  });

  test("HTTPS monitoring on https_port with the tls certificate", async () => {
    await withServer({ tls: tlsOpts(), httpsPort: -1 }, async (s) => {
      assert.match(s.monitorUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await withTimeout(
        new Promise((resolve, reject) => {
          https
            .get(`${s.monitorUrl}/varz`, { ca: readFileSync(certs.ca), servername: "localhost" }, (res) => {
              let d = "";
              res.on("data", (x) => (d += x));
              res.on("end", () => resolve({ status: res.statusCode, type: res.headers["content-type"], d }));
            })
            .on("error", reject);
        }),
        3000,
        "https /varz",
      );
      assert.equal(body.status, 200);
      assert.equal(body.type, "application/json");
      const v = JSON.parse(body.d);
      assert.equal(v.https_port, -1);
      assert.equal(v.tls_required, true);
      const plain = await new Promise((resolve) => {
        const sock = net.connect(Number(new URL(s.monitorUrl).port), "127.0.0.1");
        let d = "";
        sock.on("data", (x) => (d += x));
        sock.on("close", () => resolve(d));
        sock.on("error", () => resolve(d));
        sock.write("GET /varz HTTP/1.1\r\nHost: x\r\n\r\n");
        setTimeout(() => sock.destroy(), 1000);
      });
      assert.doesNotMatch(plain, /server_id/);
    });
  });

  test("https_port without a tls block is refused as Go refuses it", async () => {
    await assert.rejects(startServer({ httpsPort: -1 }), /TLS cert and key required for HTTPS/);
  });

  test("a missing certificate file fails at start with Go's text", async () => {
    const { checkTlsOptions } = await import("../../dist/transport/tls-options.js");
    const o = resolveOptions({ tls: tlsOpts({ certFile: "/nonexistent/cert.pem" }) });
    assert.equal(checkTlsOptions(o), "error parsing X509 certificate/key pair: open /nonexistent/cert.pem: no such file or directory");
    assert.equal(checkTlsOptions(resolveOptions({ tls: tlsOpts() })), "");
    await assert.rejects(startServer({ tls: tlsOpts({ keyFile: "/nonexistent/key.pem" }) }), /^Error: error parsing X509 certificate\/key pair: open \/nonexistent\/key\.pem: no such file or directory$/);
  });
});
