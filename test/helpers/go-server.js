// Test helper: run the Go reference nats-server beside tsnats. Finds the
// binary on PATH, starts it on a free 127.0.0.1 port, waits until it accepts
// connections, and kills it afterwards.
import { spawn, execFileSync } from "node:child_process";
import * as net from "node:net";
import { readFileSync } from "node:fs";

let cached;
/**
 * Path of the Go `nats-server`, or null when it is not installed. Every
 * `nats-server` on PATH is considered except tsnats' own drop-in alias
 * (a node_modules/.bin link, or any script that is not a Go binary), so an
 * interop test never compares tsnats with itself.
 */
export function goServerPath() {
  if (cached !== undefined) return cached;
  cached = null;
  let candidates = [];
  try {
    candidates = execFileSync("which", ["-a", "nats-server"], { encoding: "utf8" }).split("\n").filter(Boolean);
  } catch {
    candidates = [];
  }
  for (const c of candidates) {
    if (c.includes("node_modules")) continue;
    try {
      if (readFileSync(c).subarray(0, 4).toString("latin1") !== "\x7fELF") continue;
    } catch {
      continue;
    }
    cached = c;
    break;
  }
  return cached;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/**
 * Start `nats-server -a 127.0.0.1 -p <free port> ...extraArgs`. Resolves to
 * { port, url, proc, output(), stop() } once it accepts TCP connections.
 * Retries on another port if the chosen one was taken in the meantime.
 */
export async function startGoServer(extraArgs = [], { timeoutMs = 5000 } = {}) {
  const bin = goServerPath();
  if (!bin) throw new Error("nats-server is not on PATH");
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const proc = spawn(bin, ["-a", "127.0.0.1", "-p", String(port), ...extraArgs], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.stderr.on("data", (d) => (out += d));
    let exited = false;
    const exitedP = new Promise((r) => proc.once("exit", () => r((exited = true))));
    const deadline = Date.now() + timeoutMs;
    while (!exited && Date.now() < deadline) {
      if (await canConnect(port)) {
        const stop = async () => {
          if (exited) return;
          proc.kill("SIGKILL");
          await exitedP;
        };
        return { port, url: `nats://127.0.0.1:${port}`, proc, output: () => out, stop };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!exited) {
      proc.kill("SIGKILL");
      await exitedP;
      throw new Error(`nats-server did not accept connections within ${timeoutMs}ms:\n${out}`);
    }
    // Exited early (most likely the port was taken): try another port.
  }
  throw new Error("nats-server failed to start");
}
