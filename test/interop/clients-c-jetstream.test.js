// The C client (libnats 3.4) consuming against tsnats and the Go nats-server
// 2.9.10 side by side (program: clients/c-jetstream-client.c): pull fetches
// with batch, max_bytes, no_wait, expiry and heartbeats; ack, double ack,
// nak (with delay), in progress, term and redelivery after ack_wait; a push
// consumer with flow control and heartbeats; the ordered consumer; KV put,
// create, update with revisions, get, delete, purge, keys, history and
// watchers. Each group runs on a fresh pair of servers; the transcripts must
// be the same. Skipped when gcc, libnats-dev or nats-server is missing.
import { describe, test } from "node:test";
import { join } from "node:path";
import { cClientMissing, buildCClient, clientSuite } from "../helpers/client-programs.js";

const skip = cClientMissing();

/** Lines the Go transcript must hold, so a scenario that stopped testing anything fails. */
const EXPECT = {
  pull: { pull: ["  fetch 3: 3 ok", "  info: delivered=9/9 ack_floor=9/9 pending=0 ack_pending=0 redelivered=0 waiting=0"] },
  acks: { acks: ["  term 5: ok", '  msg a.x "a.x-4" sseq=4 cseq=7 delivered=2 pending=0'] },
  push: { push: ["  received 30"], ordered: ["  ordered received 30"] },
  kv: { kv: ["  get a: 4 rev=4 op=PUT", "  keys: 1 ok", '  watch: b rev=6 op=PURGE ""'] },
};

describe("the C client's JetStream and KV against tsnats and nats-server", { skip, timeout: 180_000 }, () => {
  const suite = clientSuite(() => buildCClient("c-jetstream-client.c"), "tsnats-c-js-");

  for (const [group, expect] of Object.entries(EXPECT)) {
    test(group, (t) => suite.group(t, group, (n) => `jetstream { store_dir: "${join(suite.dir, `store-${group}-${n}`)}" }\n`, { expect }));
  }
});
