// JetStream per account, beside the Go reference server with the same config:
// an account with `jetstream: enabled`, one without (Go's "JetStream not
// enabled for account" in each subject's response type), and one with limits
// (max_streams, max_mem). Answers must match: type, error code and text,
// account limits. Skipped when nats-server is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import { goServerPath, startGoServer } from "../helpers/go-server.js";
import { startTsnats, tempDir, removeDir } from "../helpers/tsnats-process.js";

const goServer = goServerPath();

const REQUESTS = [
  ["$JS.API.INFO", ""],
  ["$JS.API.STREAM.CREATE.X", JSON.stringify({ name: "X", storage: "memory" })],
  ["$JS.API.STREAM.CREATE.Y", JSON.stringify({ name: "Y", storage: "memory" })],
  ["$JS.API.STREAM.NAMES", ""],
  ["$JS.API.STREAM.INFO.X", ""],
  ["$JS.API.NOPE", ""],
];

function conf(storeDir) {
  return `jetstream { store_dir: "${storeDir}" }
accounts {
  A: { jetstream: enabled, users: [ { user: a, password: a } ] }
  B: { users: [ { user: b, password: b } ] }
  C: { jetstream: { max_streams: 1, max_mem: 100000 }, users: [ { user: c, password: c } ] }
}
`;
}

async function answers(url) {
  const out = [];
  for (const user of ["a", "b", "c"]) {
    const nc = await connect({ servers: url, user, pass: user });
    try {
      for (const [subject, body] of REQUESTS) {
        let a;
        try {
          const j = JSON.parse((await nc.request(subject, body, { timeout: 800 })).string());
          a = { type: j.type, error: j.error ?? null, limits: j.limits ?? null, streams: j.streams ?? null, messages: j.state?.messages ?? null };
        } catch (e) {
          a = `no answer (${e.name})`;
        }
        out.push([`${user} ${subject}`, a]);
      }
    } finally {
      await nc.close();
    }
  }
  return out;
}

test("JetStream per account: enabled, not enabled, limited — as Go", { skip: !goServer && "nats-server not installed", timeout: 60_000 }, async () => {
  const dir = tempDir("tsnats-jsacc-");
  writeFileSync(`${dir}/go.conf`, conf(`${dir}/go-store`));
  writeFileSync(`${dir}/ts.conf`, conf(`${dir}/ts-store`));
  const go = await startGoServer(["-c", `${dir}/go.conf`]);
  const ts = await startTsnats(["-c", `${dir}/ts.conf`, "-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", dir], { dir });
  try {
    const url = (await ts.portsFile()).nats[0].replace("0.0.0.0", "127.0.0.1");
    const g = await answers(go.url);
    const t = await answers(url);
    assert.deepEqual(t, g);
    // The disabled account answers in each subject's own response type.
    assert.equal(t.find(([k]) => k === "b $JS.API.STREAM.NAMES")[1].error.err_code, 10039);
  } finally {
    await ts.kill();
    await go.stop();
    removeDir(dir);
  }
});
