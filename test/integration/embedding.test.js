// The embedding API: several servers in one process, each with its own
// traffic and a clean shutdown; and a child process that starts and stops a
// server must exit on its own (no handles left open).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { connect } from "@nats-io/transport-node";
import { NatsServer } from "../../dist/index.js";
import { RawClient } from "../helpers/raw-client.js";
import { waitUntil, withTimeout } from "../helpers/server.js";

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const enc = new TextEncoder();
const dec = new TextDecoder();

function refused(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", (e) => resolve(e.code === "ECONNREFUSED"));
  });
}

describe("two servers in one process", () => {
  test("independent traffic on both, then each shuts down cleanly", async () => {
    const a = await NatsServer.start({ port: 0, host: "127.0.0.1" });
    const b = await NatsServer.start({ port: 0, host: "127.0.0.1" });
    const ncs = [];
    try {
      assert.notEqual(a.port, b.port);
      assert.equal(a.url, `nats://127.0.0.1:${a.port}`);
      assert.notEqual(a.server.serverId, b.server.serverId);
      const na = await connect({ servers: a.url, reconnect: false });
      const nb = await connect({ servers: b.url, reconnect: false });
      ncs.push(na, nb);
      // The same subject on both servers: each sees only its own messages.
      const got = { a: [], b: [] };
      na.subscribe("emb.t", { callback: (_e, m) => got.a.push(dec.decode(m.data)) });
      nb.subscribe("emb.t", { callback: (_e, m) => got.b.push(dec.decode(m.data)) });
      await Promise.all([na.flush(), nb.flush()]);
      for (let i = 0; i < 10; i++) {
        na.publish("emb.t", enc.encode(`a${i}`));
        nb.publish("emb.t", enc.encode(`b${i}`));
      }
      await Promise.all([na.flush(), nb.flush()]);
      await waitUntil(() => got.a.length === 10 && got.b.length === 10, 2000, "both servers' messages");
      assert.ok(got.a.every((x) => x.startsWith("a")));
      assert.ok(got.b.every((x) => x.startsWith("b")));

      // Shut A down with a client still connected: the client is closed, A's port is released, B carries on.
      const raw = await RawClient.open(a.port);
      await a.shutdown();
      await withTimeout(a.done(), 2000, "a.done()");
      await raw.waitClosed();
      await withTimeout(na.closed(), 2000, "client of A closed");
      assert.equal(await refused(a.port), true, "A's port is released");
      assert.ok([...a.server.closedClients].some((c) => c.closeReason === "Server Shutdown"));
      nb.publish("emb.t", enc.encode("still here"));
      await nb.flush();
      await waitUntil(() => got.b.includes("still here"), 2000, "B still delivering");

      // A second shutdown is harmless.
      await a.shutdown();

      await nb.close();
      await b.shutdown();
      assert.equal(await refused(b.port), true, "B's port is released");
    } finally {
      for (const nc of ncs) if (!nc.isClosed()) await nc.close();
      await a.shutdown();
      await b.shutdown();
    }
  });

  test("a port can be reused right after shutdown", async () => {
    const a = await NatsServer.start({ port: 0, host: "127.0.0.1" });
    const port = a.port;
    const c = await RawClient.open(port);
    await a.shutdown();
    await c.waitClosed();
    const again = await NatsServer.start({ port, host: "127.0.0.1" });
    try {
      assert.equal(again.port, port);
      const d = await RawClient.open(port);
      d.send("PING\r\n");
      await d.waitFor("PONG\r\n");
      d.close();
    } finally {
      await again.shutdown();
    }
  });
});

describe("process lifetime", () => {
  const dist = pathToFileURL(path.join(repo, "dist", "index.js")).href;

  function runScript(body) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-embed-"));
    const file = path.join(dir, "script.mjs");
    fs.writeFileSync(file, `import { NatsServer } from ${JSON.stringify(dist)};\nimport * as net from "node:net";\n${body}\n`);
    const t0 = Date.now();
    return new Promise((resolve) => {
      execFile(process.execPath, [file], { cwd: repo, timeout: 10_000 }, (err, stdout, stderr) => {
        fs.rmSync(dir, { recursive: true, force: true });
        resolve({ code: err ? (err.killed ? "killed" : err.code) : 0, stdout, stderr, ms: Date.now() - t0 });
      });
    });
  }

  test("a script that starts and stops a server exits on its own", async () => {
    const r = await runScript(`
      const s = await NatsServer.start({ port: 0, host: "127.0.0.1" });
      await s.shutdown();
      console.log("stopped");
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "stopped");
    assert.equal(r.stderr, "", "embedded servers are quiet by default");
    assert.ok(r.ms < 5000, `exited after ${r.ms}ms`);
  });

  test("... also after traffic and with a client still connected at shutdown", async () => {
    const r = await runScript(`
      const s = await NatsServer.start({ port: 0, host: "127.0.0.1" });
      const sock = net.connect({ port: s.port, host: "127.0.0.1" });
      let got = "";
      sock.on("data", (d) => (got += d));
      sock.on("error", () => {});
      const closed = new Promise((r) => sock.on("close", r));
      sock.write('CONNECT {"verbose":false}\\r\\nSUB a 1\\r\\nPUB a 2\\r\\nhi\\r\\nPING\\r\\n');
      while (!got.includes("PONG")) await new Promise((r) => setTimeout(r, 5));
      await s.shutdown();
      await closed;
      console.log(got.includes("MSG a 1 2") ? "ok" : "no message");
    `);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "ok");
    assert.ok(r.ms < 5000, `exited after ${r.ms}ms`);
  });
});
