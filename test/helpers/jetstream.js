// Test helper: a JetStream-enabled tsnats on its own temporary store, with a
// connected real client, its JetStream manager and JetStream context; the
// body has 30 s, and the server and store are removed afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startServer, withTimeout } from "./server.js";

/** Run `fn({ s, nc, jsm, js, ...extra })` against a fresh JetStream server. */
export async function withJs(fn, extra = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-js-"));
  const s = await startServer({ jetstream: true, storeDir: dir });
  const nc = await connect({ port: s.port });
  try {
    await withTimeout(fn({ s, nc, jsm: await jetstreamManager(nc), js: jetstream(nc), ...extra }), 30000, "test body");
  } finally {
    await nc.close();
    await s.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}
