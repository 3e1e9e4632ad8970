// The WebSocket listener with the official client (`wsconnect` from
// @nats-io/nats-core, the `ws` package as its WebSocket): pub/sub,
// request/reply, headers, a 1 MB message, compression on and off, wss; and
// raw `ws` / TCP clients for fragmentation, close codes, origin checks,
// Go's HTTP errors and bad frames; /varz, /connz and the ports file.
import { makeOperator, makeAccount, makeUser, memoryOptions, UNLIMITED } from "../helpers/jwt-fixtures.js";
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { wsconnect, headers as natsHeaders } from "@nats-io/nats-core";
import { startServer, withServer, waitUntil, withTimeout } from "../helpers/server.js";
import { haveOpenssl, makeCerts, removeCerts } from "../helpers/certs.js";
import { defaultTlsOptions, defaultWebsocketOptions } from "../../dist/options.js";

/** WebSocket implementation for wsconnect that records its sockets and passes extra client options. */
const opened = [];
let clientOptions = {};
class RecordingWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, clientOptions);
    this.acceptedExtensions = "";
    this.on("upgrade", (res) => (this.acceptedExtensions = res.headers["sec-websocket-extensions"] ?? ""));
    opened.push(this);
  }
}
globalThis.WebSocket = RecordingWebSocket;

function wsOpts(extra = {}) {
  return { websocket: { ...defaultWebsocketOptions(), host: "127.0.0.1", port: -1, noTls: true, ...extra }, httpPort: -1 };
}

const wsPort = (s) => s.server.extraListener("websocket").port;

/** A raw `ws` client; resolves once open, collecting messages as text. */
function rawWs(s, opts = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${wsPort(s)}`, opts);
    ws.received = "";
    ws.closeInfo = new Promise((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    ws.on("message", (m) => (ws.received += m.toString("latin1")));
    ws.on("open", () => resolve(ws));
    ws.on("error", reject);
    ws.on("unexpected-response", (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode })));
  });
}

/** Send a raw HTTP request to the websocket port; resolves everything the server answered (without Date). */
function rawHttp(s, text, { waitMs = 400 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect(wsPort(s), "127.0.0.1");
    let d = Buffer.alloc(0);
    sock.on("data", (x) => (d = Buffer.concat([d, x])));
    sock.on("error", () => {});
    sock.on("close", () => resolve(d));
    sock.write(text);
    setTimeout(() => sock.destroy(), waitMs);
  });
}

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const UPGRADE = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

async function connz(s, q = "") {
  return (await fetch(`${s.monitorUrl}/connz${q}`)).json();
}

describe("WebSocket listener", () => {
  test("wsconnect: pub/sub, request/reply, headers, a 1 MB message", async () => {
    await withServer(wsOpts(), async (s) => {
      const nc = await wsconnect({ servers: `ws://127.0.0.1:${wsPort(s)}` });
      try {
        const got = [];
        const sub = nc.subscribe("greet.*", { callback: (_e, m) => got.push([m.subject, m.string(), m.headers?.get("X-Id") ?? ""]) });
        nc.subscribe("svc", { callback: (_e, m) => m.respond(`echo ${m.string()}`) });
        const h = natsHeaders();
        h.set("X-Id", "42");
        nc.publish("greet.a", "hello");
        nc.publish("greet.b", "with headers", { headers: h });
        const r = await nc.request("svc", "ping", { timeout: 2000 });
        assert.equal(r.string(), "echo ping");
        const big = Buffer.alloc(1024 * 1024, 7);
        const bigSub = nc.subscribe("big", { max: 1 });
        nc.publish("big", big);
        for await (const m of bigSub) {
          assert.equal(m.data.length, big.length);
          assert.ok(Buffer.from(m.data).equals(big));
        }
        await nc.flush();
        await waitUntil(() => got.length === 2, 2000, "messages");
        assert.deepEqual(got, [
          ["greet.a", "hello", ""],
          ["greet.b", "with headers", "42"],
        ]);
        sub.unsubscribe();
        const cz = await connz(s);
        assert.equal(cz.connections.length, 1);
        assert.equal(cz.connections[0].type, "websocket");
        assert.equal(cz.connections[0].kind, "Client");
      } finally {
        await nc.close();
      }
    });
  });

  test("compression: negotiated (no context takeover) when on, absent when off; messages intact", async () => {
    for (const compression of [true, false]) {
      await withServer(wsOpts({ compression }), async (s) => {
        opened.length = 0;
        const nc = await wsconnect({ servers: `ws://127.0.0.1:${wsPort(s)}` });
        try {
          const ext = opened[0].acceptedExtensions;
          if (compression) assert.match(ext, /permessage-deflate; server_no_context_takeover; client_no_context_takeover/);
          else assert.equal(ext, "");
          const payload = "abc".repeat(50_000);
          const sub = nc.subscribe("z", { max: 1 });
          nc.publish("z", payload);
          for await (const m of sub) assert.equal(m.string(), payload);
        } finally {
          await nc.close();
        }
      });
    }
  });

  test("origin checks: allowed list and same origin answer 403 as Go", async () => {
    await withServer(wsOpts({ allowedOrigins: ["http://good.example.com"] }), async (s) => {
      await assert.rejects(rawWs(s, { origin: "http://evil.example.com" }), (e) => e.statusCode === 403);
      (await rawWs(s, { origin: "http://good.example.com" })).terminate();
      // No Origin header: not a browser, accepted.
      (await rawWs(s)).terminate();
      const d = (await rawHttp(s, UPGRADE.replace("\r\n\r\n", "\r\nOrigin: http://good.example.com:81\r\n\r\n"))).toString("latin1");
      assert.match(d, /^HTTP\/1\.1 403 Forbidden\r\n/);
      assert.match(d, /Sec-Websocket-Version: 13\r\n/);
      assert.match(d, /\r\n\r\nForbidden\n$/);
    });
    await withServer(wsOpts({ sameOrigin: true }), async (s) => {
      await assert.rejects(rawWs(s, { origin: "http://other:1" }), (e) => e.statusCode === 403);
      (await rawWs(s, { origin: `http://127.0.0.1:${wsPort(s)}` })).terminate();
    });
  });

  test("HTTP upgrade errors: Go's status, body and headers", async () => {
    await withServer(wsOpts(), async (s) => {
      const cases = [
        [`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`, "405 Method Not Allowed", "Method Not Allowed\n"],
        [`GET / HTTP/1.1\r\nHost: x\r\n\r\n`, "400 Bad Request", "Bad Request\n"],
        [UPGRADE.replace(`Sec-WebSocket-Key: ${KEY}\r\n`, ""), "400 Bad Request", "Bad Request\n"],
        [UPGRADE.replace("Version: 13", "Version: 8"), "400 Bad Request", "Bad Request\n"],
        [UPGRADE.replace("Connection: Upgrade", "Connection: keep-alive, Upgrade"), "101 Switching Protocols", null],
      ];
      for (const [req, status, body] of cases) {
        const d = (await rawHttp(s, req)).toString("latin1");
        assert.ok(d.startsWith(`HTTP/1.1 ${status}\r\n`), `${JSON.stringify(req)} → ${JSON.stringify(d.slice(0, 80))}`);
        if (body !== null) {
          assert.ok(d.endsWith(`\r\n\r\n${body}`), d);
          assert.match(d, /Content-Type: text\/plain; charset=utf-8\r\n/);
          assert.match(d, new RegExp(`Content-Length: ${body.length}\r\n`));
        }
      }
    });
  });

  test("fragmented messages and text frames carry the protocol", async () => {
    await withServer(wsOpts(), async (s) => {
      const ws = await rawWs(s);
      ws.send("CONNECT {\"verbose\":false}\r\nSUB a 1\r\nPUB a 5\r\nhe", { fin: false, binary: true });
      ws.send("llo\r\n", { fin: false, binary: true });
      ws.send("PING\r\n", { fin: true, binary: true });
      await waitUntil(() => ws.received.includes("PONG\r\n"), 2000, "PONG");
      assert.match(ws.received, /MSG a 1 5\r\nhello\r\n/);
      ws.send("PUB a 2\r\nok\r\nPING\r\n", { binary: false });
      await waitUntil(() => ws.received.includes("MSG a 1 2\r\nok\r\n"), 2000, "text frame message");
      ws.close(1000);
      await ws.closeInfo;
      await waitUntil(async () => (await connz(s, "?state=closed")).connections.some((c) => c.reason === "Client Closed"), 2000, "closed entry");
    });
  });

  test("close codes: protocol violation 1002, max payload 1009, shutdown 1001", async () => {
    const s = await startServer({ ...wsOpts(), maxPayload: 1000 });
    try {
      const bad = await rawWs(s);
      bad.send("FOO\r\n");
      assert.deepEqual(await withTimeout(bad.closeInfo, 3000, "close"), { code: 1002, reason: "Protocol Violation" });
      const big = await rawWs(s);
      big.send("PUB x 2000\r\n");
      assert.deepEqual(await withTimeout(big.closeInfo, 3000, "close"), { code: 1009, reason: "Maximum Message Payload Exceeded" });
      assert.match(big.received, /-ERR 'Maximum Payload Violation'/);
      const idle = await rawWs(s);
      const info = idle.closeInfo;
      await s.shutdown();
      assert.deepEqual(await withTimeout(info, 3000, "close"), { code: 1001, reason: "Server Shutdown" });
    } finally {
      await s.shutdown();
    }
  });

  test("over max_connections: INFO, -ERR, then close 1008 as Go", async () => {
    await withServer({ ...wsOpts(), maxConnections: 1 }, async (s) => {
      const first = await rawWs(s);
      const second = await rawWs(s);
      assert.deepEqual(await withTimeout(second.closeInfo, 3000, "close"), { code: 1008, reason: "Maximum Connections Exceeded" });
      assert.match(second.received, /^INFO .*\r\n-ERR 'maximum connections exceeded'\r\n$/);
      first.terminate();
    });
  });

  test("bad frames: unmasked, oversized, reserved opcode, long control frame; each closes only its connection", async () => {
    await withServer(wsOpts(), async (s) => {
      const ok = await rawWs(s);
      const open = async () => {
        const sock = net.connect(wsPort(s), "127.0.0.1");
        sock.on("error", () => {});
        let d = Buffer.alloc(0);
        sock.on("data", (x) => (d = Buffer.concat([d, x])));
        const closed = new Promise((r) => sock.on("close", r));
        sock.write(UPGRADE);
        await waitUntil(() => d.includes("INFO"), 2000, "INFO frame");
        return { sock, closed };
      };
      const unmasked = await open();
      unmasked.sock.write(Buffer.from([0x82, 0x06, ...Buffer.from("PING\r\n")]));
      await withTimeout(unmasked.closed, 3000, "unmasked close");
      const huge = await open();
      // A binary frame announcing 2^40 bytes, masked.
      huge.sock.write(Buffer.from([0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4]));
      await withTimeout(huge.closed, 3000, "oversized close");
      const opcode = await open();
      // Opcode 3 is reserved.
      opcode.sock.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
      await withTimeout(opcode.closed, 3000, "bad opcode close");
      const longPing = await open();
      // A ping may carry at most 125 bytes.
      longPing.sock.write(Buffer.concat([Buffer.from([0x89, 0xfe, 0x00, 0xc8, 1, 2, 3, 4]), Buffer.alloc(200)]));
      await withTimeout(longPing.closed, 3000, "long ping close");
      ok.send("PING\r\n");
      await waitUntil(() => ok.received.includes("PONG"), 2000, "other client still served");
      const reasons = (await connz(s, "?state=closed")).connections.map((c) => c.reason);
      assert.deepEqual(reasons, ["Read Error", "Read Error", "Read Error", "Read Error"]);
      ok.terminate();
    });
  });

  test("an upgrade request that never finishes is dropped after handshake_timeout", async () => {
    await withServer(wsOpts({ handshakeTimeout: 300 }), async (s) => {
      const t0 = Date.now();
      const d = await new Promise((resolve) => {
        const sock = net.connect(wsPort(s), "127.0.0.1");
        let got = "";
        sock.on("data", (x) => (got += x));
        sock.on("error", () => {});
        sock.on("close", () => resolve(got));
        sock.write("GET / HTTP/1.1\r\nHost: x\r\nUpgr");
      });
      const took = Date.now() - t0;
      assert.ok(took >= 250 && took < 3000, `dropped after ${took}ms`);
      assert.doesNotMatch(d, /101/);
    });
  });

  test("/varz websocket block and the ports file websocket list", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-ws-ports-"));
    try {
      await withServer({ ...wsOpts({ compression: true, handshakeTimeout: 2000, allowedOrigins: ["http://a.example"] }), portsFileDir: dir }, async (s) => {
        const v = await (await fetch(`${s.monitorUrl}/varz`)).json();
        assert.deepEqual(v.websocket, { host: "127.0.0.1", port: wsPort(s), handshake_timeout: 2_000_000_000, no_tls: true, allowed_origins: ["http://a.example"], compression: true });
        const file = readdirSync(dir).find((f) => f.endsWith(".ports"));
        const ports = JSON.parse(readFileSync(join(dir, file), "utf8"));
        assert.deepEqual(ports.websocket, [`ws://127.0.0.1:${wsPort(s)}`]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await withServer({ httpPort: -1 }, async (s) => {
      const v = await (await fetch(`${s.monitorUrl}/varz`)).json();
      assert.deepEqual(v.websocket, {});
    });
  });

  test("the server's authorization applies to WebSocket clients; the auth timeout cuts a silent one", async () => {
    await withServer({ ...wsOpts(), authorization: { token: "s3cret", timeout: 0.3 } }, async (s) => {
      const nc = await wsconnect({ servers: `ws://127.0.0.1:${wsPort(s)}`, token: "s3cret" });
      await nc.flush();
      await nc.close();
      await assert.rejects(wsconnect({ servers: `ws://127.0.0.1:${wsPort(s)}`, token: "wrong", reconnect: false }), /Authorization Violation/i);
      const silent = await rawWs(s);
      assert.deepEqual(await withTimeout(silent.closeInfo, 3000, "auth timeout close"), { code: 1008, reason: "Authentication Timeout" });
      assert.match(silent.received, /^INFO .*"auth_required":true.*\r\n-ERR 'Authentication Timeout'\r\n$/);
    });
  });

  test("per-listener auth: the websocket block's token and no_auth_user apply to WebSocket clients only", async () => {
    await withServer({ ...wsOpts({ token: "wstok" }), authorization: { user: "tcpuser", password: "tcppass" } }, async (s) => {
      const url = `ws://127.0.0.1:${wsPort(s)}`;
      const nc = await wsconnect({ servers: url, token: "wstok" });
      await nc.flush();
      await nc.close();
      await assert.rejects(wsconnect({ servers: url, user: "tcpuser", pass: "tcppass", reconnect: false }), /Authorization Violation/i);
      const { connect } = await import("@nats-io/transport-node");
      const tcp = await connect({ servers: s.url, user: "tcpuser", pass: "tcppass" });
      await tcp.flush();
      await tcp.close();
    });
    const authorization = { users: [{ user: "a", password: "pa" }, { user: "guest", password: "pg" }] };
    await withServer({ ...wsOpts({ noAuthUser: "guest" }), authorization }, async (s) => {
      const ws = await rawWs(s);
      await waitUntil(() => ws.received.includes("INFO"), 2000, "INFO");
      assert.match(ws.received, /"auth_required":true/);
      ws.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
      await waitUntil(() => ws.received.includes("PONG"), 2000, "PONG as guest");
      const cz = await connz(s, "?auth=1");
      assert.equal(cz.connections[0].authorized_user, "guest");
      ws.terminate();
      const { RawClient } = await import("../helpers/raw-client.js");
      const tcp = await RawClient.open(s.port);
      tcp.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
      await tcp.waitClosed(2000);
      assert.match(tcp.afterInfo(), /-ERR 'Authorization Violation'/);
    });
    await assert.rejects(startServer({ ...wsOpts({ noAuthUser: "nobody" }), authorization }), /no_auth_user: "nobody" not present as user/);
    await assert.rejects(startServer({ ...wsOpts({ token: "t" }), authorization }), /websocket authentication token not compatible with presence of users\/nkeys/);
  });

  test("log lines tag WebSocket clients wid: and show a proxy's X-Forwarded-For address", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-ws-log-"));
    const logFile = join(dir, "ws.log");
    try {
      await withServer({ ...wsOpts(), quiet: false, logFile }, async (s) => {
        const ws = await rawWs(s, { headers: { "X-Forwarded-For": "10.1.2.3" } });
        ws.send("FOO\r\n");
        await withTimeout(ws.closeInfo, 3000, "close");
        const plain = await rawWs(s);
        plain.send("BAR\r\n");
        await withTimeout(plain.closeInfo, 3000, "close");
        await waitUntil(() => (readFileSync(logFile, "utf8").match(/Client parser ERROR/g) ?? []).length === 2, 2000, "log lines");
        const log = readFileSync(logFile, "utf8");
        assert.match(log, /\[ERR\] 10\.1\.2\.3\/127\.0\.0\.1:\d+ - wid:\d+ - Client parser ERROR/);
        assert.match(log, /\[ERR\] 127\.0\.0\.1:\d+ - wid:\d+ - Client parser ERROR/);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("jwt_cookie: the cookie's value is kept on the connection's stream for authentication", async () => {
    await withServer(wsOpts({ jwtCookie: "natsjwt" }), async (s) => {
      const ws = await rawWs(s, { headers: { Cookie: "a=1; natsjwt=eyJhbGciOi.x.y; b=2" } });
      await waitUntil(() => s.server.clients.size === 1, 2000, "registered");
      const conn = [...s.server.clients.values()][0];
      assert.equal(conn.socket.cookieJwt, "eyJhbGciOi.x.y");
      ws.terminate();
    });
  });

  test("jwt_cookie: in operator mode the cookie's user JWT authenticates a CONNECT without one", async () => {
    const op = await makeOperator();
    const acc = await makeAccount(op, "A", { limits: UNLIMITED });
    const user = await makeUser(acc, "u", { bearer_token: true });
    await withServer({ ...memoryOptions(op, [acc]), ...wsOpts({ jwtCookie: "natsjwt" }) }, async (s) => {
      const ws = await rawWs(s, { headers: { Cookie: `natsjwt=${user.jwt}` } });
      ws.send('CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\n');
      await waitUntil(() => ws.received.includes("PONG\r\n"), 3000, "PONG for the cookie's user");
      ws.terminate();
      const without = await rawWs(s);
      without.send('CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\n');
      await waitUntil(() => without.received.includes("Authorization Violation"), 3000, "refused without the cookie");
      without.terminate();
    });
  });

  test("a websocket block without tls and without no_tls is refused", async () => {
    await assert.rejects(startServer(wsOpts({ noTls: false })), /websocket requires TLS configuration/);
  });
});

describe("WebSocket over TLS", { skip: haveOpenssl() ? false : "openssl is not installed" }, () => {
  let certs;
  before(() => {
    certs = makeCerts();
  });
  after(() => {
    clientOptions = {};
    removeCerts(certs);
  });

  test("wss with the websocket tls block", async () => {
    const tls = { ...defaultTlsOptions(), certFile: certs.server.cert, keyFile: certs.server.key };
    await withServer(wsOpts({ noTls: false, tls }), async (s) => {
      clientOptions = { ca: readFileSync(certs.ca) };
      const nc = await wsconnect({ servers: `wss://localhost:${wsPort(s)}` });
      try {
        const sub = nc.subscribe("q", { max: 1 });
        nc.publish("q", "secure");
        for await (const m of sub) assert.equal(m.string(), "secure");
      } finally {
        await nc.close();
        clientOptions = {};
      }
    });
  });
});
