// Differential check of the $JS API against the Go reference server (2.9.10):
// the same requests go to `nats-server -js -sd DIR` and to tsnats; every
// answer is reduced to its key paths and value types (recursively, array
// elements merged) and must match, apart from fields newer Go releases added
// (tsnats answers as 2.10). Error answers must carry the same err_code.
// Requests that get no answer from Go must get none from tsnats.
// Skipped when nats-server is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { goServerPath, startGoServer, freePort } from "../helpers/go-server.js";
import { startServer } from "../helpers/server.js";
import { jsonAnswers, shapeDiffs } from "../helpers/json-shape.js";
import { tempDir, removeDir } from "../helpers/tsnats-process.js";

const goServer = goServerPath();

/** Key paths of nats-server 2.10 that 2.9.10 lacks. */
const NEWER_GO_KEYS = new Set([
  "mirror.filter_subject",
  "sources[].filter_subject",
  "config.compression",
  "config.consumer_limits",
  "streams[].config.compression",
  "streams[].config.consumer_limits",
  "ts",
  "streams[].ts",
  "reserved_memory",
  "reserved_storage",
]);

const CASES = [
  ["info", "$JS.API.INFO", ""],
  ["create", "$JS.API.STREAM.CREATE.D", { name: "D", subjects: ["d.>"], max_msgs_per_subject: 5, allow_direct: true }],
  ["create-again", "$JS.API.STREAM.CREATE.D", { name: "D", subjects: ["d.>"], max_msgs_per_subject: 5, allow_direct: true }],
  ["create-conflict", "$JS.API.STREAM.CREATE.D", { name: "D", subjects: ["x.>"] }],
  ["create-mismatch", "$JS.API.STREAM.CREATE.E", { name: "F" }],
  ["create-badjson", "$JS.API.STREAM.CREATE.E", "{nope"],
  ["create-badtype", "$JS.API.STREAM.CREATE.E", { name: "E", max_msgs: "x" }],
  ["create-overlap", "$JS.API.STREAM.CREATE.E", { name: "E", subjects: ["d.a"] }],
  ["create-replicas", "$JS.API.STREAM.CREATE.E", { name: "E", num_replicas: 3 }],
  ["create-maxage", "$JS.API.STREAM.CREATE.E", { name: "E", max_age: 5 }],
  ["create-badname", "$JS.API.STREAM.CREATE.E.F", { name: "E.F" }],
  ["pub", "d.a", "one"],
  ["pub2", "d.b", "two"],
  ["pub-expected", "d.a", "x", { "Nats-Expected-Stream": "NOPE" }],
  ["pub-lastseq", "d.a", "x", { "Nats-Expected-Last-Sequence": "1" }],
  ["pub-dup1", "d.a", "x", { "Nats-Msg-Id": "m" }],
  ["pub-dup2", "d.a", "x", { "Nats-Msg-Id": "m" }],
  ["info-stream", "$JS.API.STREAM.INFO.D", ""],
  ["info-subjects", "$JS.API.STREAM.INFO.D", { subjects_filter: ">" }],
  ["info-missing", "$JS.API.STREAM.INFO.NOPE", ""],
  ["names", "$JS.API.STREAM.NAMES", ""],
  ["names-filter", "$JS.API.STREAM.NAMES", { subject: "zz" }],
  ["list", "$JS.API.STREAM.LIST", ""],
  ["update", "$JS.API.STREAM.UPDATE.D", { name: "D", subjects: ["d.>", "dd"], max_msgs_per_subject: 5, allow_direct: true }],
  ["update-storage", "$JS.API.STREAM.UPDATE.D", { name: "D", subjects: ["d.>"], storage: "memory" }],
  ["msg-get", "$JS.API.STREAM.MSG.GET.D", { seq: 1 }],
  ["msg-get-last", "$JS.API.STREAM.MSG.GET.D", { last_by_subj: "d.b" }],
  ["msg-get-missing", "$JS.API.STREAM.MSG.GET.D", { seq: 99 }],
  ["msg-get-empty", "$JS.API.STREAM.MSG.GET.D", ""],
  ["msg-delete", "$JS.API.STREAM.MSG.DELETE.D", { seq: 1 }],
  ["msg-delete-missing", "$JS.API.STREAM.MSG.DELETE.D", { seq: 1 }],
  ["create-mirror", "$JS.API.STREAM.CREATE.MD", { name: "MD", mirror: { name: "D" } }],
  ["create-source", "$JS.API.STREAM.CREATE.SD", { name: "SD", sources: [{ name: "D", filter_subject: "d.a" }] }],
  ["mirror-subjects", "$JS.API.STREAM.CREATE.MX", { name: "MX", mirror: { name: "D" }, subjects: ["mx"] }],
  ["info-mirror", "$JS.API.STREAM.INFO.MD", ""],
  ["info-source", "$JS.API.STREAM.INFO.SD", ""],
  ["purge-keep", "$JS.API.STREAM.PURGE.D", { keep: 1 }],
  ["purge", "$JS.API.STREAM.PURGE.D", { filter: "d.b" }],
  ["purge-missing", "$JS.API.STREAM.PURGE.NOPE", ""],
  ["snapshot-nodeliver", "$JS.API.STREAM.SNAPSHOT.D", { deliver_subject: "" }],
  ["stepdown", "$JS.API.STREAM.LEADER.STEPDOWN.D", ""],
  ["peer-remove", "$JS.API.STREAM.PEER.REMOVE.D", { peer: "x" }],
  ["delete", "$JS.API.STREAM.DELETE.D", ""],
  ["delete-missing", "$JS.API.STREAM.DELETE.D", ""],
  ["unknown", "$JS.API.NOPE", ""],
  ["lim-create", "$JS.API.STREAM.CREATE.L", { name: "L", subjects: ["l.>"], max_msgs: 1, discard: "new", max_msg_size: 8, max_msgs_per_subject: 1, discard_new_per_subject: true }],
  ["lim-pub1", "l.a", "x"],
  ["lim-max-msgs", "l.b", "x"],
  ["lim-size", "l.c", "0123456789"],
  ["lim-rollup", "l.d", "x", { "Nats-Rollup": "all" }],
  ["lim-last-msgid", "l.e", "x", { "Nats-Expected-Last-Msg-Id": "nope" }],
  ["lim-last-subj-seq", "l.a", "x", { "Nats-Expected-Last-Subject-Sequence": "7" }],
  ["per-create", "$JS.API.STREAM.CREATE.P", { name: "P", subjects: ["p.>"], max_msgs_per_subject: 1, discard: "new", discard_new_per_subject: true }],
  ["per-pub1", "p.a", "x"],
  ["per-pub2", "p.a", "x"],
  ["seal-create", "$JS.API.STREAM.CREATE.Q", { name: "Q", subjects: ["q"] }],
  ["seal-update", "$JS.API.STREAM.UPDATE.Q", { name: "Q", subjects: ["q"], sealed: true }],
  ["seal-pub", "q", "x"],
  ["seal-purge", "$JS.API.STREAM.PURGE.Q", ""],
  ["seal-msg-delete", "$JS.API.STREAM.MSG.DELETE.Q", { seq: 1 }],
  ["seal-unseal", "$JS.API.STREAM.UPDATE.Q", { name: "Q", subjects: ["q"] }],
  ["meta-stepdown", "$JS.API.META.LEADER.STEPDOWN", ""],
];

test("$JS API answers have Go's shapes and err_codes", { skip: !goServer && "nats-server not installed", timeout: 60_000 }, async () => {
  const goDir = tempDir("go-js-");
  const go = await startGoServer(["-js", "-sd", goDir]);
  const ts = await startServer({ jetstream: true });
  try {
    const goAnswers = await jsonAnswers(go.url, CASES);
    const tsAnswers = await jsonAnswers(ts.url, CASES);
    const diffs = [];
    for (const [name] of CASES) {
      const g = goAnswers.get(name);
      const t = tsAnswers.get(name);
      if (typeof g === "string" || typeof t === "string") {
        if (typeof g !== typeof t) diffs.push(`${name}: Go ${JSON.stringify(g)} vs tsnats ${JSON.stringify(t)}`);
        continue;
      }
      diffs.push(...shapeDiffs(name, g, t, NEWER_GO_KEYS));
      if (g.error || t.error) {
        if (g.error?.err_code !== t.error?.err_code || g.error?.description !== t.error?.description) {
          diffs.push(`${name}: Go error ${JSON.stringify(g.error)} vs tsnats ${JSON.stringify(t.error)}`);
        }
      }
      if (g.type !== t.type) diffs.push(`${name}: type ${t.type}, Go ${g.type}`);
    }
    assert.deepEqual(diffs, []);
  } finally {
    await ts.shutdown();
    await go.stop();
    removeDir(goDir);
  }
});

const DIRECT = [
  ["seq", "$JS.API.DIRECT.GET.DG", { seq: 1 }],
  ["last-in-subject", "$JS.API.DIRECT.GET.DG.dg.b", ""],
  ["last-by-subj", "$JS.API.DIRECT.GET.DG", { last_by_subj: "dg.a" }],
  ["next-by-subj", "$JS.API.DIRECT.GET.DG", { seq: 2, next_by_subj: "dg.a" }],
  ["missing", "$JS.API.DIRECT.GET.DG", { seq: 99 }],
  ["empty", "$JS.API.DIRECT.GET.DG", ""],
  ["malformed", "$JS.API.DIRECT.GET.DG", "{x"],
  ["both", "$JS.API.DIRECT.GET.DG", { seq: 1, last_by_subj: "dg.a" }],
  ["payload-on-subject-form", "$JS.API.DIRECT.GET.DG.dg.a", "{}"],
];

async function directRun(url) {
  const nc = await connect({ servers: url });
  const out = new Map();
  try {
    await nc.request("$JS.API.STREAM.CREATE.DG", JSON.stringify({ name: "DG", subjects: ["dg.>"], allow_direct: true }), { timeout: 2000 });
    const h = natsHeaders();
    h.set("X-Mine", "1");
    for (const [s, d, hdr] of [["dg.a", "1"], ["dg.b", "2", h], ["dg.a", "3"]]) await nc.request(s, d, { timeout: 2000, headers: hdr });
    for (const [name, subject, body] of DIRECT) {
      const m = await nc.request(subject, typeof body === "string" ? body : JSON.stringify(body), { timeout: 1000 });
      const keys = m.headers ? [...m.headers.keys()].sort() : [];
      out.set(name, { code: m.headers?.code ?? 0, description: m.headers?.description ?? "", keys, data: m.string() });
    }
  } finally {
    await nc.close();
  }
  return out;
}

test("direct get answers have Go's headers and status lines", { skip: !goServer && "nats-server not installed", timeout: 60_000 }, async () => {
  const goDir = tempDir("go-js-");
  const go = await startGoServer(["-js", "-sd", goDir]);
  const ts = await startServer({ jetstream: true });
  try {
    const g = await directRun(go.url);
    const t = await directRun(ts.url);
    const diffs = [];
    for (const [name] of DIRECT) {
      const a = g.get(name);
      const b = t.get(name);
      if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${name}: Go ${JSON.stringify(a)} vs tsnats ${JSON.stringify(b)}`);
    }
    assert.deepEqual(diffs, []);
  } finally {
    await ts.shutdown();
    await go.stop();
    removeDir(goDir);
  }
});

/** /jsz and /varz key paths of nats-server 2.10 that 2.9.10 lacks. */
const NEWER_MONITOR_KEYS = new Set(["total", "config.sync_interval", "config.compression", "config.consumer_limits", "jetstream.config.sync_interval"]);

test("/jsz and /varz jetstream have Go's shapes with JetStream on", { skip: !goServer && "nats-server not installed", timeout: 60_000 }, async () => {
  const goDir = tempDir("go-js-");
  const goHttp = await freePort();
  const go = await startGoServer(["-js", "-sd", goDir, "-m", String(goHttp)]);
  const ts = await startServer({ jetstream: true, httpPort: -1 });
  const fill = async (url) => {
    const nc = await connect({ servers: url });
    await nc.request("$JS.API.STREAM.CREATE.J", JSON.stringify({ name: "J", subjects: ["j"] }), { timeout: 2000 });
    await nc.request("j", "x", { timeout: 2000 });
    await nc.close();
  };
  try {
    await fill(go.url);
    await fill(ts.url);
    const diffs = [];
    for (const path of ["/jsz", "/jsz?accounts=true&streams=true&config=true", "/varz"]) {
      const g = await (await fetch(`http://127.0.0.1:${goHttp}${path}`)).json();
      const t = await (await fetch(`${ts.monitorUrl}${path}`)).json();
      const [gv, tv] = path === "/varz" ? [{ jetstream: g.jetstream }, { jetstream: t.jetstream }] : [g, t];
      // Go prints an account's reservations as uint64 -1; both are numbers.
      for (const d of shapeDiffs(path, gv, tv, NEWER_GO_KEYS)) {
        const key = d.split(" ").at(-1);
        if (!NEWER_MONITOR_KEYS.has(key) && !NEWER_GO_KEYS.has(key.replace(/^account_details\[\]\.stream_detail\[\]\./, ""))) diffs.push(d);
      }
    }
    assert.deepEqual(diffs, []);
  } finally {
    await ts.shutdown();
    await go.stop();
    removeDir(goDir);
  }
});
