// Shared by the monitor-*.test.js files: an embedded tsnats with monitoring on
// a random port, HTTP GET helpers, a raw protocol socket, and polling.
import * as http from "node:http";
import * as net from "node:net";
import { connect } from "@nats-io/transport-node";
import { NatsServer } from "../../dist/index.js";

/** tsnats on 127.0.0.1, random client and monitoring ports. */
export function startMonitored(opts = {}) {
  return NatsServer.start({ host: "127.0.0.1", port: 0, httpPort: -1, ...opts });
}

/** GET `path` (with query) from the server's monitoring port. */
export async function get(server, path) {
  const r = await fetch(`${server.monitorUrl}${path}`, { redirect: "manual" });
  const text = await r.text();
  return { status: r.status, type: r.headers.get("content-type"), text, headers: r.headers };
}

/** GET with the request path sent verbatim (fetch would normalise it). */
export function rawGet(server, rawPath) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: server.monitorPort, path: rawPath }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, type: res.headers["content-type"], text, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** GET and parse a 200 JSON reply (fails the test otherwise). */
export async function getJson(server, path) {
  const r = await get(server, path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
  if (r.type !== "application/json") throw new Error(`GET ${path}: content-type ${r.type}`);
  return JSON.parse(r.text);
}

/** A real client (nats.js v3) with a name. */
export function client(server, name, opts = {}) {
  return connect({ servers: server.url, name, ...opts });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll until `fn()` returns a truthy value; that value is returned. */
export async function waitFor(fn, what = "condition", timeoutMs = 3000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A raw protocol socket: send lines, wait for text in what the server sent. */
export async function rawClient(server) {
  const socket = net.connect({ host: "127.0.0.1", port: server.port });
  socket.on("error", () => {});
  let data = "";
  let closed = false;
  socket.on("data", (d) => (data += d.toString("latin1")));
  socket.on("close", () => (closed = true));
  await new Promise((r) => socket.once("connect", r));
  return {
    socket,
    send: (s) => socket.write(s),
    received: () => data,
    isClosed: () => closed,
    waitFor: (text) => waitFor(() => data.includes(text), `"${text.trim()}" from server`),
    waitClosed: () => waitFor(() => closed, "server to close the socket"),
    close: () => socket.destroy(),
  };
}
