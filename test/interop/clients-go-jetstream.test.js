// nats.go 1.22's JetStream API (streams, publish acks and de-duplication,
// direct gets, push and pull consumers, KV buckets, its error texts) against
// tsnats and the Go nats-server 2.9.10 side by side, as clients-go.test.js
// does for core NATS. Skipped when tsnats does not answer $JS.API.INFO
// with JetStream enabled, and when go, nats.go or nats-server is missing.
import { describe, test, before, after } from "node:test";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { goClientMissing, buildGoClient, startPair, compareGroup } from "../helpers/client-programs.js";
import { tempDir, removeDir } from "../helpers/tsnats-process.js";

const skip = goClientMissing();

/** True when the server at `port` has JetStream on (it answers $JS.API.INFO without an error). */
async function jetStreamEnabled(port) {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  try {
    const r = await nc.request("$JS.API.INFO", "", { timeout: 2000 });
    return JSON.parse(new TextDecoder().decode(r.data)).error === undefined;
  } catch {
    return false;
  } finally {
    await nc.close();
  }
}

describe("nats.go JetStream against tsnats and nats-server", { skip, timeout: 120_000 }, () => {
  let bin;
  let dir;
  before(() => {
    bin = buildGoClient();
    dir = tempDir("tsnats-go-js-");
  });
  after(() => removeDir(dir));

  test("streams, consumers, KV", async (t) => {
    // The second free port only makes each server's store directory its own.
    const pair = await startPair(dir, "jetstream", (n) => `jetstream { store_dir: "${join(dir, `store-${n}`)}" }\n`);
    try {
      if (!(await jetStreamEnabled(pair.ts.port))) {
        t.skip("tsnats does not have JetStream enabled yet");
        return;
      }
      await compareGroup(t, bin, "jetstream", pair, {
        expect: {
          "js-streams": ["  ack stream=S seq=1 duplicate=false", "  duplicate: seq=4 duplicate=true", "  missing stream: nats: stream not found"],
          "js-consumers": ["  push s.1 m1 stream_seq=1 consumer_seq=1 delivered=1", "  fetch: 3 ok"],
          "js-kv": ["  get: v2 rev=2 (put 2)", "  get deleted: nats: key not found"],
        },
      });
    } finally {
      await pair.stop();
    }
  });
});
