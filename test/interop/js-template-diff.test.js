// Stream templates (STREAM.TEMPLATE.CREATE|INFO|NAMES|DELETE, deprecated but
// served by Go 2.9/2.10) beside the Go reference server: the same requests and
// publishes (streams created on first publish, max_streams, ownership checks,
// deleting a template deletes its streams) must get the same answers: type,
// error code and text, key paths and types, and the same template and stream
// names. Skipped when nats-server is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { goServerPath, startGoServer } from "../helpers/go-server.js";
import { startServer } from "../helpers/server.js";
import { jsonAnswers, shapeDiffs } from "../helpers/json-shape.js";
import { tempDir, removeDir } from "../helpers/tsnats-process.js";

const goServer = goServerPath();

const CASES = [
  ["names-empty", "$JS.API.STREAM.TEMPLATE.NAMES", ""],
  ["create", "$JS.API.STREAM.TEMPLATE.CREATE.T", { name: "T", config: { subjects: ["t.*"], storage: "memory" }, max_streams: 2 }],
  ["create-again", "$JS.API.STREAM.TEMPLATE.CREATE.T", { name: "T", config: { subjects: ["t.*"] }, max_streams: 2 }],
  ["create-mismatch", "$JS.API.STREAM.TEMPLATE.CREATE.X", { name: "Y", config: { subjects: ["y.*"] } }],
  ["create-named-config", "$JS.API.STREAM.TEMPLATE.CREATE.Y", { name: "Y", config: { name: "n", subjects: ["y.*"] } }],
  ["create-badjson", "$JS.API.STREAM.TEMPLATE.CREATE.V", "notjson"],
  ["create-badtype", "$JS.API.STREAM.TEMPLATE.CREATE.V", { name: "V", config: { subjects: ["v"] }, max_streams: "x" }],
  ["create-bad-config", "$JS.API.STREAM.TEMPLATE.CREATE.V", { name: "V", config: { subjects: ["v"], max_age: 5 } }],
  ["create-file", "$JS.API.STREAM.TEMPLATE.CREATE.W", { name: "W", config: { subjects: ["w.>"] }, max_streams: 5 }],
  ["info", "$JS.API.STREAM.TEMPLATE.INFO.T", ""],
  ["info-body", "$JS.API.STREAM.TEMPLATE.INFO.T", { a: 1 }],
  ["info-missing", "$JS.API.STREAM.TEMPLATE.INFO.NO", ""],
  ["pub-a", "t.a", "x"],
  ["pub-b", "t.b", "x"],
  ["pub-at-limit", "t.c", "x"],
  ["pub-a-again", "t.a", "y"],
  ["pub-w", "w.x.y", "x"],
  ["info-after", "$JS.API.STREAM.TEMPLATE.INFO.T", ""],
  ["stream-info", "$JS.API.STREAM.INFO.t_a", ""],
  ["stream-names", "$JS.API.STREAM.NAMES", ""],
  ["stream-update", "$JS.API.STREAM.UPDATE.t_a", { name: "t_a", subjects: ["t.a"], storage: "memory" }],
  ["stream-create-owned", "$JS.API.STREAM.CREATE.Q", { name: "Q", subjects: ["q"], template_owner: "T" }],
  ["names", "$JS.API.STREAM.TEMPLATE.NAMES", { offset: 0 }],
  ["names-offset", "$JS.API.STREAM.TEMPLATE.NAMES", { offset: 1 }],
  ["names-badjson", "$JS.API.STREAM.TEMPLATE.NAMES", "{x"],
  ["delete-body", "$JS.API.STREAM.TEMPLATE.DELETE.T", { a: 1 }],
  ["delete", "$JS.API.STREAM.TEMPLATE.DELETE.T", ""],
  ["delete-missing", "$JS.API.STREAM.TEMPLATE.DELETE.T", ""],
  ["stream-names-after", "$JS.API.STREAM.NAMES", ""],
  ["delete-w", "$JS.API.STREAM.TEMPLATE.DELETE.W", ""],
  ["info-account", "$JS.API.INFO", ""],
];

/** Key paths of 2.10 that 2.9.10 lacks. */
const NEWER = new Set(["config.compression", "config.config.compression", "config.consumer_limits", "config.config.consumer_limits", "ts", "reserved_memory", "reserved_storage"]);

test("stream templates answer as Go's", { skip: !goServer && "nats-server not installed", timeout: 60_000 }, async () => {
  const goDir = tempDir("go-js-");
  const go = await startGoServer(["-js", "-sd", goDir]);
  const ts = await startServer({ jetstream: true });
  try {
    const g = await jsonAnswers(go.url, CASES);
    const t = await jsonAnswers(ts.url, CASES);
    const diffs = [];
    for (const [name] of CASES) {
      const a = g.get(name);
      const b = t.get(name);
      if (typeof a === "string" || typeof b === "string") {
        if (a !== b) diffs.push(`${name}: Go ${JSON.stringify(a)} vs tsnats ${JSON.stringify(b)}`);
        continue;
      }
      diffs.push(...shapeDiffs(name, a, b, NEWER));
      for (const k of ["type", "error", "streams", "total", "offset", "limit", "success", "stream", "seq"]) {
        if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) diffs.push(`${name}: ${k} ${JSON.stringify(b[k])}, Go ${JSON.stringify(a[k])}`);
      }
      const strip = (c) => c && { ...c, config: c.config && { ...c.config, compression: undefined, consumer_limits: undefined } };
      if (JSON.stringify(strip(a.config)) !== JSON.stringify(strip(b.config)) && !name.startsWith("stream-")) diffs.push(`${name}: config ${JSON.stringify(b.config)}, Go ${JSON.stringify(a.config)}`);
      if (name === "stream-info" && a.config.template_owner !== b.config.template_owner) diffs.push(`${name}: template_owner ${b.config.template_owner}`);
    }
    assert.deepEqual(diffs, []);
  } finally {
    await ts.shutdown();
    await go.stop();
    removeDir(goDir);
  }
});
