// nats.go 1.22 consuming against tsnats and the Go nats-server 2.9.10 side by
// side (program: clients/go-jetstream-client.go): pull fetch with batch,
// max_bytes and expiry, raw pull requests (limits, bad JSON, absurd batch and
// expires, max_waiting), a pull waiting while its consumer is deleted, every
// ack kind and ack-all, acks to unknown and malformed $JS.ACK subjects,
// workqueue and interest retention, push consumers with flow control and
// heartbeats, deliver groups and interest, the ordered consumer (also across
// the deletion of its consumer and a stream purge), KV
// (watch, history, keys, purge, delete, ttl), the object store (a 6 MB
// object, links, list, watch, update, delete, seal) and consumers created and
// deleted in a loop, listings (KV, object store, stream and consumer
// names), consumer updates and binding, a durable consumer and a KV
// bucket across a kill -9 and restart of the server. Each group runs on a fresh pair of servers; the
// transcripts must be the same. Skipped when go, nats.go or nats-server is missing.
import { describe, test } from "node:test";
import { join } from "node:path";
import { goClientMissing, buildGoClient, clientSuite } from "../helpers/client-programs.js";

const skip = goClientMissing();

/** Lines the Go transcript must hold, so a scenario that stopped testing anything fails. */
const EXPECT = {
  pull: {
    "pull-fetch": ["  fetch 4: 4 ok", "  fetch 3 max_bytes=40: 0 nats: Message Size Exceeds MaxBytes", "  fetch empty: 0 nats: timeout"],
    "pull-raw": ['  status 409 "Exceeded MaxRequestBatch of 5"  data=0', "  waiter 3: status 409 \"Exceeded MaxWaiting\"  data=0", '  waiter 2: status 408 "Request Timeout" Nats-Pending-Bytes=0 Nats-Pending-Messages=1 data=0', "  (silence)"],
    "pull-deleted": ['  waiter: status 409 "Consumer Deleted"  data=0'],
  },
  acks: {
    "ack-kinds": ["  double ack 1: nats: message was already acknowledged", "  redelivered: [5/2]"],
    "ack-raw": ['  $JS.ACK.A.acker.x.y.z.0.0 +ACK: ""', "  $JS.ACK.A.acker.0.0.0.0.0 +ACK: nats: timeout"],
    "ack-all": ["  ack 3: ok"],
    workqueue: ["  stream msgs=2 first=4"],
    interest: ["  no consumers: msgs=0", "  two acked 2: msgs=1 first=5"],
  },
  push: {
    "push-flow": ["  delivered 48, flow control seen=true heartbeat seen=true", '  status 409 "Consumer is push based"  data=0'],
    "push-group": ["  group total 10"],
    ordered: ['  msg o.a "o.a-5" sseq=5 cseq=5 delivered=1 pending=0'],
    "ordered-reset": ['  after delete: o.b "o.b-2" sseq=7', '  after purge: o.c "o.c-2" sseq=9'],
  },
  kv: { "kv-ops": ["  keys: [b.c] ok", "  after ttl: nats: key not found"] },
  objects: { obj: ["  get big: 6291579 same=true ok", "  link: ln -> O/big", "  sealed=true"] },
  churn: { churn: ["  create/delete 300: failures=0", "  consumers left=0"] },
  restart: { "restart-consumer": ["  got: [5/1 6/1]", "  get: 2 rev=2", "  stream after restart: msgs=6 last=6 consumers=1"] },
  listing: { listing: ["  keys of an empty bucket: nats: no keys found", "  kv names: [KV_EMPTY KV_SECOND]", "  bound: c2"] },
};

describe("nats.go consumers, KV and object store against tsnats and nats-server", { skip, timeout: 300_000 }, () => {
  const suite = clientSuite(() => buildGoClient("go-jetstream-client.go"), "tsnats-go-cons-");

  for (const [group, expect] of Object.entries(EXPECT)) {
    test(group, (t) => suite.group(t, group, (n) => `jetstream { store_dir: "${join(suite.dir, `store-${group}-${n}`)}" }\n`, { expect }));
  }
});
