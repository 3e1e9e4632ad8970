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

const CROSS = (storeDir) => `jetstream { store_dir: "${storeDir}" }
accounts {
  A: { jetstream: enabled, users: [ { user: a, password: a } ], exports: [ { service: "$JS.API.>" }, { stream: "deliver.a.>" } ] }
  B: {
    jetstream: enabled
    users: [ { user: b, password: b } ]
    imports: [ { service: { account: A, subject: "$JS.API.>" }, to: "$JS.A.API.>" }, { stream: { account: A, subject: "deliver.a.>" } } ]
  }
}
`;

async function crossSource(url) {
  const a = await connect({ servers: url, user: "a", pass: "a" });
  const b = await connect({ servers: url, user: "b", pass: "b" });
  const req = async (nc, s, body) => JSON.parse((await nc.request(s, JSON.stringify(body), { timeout: 2000 })).string());
  try {
    await req(a, "$JS.API.STREAM.CREATE.S", { name: "S", subjects: ["s.>"] });
    for (let i = 0; i < 3; i++) await a.request("s.x", `m${i}`, { timeout: 2000 });
    const created = await req(b, "$JS.API.STREAM.CREATE.SRC", { name: "SRC", sources: [{ name: "S", external: { api: "$JS.A.API", deliver: "deliver.a" } }] });
    await a.request("s.y", "late", { timeout: 2000 });
    let info;
    for (let i = 0; i < 100; i++) {
      info = await req(b, "$JS.API.STREAM.INFO.SRC", {});
      if (info.state.messages === 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const last = await req(b, "$JS.API.STREAM.MSG.GET.SRC", { seq: 4 });
    return { created: created.error ?? "ok", messages: info.state.messages, source: { ...info.sources[0], active: typeof info.sources[0].active }, last: Buffer.from(last.message.data, "base64").toString() };
  } finally {
    await a.close();
    await b.close();
  }
}

test("a source in another account through imports of its $JS.API, as Go", { skip: !goServer && "nats-server not installed", timeout: 60_000 }, async () => {
  const dir = tempDir("tsnats-jsx-");
  writeFileSync(`${dir}/go.conf`, CROSS(`${dir}/go-store`));
  writeFileSync(`${dir}/ts.conf`, CROSS(`${dir}/ts-store`));
  const go = await startGoServer(["-c", `${dir}/go.conf`]);
  const ts = await startTsnats(["-c", `${dir}/ts.conf`, "-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", dir], { dir });
  try {
    const url = (await ts.portsFile()).nats[0].replace("0.0.0.0", "127.0.0.1");
    const g = await crossSource(go.url);
    const t = await crossSource(url);
    assert.deepEqual(t, g);
    assert.equal(t.messages, 4);
  } finally {
    await ts.kill();
    await go.stop();
    removeDir(dir);
  }
});
