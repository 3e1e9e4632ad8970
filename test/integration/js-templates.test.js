// Stream templates with a real tsnats process and the real client: streams
// made on first publish (named after the subject, owned by the template, the
// first message stored), max_streams with Go's warning, a file template and
// its streams surviving a restart, a stream deleted by STREAM.DELETE no longer
// counting, deleting the template deleting its streams; a template without a
// config gets an error (Go 2.9.10 crashes on it).
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { startJetStreamProcess, jetStreamDirs, removeDir, waitFor } from "../helpers/tsnats-process.js";

const dirs = [];
after(() => dirs.forEach(removeDir));

const req = async (nc, subject, body) => JSON.parse((await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: 2000 })).string());

describe("stream templates", { timeout: 60_000 }, () => {
  test("streams on first publish, limit, restart, delete", async () => {
    const { storeDir, runDir } = jetStreamDirs(dirs);
    let { p, url } = await startJetStreamProcess(storeDir, runDir);
    let nc = await connect({ servers: url });
    try {
      const missing = await req(nc, "$JS.API.STREAM.TEMPLATE.CREATE.Z", { name: "Z", max_streams: 1 });
      assert.deepEqual(missing.error, { code: 500, err_code: 10066, description: "template config is missing" });
      const created = await req(nc, "$JS.API.STREAM.TEMPLATE.CREATE.K", { name: "K", config: { subjects: ["k.*"], max_msgs: 10 }, max_streams: 2 });
      assert.equal(created.config.config.name, "_");
      assert.equal(created.config.config.max_msgs, 10);
      const jsm = await jetstreamManager(nc);
      const ack = JSON.parse((await nc.request("k.one", "first", { timeout: 2000 })).string());
      assert.deepEqual(ack, { stream: "k_one", seq: 1 });
      const si = await jsm.streams.info("k_one");
      assert.deepEqual([si.config.subjects, si.config.template_owner, si.config.max_msgs, si.state.messages], [["k.one"], "K", 10, 1]);
      assert.equal((await jsm.streams.getMessage("k_one", { seq: 1 })).string(), "first");
      await nc.request("k.two", "x", { timeout: 2000 });
      nc.publish("k.three", "x");
      await waitFor(() => p.lines(`JetStream could not create stream for account "$G" on subject "k.three", at limit`).length === 1, "at-limit warning");
      assert.deepEqual((await req(nc, "$JS.API.STREAM.TEMPLATE.INFO.K")).streams, ["k_one", "k_two"]);
      await nc.close();
      await p.signalAndWait("SIGTERM", "Server Exiting", 15_000);
      await p.exited;

      ({ p, url } = await startJetStreamProcess(storeDir, runDir));
      nc = await connect({ servers: url });
      const info = await req(nc, "$JS.API.STREAM.TEMPLATE.INFO.K");
      assert.deepEqual(info.streams.sort(), ["k_one", "k_two"]);
      assert.equal(info.config.max_streams, 2);
      // A stream deleted directly frees its place in the template.
      assert.equal((await req(nc, "$JS.API.STREAM.DELETE.k_two")).success, true);
      assert.deepEqual(JSON.parse((await nc.request("k.three", "x", { timeout: 2000 })).string()), { stream: "k_three", seq: 1 });
      const del = await req(nc, "$JS.API.STREAM.TEMPLATE.DELETE.K");
      assert.equal(del.success, true);
      const names = await req(nc, "$JS.API.STREAM.NAMES");
      assert.deepEqual(names.streams ?? [], []);
      assert.deepEqual((await req(nc, "$JS.API.STREAM.TEMPLATE.NAMES")).streams, []);
      await nc.close();
      await p.signalAndWait("SIGTERM", "Server Exiting", 15_000);
      await p.exited;

      ({ p, url } = await startJetStreamProcess(storeDir, runDir));
      nc = await connect({ servers: url });
      assert.deepEqual((await req(nc, "$JS.API.STREAM.TEMPLATE.NAMES")).streams, [], "a deleted template stays deleted");
    } finally {
      await nc.close().catch(() => {});
      await p.kill();
    }
  });
});
