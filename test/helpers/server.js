// Test helper: start an embedded tsnats server on 127.0.0.1, random port.
import { NatsServer } from "../../dist/index.js";

/** Start a quiet tsnats on 127.0.0.1 port 0 with the given Options overrides. */
export function startServer(opts = {}) {
  return NatsServer.start({ port: 0, host: "127.0.0.1", ...opts });
}

/** Run `fn(server)` against a fresh server and always shut it down. */
export async function withServer(opts, fn) {
  const s = await startServer(opts);
  try {
    return await fn(s);
  } finally {
    await s.shutdown();
  }
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `cond()` every 10 ms until it is truthy; throws after `timeoutMs`. */
export async function waitUntil(cond, timeoutMs = 2000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** `promise`, or a rejection after `ms` (the timer is cleared either way). */
export function withTimeout(promise, ms, what = "operation") {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms: ${what}`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}
