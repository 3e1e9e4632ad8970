// Differential check of TLS and WebSocket behaviour against the Go reference
// server (2.9.10) with the same certificates and settings: what each server
// answers a good, wrong-CA, expired and missing client certificate, plain
// text on the TLS port and a stalled handshake (served, or closed, and the
// /connz close reason); the INFO TLS fields; /connz TLS fields; and the
// WebSocket listener's HTTP answers to bad upgrade requests and its /varz
// block. Skipped when nats-server or openssl is missing.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { goServerPath, startGoServer, freePort } from "../helpers/go-server.js";
import { startServer, waitUntil, withTimeout } from "../helpers/server.js";
import { RawClient } from "../helpers/raw-client.js";
import { haveOpenssl, makeCerts, removeCerts } from "../helpers/certs.js";
import WebSocket from "ws";
import { defaultTlsOptions, defaultWebsocketOptions } from "../../dist/options.js";

const skip = !goServerPath() ? "nats-server is not installed" : !haveOpenssl() ? "openssl is not installed" : false;

/** TLS client: "PONG" when served, "closed" when dropped, "silent" when neither. */
async function outcome(port, ca, client) {
  const raw = await RawClient.open(port);
  const info = raw.info();
  raw.socket.removeAllListeners("data");
  const t = tls.connect({ socket: raw.socket, ca, servername: "localhost", ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}) });
  const c = new RawClient(t);
  const up = await new Promise((r) => {
    t.once("secureConnect", () => r(true));
    t.once("error", () => r(false));
  });
  if (!up) return { info, result: "closed" };
  c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
  try {
    await c.waitFor("PONG\r\n", 1500);
    t.destroy();
    return { info, result: "PONG" };
  } catch {
    return { info, result: c.closed ? "closed" : "silent" };
  }
}

async function plainOnTls(port) {
  const raw = await RawClient.open(port);
  raw.send("CONNECT {}\r\nPING\r\n");
  await raw.waitClosed(3000);
  return raw.afterInfo();
}

async function stalled(port) {
  const raw = await RawClient.open(port);
  const t0 = Date.now();
  await raw.waitClosed(4000);
  return { after: raw.afterInfo(), ms: Date.now() - t0 };
}

async function closedReasons(monitorUrl) {
  return (await (await fetch(`${monitorUrl}/connz?state=closed`)).json()).connections.map((c) => c.reason).sort();
}

describe("TLS and WebSocket beside nats-server", { skip }, () => {
  let certs;
  let ca;
  before(() => {
    certs = makeCerts();
    ca = readFileSync(certs.ca);
  });
  after(() => removeCerts(certs));

  test("verify: the same answers and close reasons for each client certificate", async () => {
    const goHttp = await freePort();
    const conf = join(certs.dir, "go-verify.conf");
    writeFileSync(conf, `tls { cert_file: "${certs.server.cert}", key_file: "${certs.server.key}", ca_file: "${certs.ca}", verify: true, timeout: 0.5 }\n`);
    const go = await startGoServer(["-c", conf, "-m", String(goHttp)]);
    const logFile = join(certs.dir, "ts-verify.log");
    const ts = await startServer({ tls: { ...defaultTlsOptions(), certFile: certs.server.cert, keyFile: certs.server.key, caFile: certs.ca, verify: true, timeout: 500 }, httpPort: -1, quiet: false, logFile });
    try {
      const run = async (port, monitorUrl) => {
        const out = {};
        for (const [name, client] of [
          ["good", certs.client],
          ["wrong CA", certs.otherClient],
          ["expired", certs.expired],
          ["none", null],
        ]) {
          const o = await outcome(port, ca, client);
          out[name] = o.result;
          out.info = { tls_required: o.info.tls_required, tls_verify: o.info.tls_verify, tls_available: o.info.tls_available };
        }
        out.plain = await plainOnTls(port);
        const st = await stalled(port);
        out.stalledAnswer = st.after;
        out.stalledCut = st.ms >= 400 && st.ms < 2000;
        await waitUntil(async () => (await closedReasons(monitorUrl)).length >= 6, 3000, "closed connections");
        // Distinct reasons: Go also lists its readiness probe (a bare TCP connect) as a handshake failure.
        out.reasons = [...new Set(await closedReasons(monitorUrl))];
        return out;
      };
      const goOut = await run(go.port, `http://127.0.0.1:${goHttp}`);
      const tsOut = await run(ts.port, ts.monitorUrl);
      assert.deepEqual(tsOut, goOut);
      assert.equal(goOut.good, "PONG");
      // The handshake error lines, with times and addresses blanked. Go also logs its
      // readiness probe (EOF or a reset), and its "TLS handshake timeout" line only
      // when its timer beats the read deadline, so those are left out.
      const tlsLines = (text) =>
        text
          .split("\n")
          .map((l) => /\[ERR\] \S+ - cid:\d+ - (TLS handshake error: .*)$/.exec(l)?.[1])
          .filter((l) => l && !l.endsWith(": EOF") && !l.endsWith("connection reset by peer"))
          .map((l) => l.replace(/current time \S+ is after \S+/, "current time T is after T").replace(/read tcp \S+->\S+:/, "read tcp A->B:"))
          .sort();
      const goLines = tlsLines(go.output());
      assert.ok(goLines.length >= 5, goLines.join("\n"));
      assert.deepEqual(tlsLines(readFileSync(logFile, "utf8")), goLines);
    } finally {
      await go.stop();
      await ts.shutdown();
    }
  });

  test("/connz TLS fields have the same shape and values", async () => {
    const goHttp = await freePort();
    const conf = join(certs.dir, "go-connz.conf");
    writeFileSync(conf, `tls { cert_file: "${certs.server.cert}", key_file: "${certs.server.key}", ca_file: "${certs.ca}", verify: true }\n`);
    const go = await startGoServer(["-c", conf, "-m", String(goHttp)]);
    const ts = await startServer({ tls: { ...defaultTlsOptions(), certFile: certs.server.cert, keyFile: certs.server.key, caFile: certs.ca, verify: true }, httpPort: -1 });
    try {
      const look = async (port, monitorUrl) => {
        const raw = await RawClient.open(port);
        raw.socket.removeAllListeners("data");
        const t = tls.connect({ socket: raw.socket, ca, servername: "localhost", cert: readFileSync(certs.client.cert), key: readFileSync(certs.client.key) });
        const c = new RawClient(t);
        c.send("CONNECT {\"verbose\":false,\"name\":\"peer\"}\r\nPING\r\n");
        await c.waitFor("PONG\r\n");
        const cz = await (await fetch(`${monitorUrl}/connz?auth=1`)).json();
        const ci = cz.connections.find((x) => x.name === "peer");
        const v = await (await fetch(`${monitorUrl}/varz`)).json();
        t.destroy();
        return { tls_version: ci.tls_version, tls_cipher_suite: ci.tls_cipher_suite, tls_peer_certs: ci.tls_peer_certs, varz: { tls_required: v.tls_required, tls_verify: v.tls_verify, tls_timeout: v.tls_timeout } };
      };
      assert.deepEqual(await look(ts.port, ts.monitorUrl), await look(go.port, `http://127.0.0.1:${goHttp}`));
    } finally {
      await go.stop();
      await ts.shutdown();
    }
  });

  test("WebSocket: the same HTTP answers to bad upgrades and the same /varz block", async () => {
    const goHttp = await freePort();
    const goWs = await freePort();
    const conf = join(certs.dir, "go-ws.conf");
    writeFileSync(conf, `websocket { host: 127.0.0.1, port: ${goWs}, no_tls: true, compression: true, allowed_origins: ["http://good.example"] }\n`);
    const go = await startGoServer(["-c", conf, "-m", String(goHttp)]);
    const ts = await startServer({ websocket: { ...defaultWebsocketOptions(), host: "127.0.0.1", port: -1, noTls: true, compression: true, allowedOrigins: ["http://good.example"] }, httpPort: -1 });
    const key = "dGhlIHNhbXBsZSBub25jZQ==";
    const up = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
    const requests = [
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      up.replace(`Sec-WebSocket-Key: ${key}\r\n`, "") + "\r\n",
      up.replace("Version: 13", "Version: 7") + "\r\n",
      up + "Origin: http://evil.example\r\n\r\n",
      up + "Origin: http://good.example\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
    ];
    const ask = (port, text) =>
      new Promise((resolve) => {
        const sock = net.connect(port, "127.0.0.1");
        let d = "";
        sock.on("data", (x) => (d += x.toString("latin1")));
        sock.on("error", () => {});
        sock.on("close", () => resolve(d));
        sock.write(text);
        setTimeout(() => sock.destroy(), 300);
      });
    // Status line, the headers both always send, and the body (or, for 101, the extension header).
    const summary = (d) => {
      const [head, ...rest] = d.split("\r\n\r\n");
      const lines = head.split("\r\n");
      const keep = lines.filter((l) => /^(HTTP\/|Content-Type|Sec-Websocket-Version|Sec-WebSocket-Extensions|Upgrade|Connection: Upgrade)/i.test(l));
      return { head: keep, body: lines[0].includes("101") ? "" : rest.join("\r\n\r\n").replace(/^[0-9a-f]+\r\n|\r\n0\r\n$/g, "") };
    };
    try {
      const tsWs = ts.server.extraListener("websocket").port;
      for (const r of requests) assert.deepEqual(summary(await ask(tsWs, r)), summary(await ask(goWs, r)), JSON.stringify(r));
      // What a ws client sees for bad protocol over the socket: messages, then the close frame.
      const closeOf = (port, send) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}`);
          let got = "";
          ws.on("message", (m) => (got += m.toString("latin1")));
          ws.on("open", () => ws.send(send));
          ws.on("error", reject);
          ws.on("close", (code, reason) => resolve({ code, reason: reason.toString(), errs: got.split("\r\n").filter((l) => l.startsWith("-ERR")) }));
        });
      for (const send of ["FOO\r\n", "CONNECT {\"protocol\":5}\r\n", "PUB x 2000000\r\n"]) {
        const a = await withTimeout(closeOf(tsWs, send), 3000, `tsnats close after ${JSON.stringify(send)}`);
        const b = await withTimeout(closeOf(goWs, send), 3000, `Go close after ${JSON.stringify(send)}`);
        assert.deepEqual(a, b, JSON.stringify(send));
      }
      const gv = (await (await fetch(`http://127.0.0.1:${goHttp}/varz`)).json()).websocket;
      const tv = (await (await fetch(`${ts.monitorUrl}/varz`)).json()).websocket;
      assert.deepEqual({ ...tv, port: 0 }, { ...gv, port: 0 });
    } finally {
      await go.stop();
      await ts.shutdown();
    }
  });
});
