// Bad input to the $JS API beside the Go reference server (2.9.10): names
// with '.', '*', '>', '/', tabs and non-ASCII, invalid and thousands of
// subjects, malformed / deeply nested / wrongly typed JSON, out-of-range
// sequences, absurd pull requests (negative, zero, huge, fractional batch and
// expires, wrong types), CONSUMER.PAUSE / UNPIN (2.11 endpoints). Each answer (error code and text, status line, or
// silence) must be Go's. Inputs that crash nats-server 2.9.10 (negative
// paging offsets, a template without config) are in js-bad-input.test.js.
// Skipped when nats-server is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { goServerPath, startGoServer } from "../helpers/go-server.js";
import { startServer } from "../helpers/server.js";
import { tempDir, removeDir } from "../helpers/tsnats-process.js";

const goServer = goServerPath();

/** Where tsnats answers as Go 2.10 does and 2.9.10 differs. */
const GO_2_10 = new Map([["cons filter bad", "ERR 500 10052 invalid subject"]]);

async function run(url) {
  const nc = await connect({ servers: url });
  const out = [];
  const r = async (name, s, d, t = 700) => {
    let a;
    try {
      const m = await nc.request(s, typeof d === "string" ? d : JSON.stringify(d), { timeout: t });
      let j = null;
      try {
        j = JSON.parse(m.string());
      } catch {
        j = null;
      }
      // Answers are compared by their error or their top-level keys (2.10 added "ts" and the reservations).
      const keys = j && Object.keys(j).filter((k) => !["ts", "reserved_memory", "reserved_storage"].includes(k)).sort().join(",");
      a = m.headers ? `HDR ${m.headers.code} ${m.headers.description}` : j ? (j.error ? `ERR ${j.error.code} ${j.error.err_code} ${j.error.description}` : `OK ${keys}`) : `RAW ${m.string().slice(0, 80)}`;
    } catch (e) {
      a = `NOANSWER ${e.name}`;
    }
    out.push([name, a]);
  };
  try {
    await r("create S", "$JS.API.STREAM.CREATE.S", { name: "S", subjects: ["s.>"], storage: "memory" });
    for (let i = 0; i < 3; i++) await r("pub", `s.${i}`, "x");
    await r("name dot", "$JS.API.STREAM.CREATE.a", { name: "a.b" });
    await r("name dot subj", "$JS.API.STREAM.CREATE.a.b", { name: "a.b" });
    await r("name star", "$JS.API.STREAM.CREATE.a*", { name: "a*" });
    await r("name gt", "$JS.API.STREAM.CREATE.a>", { name: "a>" });
    await r("name tab", "$JS.API.STREAM.CREATE.a\tb", { name: "a\tb" });
    await r("name long", "$JS.API.STREAM.CREATE." + "n".repeat(300), { name: "n".repeat(300) });
    await r("name slash", "$JS.API.STREAM.CREATE.a/b", { name: "a/b" });
    await r("name unicode", "$JS.API.STREAM.CREATE.ü", { name: "ü" });
    await r("subjects bad", "$JS.API.STREAM.CREATE.B1", { name: "B1", subjects: ["a..b"] });
    await r("subjects space", "$JS.API.STREAM.CREATE.B2", { name: "B2", subjects: ["a b"] });
    await r("subjects empty str", "$JS.API.STREAM.CREATE.B3", { name: "B3", subjects: [""] });
    await r("subjects many", "$JS.API.STREAM.CREATE.B4", { name: "B4", storage: "memory", subjects: Array.from({ length: 2000 }, (_, i) => `many.${i}`) }, 3000);
    await r("delete B4", "$JS.API.STREAM.DELETE.B4", "");
    await r("json empty object", "$JS.API.STREAM.CREATE.B5", "{}");
    await r("json unknown fields", "$JS.API.STREAM.CREATE.B9", { name: "B9", storage: "memory", bogus: 1, nested: { x: [1] } });
    await r("json array", "$JS.API.STREAM.CREATE.B5", "[1,2]");
    await r("json null", "$JS.API.STREAM.CREATE.B5", "null");
    await r("json number", "$JS.API.STREAM.CREATE.B5", "5");
    await r("json deep", "$JS.API.STREAM.CREATE.B5", '{"name":"B5","metadata":' + "[".repeat(20000) + "]".repeat(20000) + "}");
    await r("json trailing", "$JS.API.STREAM.CREATE.B5", '{"name":"B5"} x');
    await r("json dup keys", "$JS.API.STREAM.CREATE.B6", '{"name":"B6","name":"B6","storage":"memory"}');
    await r("json big num", "$JS.API.STREAM.CREATE.B7", '{"name":"B7","max_msgs":1e400}');
    await r("json float int", "$JS.API.STREAM.CREATE.B7", '{"name":"B7","max_msgs":1.5}');
    await r("json neg uint", "$JS.API.STREAM.CREATE.B7", '{"name":"B7","max_consumers":-5}');
    await r("json bad utf8", "$JS.API.STREAM.CREATE.B8", Buffer.from([0x7b,0x22,0x6e,0x61,0x6d,0x65,0x22,0x3a,0x22,0xff,0xfe,0x22,0x7d]).toString("latin1"));
    await r("names offset huge", "$JS.API.STREAM.NAMES", { offset: 1e15 });
    await r("msg get seq neg", "$JS.API.STREAM.MSG.GET.S", { seq: -1 });
    await r("msg get seq huge", "$JS.API.STREAM.MSG.GET.S", { seq: 1e20 });
    await r("msg get seq 0", "$JS.API.STREAM.MSG.GET.S", { seq: 0 });
    await r("msg get bad subj", "$JS.API.STREAM.MSG.GET.S", { last_by_subj: "a b" });
    await r("msg get wildcard", "$JS.API.STREAM.MSG.GET.S", { last_by_subj: "s.*" });
    await r("msg del neg", "$JS.API.STREAM.MSG.DELETE.S", { seq: -1 });
    await r("purge keep neg", "$JS.API.STREAM.PURGE.S", { keep: -1 });
    await r("purge seq+keep", "$JS.API.STREAM.PURGE.S", { seq: 2, keep: 1 });
    await r("purge bad filter", "$JS.API.STREAM.PURGE.S", { filter: "a..b" });
    await r("direct batch neg", "$JS.API.DIRECT.GET.S", { seq: 1, batch: -1 });
    await r("cons name dot", "$JS.API.CONSUMER.CREATE.S.a", { stream_name: "S", config: { name: "a.b" } });
    await r("cons name star", "$JS.API.CONSUMER.CREATE.S.a*", { stream_name: "S", config: { name: "a*" } });
    await r("cons name gt", "$JS.API.CONSUMER.CREATE.S.a>", { stream_name: "S", config: { name: "a>" } });
    await r("cons durable space", "$JS.API.CONSUMER.CREATE.S", { stream_name: "S", config: { durable_name: "a b" } });
    await r("cons durable long", "$JS.API.CONSUMER.DURABLE.CREATE.S." + "d".repeat(300), { stream_name: "S", config: { durable_name: "d".repeat(300) } });
    await r("cons filter bad", "$JS.API.CONSUMER.CREATE.S.F1", { stream_name: "S", config: { name: "F1", filter_subject: "a..b" } });
    await r("cons max_deliver 0", "$JS.API.CONSUMER.CREATE.S.F2", { stream_name: "S", config: { name: "F2", max_deliver: 0 } });
    await r("cons ack_wait neg", "$JS.API.CONSUMER.CREATE.S.F3", { stream_name: "S", config: { name: "F3", ack_wait: -1 } });
    await r("cons max_waiting neg", "$JS.API.CONSUMER.CREATE.S.F4", { stream_name: "S", config: { name: "F4", max_waiting: -1 } });
    await r("cons backoff neg", "$JS.API.CONSUMER.CREATE.S.F5", { stream_name: "S", config: { name: "F5", ack_policy: "explicit", backoff: [-1], max_deliver: 5 } });
    await r("cons no config", "$JS.API.CONSUMER.CREATE.S", { stream_name: "S" });
    await r("cons json array", "$JS.API.CONSUMER.CREATE.S", "[]");
    await r("cons P", "$JS.API.CONSUMER.CREATE.S.P", { stream_name: "S", config: { name: "P", ack_policy: "explicit" } });
    const pulls = [
      ["pull batch neg", { batch: -1 }], ["pull batch 0", { batch: 0, expires: 200e6 }], ["pull batch huge", { batch: 1e12, expires: 200e6 }],
      ["pull batch float", { batch: 1.5 }], ["pull batch str", { batch: "x" }], ["pull expires neg", { batch: 1, expires: -5 }],
      ["pull expires huge", { batch: 1, expires: 1e30 }], ["pull maxbytes neg", { batch: 1, max_bytes: -1, expires: 200e6 }],
      ["pull maxbytes tiny", { batch: 1, max_bytes: 1, expires: 200e6 }], ["pull hb neg", { batch: 1, expires: 1e9, idle_heartbeat: -1 }],
      ["pull array", [1]], ["pull number", "7"], ["pull empty", ""], ["pull null", "null"],
    ];
    for (const [n, b] of pulls) await r(n, "$JS.API.CONSUMER.MSG.NEXT.S.P", b, 600);
    await r("pause", "$JS.API.CONSUMER.PAUSE.S.P", { pause_until: "2030-01-01T00:00:00Z" });
    await r("unpin", "$JS.API.CONSUMER.UNPIN.S.P", { group: "g" });
    await r("consumer unknown op", "$JS.API.CONSUMER.FROB.S.P", "");
    await r("info S", "$JS.API.STREAM.INFO.S", "");
    await r("acc info", "$JS.API.INFO", "");
  } finally {
    await nc.close();
  }
  return out;
}

test("bad API input gets Go's answers", { skip: !goServer && "nats-server not installed", timeout: 120_000 }, async () => {
  const goDir = tempDir("go-js-");
  const go = await startGoServer(["-js", "-sd", goDir]);
  const ts = await startServer({ jetstream: true });
  try {
    const [g, t] = [await run(go.url), await run(ts.url)];
    const diffs = [];
    for (let i = 0; i < g.length; i++) {
      const [name, goAnswer] = g[i];
      const want = GO_2_10.get(name) ?? goAnswer;
      if (t[i][1] !== want) diffs.push(`${name}: tsnats ${t[i][1]}, Go ${goAnswer}`);
    }
    assert.equal(t.length, g.length);
    assert.deepEqual(diffs, []);
  } finally {
    await ts.shutdown();
    await go.stop();
    removeDir(goDir);
  }
});
