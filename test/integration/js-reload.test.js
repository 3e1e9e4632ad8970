// Config reload (SIGHUP) turning JetStream on and off, as Go's reload does:
// "Reloaded: JetStream", then "Restarting JetStream" with the banner or the
// shutdown lines, then "Reloaded server configuration"; streams come back
// when it is turned on again; the same log lines as nats-server (differential);
// accounts added or given `jetstream` by a reload get JetStream, and one whose
// key is removed answers "JetStream not enabled for account".
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { goServerPath, freePort } from "../helpers/go-server.js";
import { removeDir, startWithConfig, tempDir, waitFor, writeConfig, sleep } from "../helpers/tsnats-process.js";

const T = { timeout: 30_000 };

async function reload(p, conf) {
  writeConfig(p.confFile, conf, p.dir);
  const mark = p.log.length;
  p.child.kill("SIGHUP");
  await p.waitLog(/Reloaded server configuration|Failed to reload server configuration/, 5000, mark);
  return p.log.slice(mark);
}

/** Message texts, without the machine-dependent banner values. */
const messages = (log) =>
  log
    .split("\n")
    .map((l) => /\[(?:INF|ERR|WRN|DBG)\] (.*)$/.exec(l)?.[1])
    .filter((m) => m !== undefined && !/^\s+(Max Memory|Max Storage|Store Directory):/.test(m) && !m.startsWith("Trapped"));

const BANNER = [
  "Starting JetStream",
  "    _ ___ _____ ___ _____ ___ ___   _   __  __",
  " _ | | __|_   _/ __|_   _| _ \\ __| /_\\ |  \\/  |",
  "| || | _|  | | \\__ \\ | | |   / _| / _ \\| |\\/| |",
  " \\__/|___| |_| |___/ |_| |_|_\\___/_/ \\_\\_|  |_|",
  "",
  "         https://docs.nats.io/jetstream",
  "",
  "---------------- JETSTREAM ----------------",
  "-------------------------------------------",
];

test("reload turns JetStream on and off; streams come back when it is on again", T, async () => {
  const p = await startWithConfig("");
  const sd = join(p.dir, "sd");
  let nc;
  try {
    nc = await connect({ servers: `127.0.0.1:${p.port}` });
    assert.equal(nc.info.jetstream, undefined);
    await assert.rejects(nc.request("$JS.API.INFO", "", { timeout: 500 }));

    const on = await reload(p, `jetstream { store_dir: ${JSON.stringify(sd)} }\n`);
    assert.deepEqual(messages(on), ["Reloaded: authorization users", "Reloaded: accounts", "Reloaded: JetStream", "Restarting JetStream", ...BANNER, "Reloaded server configuration"]);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "R", subjects: ["r"] });
    assert.equal((await jetstream(nc).publish("r", "kept")).seq, 1);
    const fresh = await connect({ servers: `127.0.0.1:${p.port}` });
    assert.equal(fresh.info.jetstream, true, "INFO of a new connection says jetstream");
    await fresh.close();

    const off = await reload(p, `store_dir: ${JSON.stringify(sd)}\n`);
    assert.deepEqual(messages(off), ["Reloaded: authorization users", "Reloaded: accounts", "Reloaded: JetStream", "Initiating JetStream Shutdown...", "JetStream Shutdown", "Reloaded server configuration"]);
    await assert.rejects(nc.request("$JS.API.INFO", "", { timeout: 500 }), "no JetStream API while off");
    const plain = await connect({ servers: `127.0.0.1:${p.port}` });
    assert.equal(plain.info.jetstream, undefined);
    await plain.close();

    const again = await reload(p, `jetstream: enabled\nstore_dir: ${JSON.stringify(sd)}\n`);
    assert.match(again, /Reloaded: JetStream[^]*Restarting JetStream[^]*Restored 1 messages for stream '\$G > R'[^]*Reloaded server configuration/);
    const jsm2 = await jetstreamManager(nc);
    assert.equal((await jsm2.streams.getMessage("R", { seq: 1 })).string(), "kept");
  } finally {
    await nc?.close();
    await p.kill();
    removeDir(p.dir);
  }
});

test("accounts given JetStream by a reload get it; one whose key is removed answers not enabled", T, async () => {
  const sd = tempDir("tsnats-sd-");
  const accounts = (bJs) => `jetstream { store_dir: ${JSON.stringify(sd)} }
accounts {
  A: { jetstream: enabled, users: [ { user: a, password: a } ] }
  B: { ${bJs ? "jetstream: enabled, " : ""}users: [ { user: b, password: b } ] }
}
`;
  const p = await startWithConfig(accounts(false));
  const b = await connect({ servers: `127.0.0.1:${p.port}`, user: "b", pass: "b" });
  try {
    const before = JSON.parse((await b.request("$JS.API.INFO", "", { timeout: 1000 })).string());
    assert.equal(before.error?.description, "JetStream not enabled for account");
    await reload(p, accounts(true));
    const jsm = await jetstreamManager(b);
    await jsm.streams.add({ name: "BS", subjects: ["bs"] });
    assert.equal((await jetstream(b).publish("bs", "x")).stream, "BS");
    await reload(p, accounts(false));
    const after = JSON.parse((await b.request("$JS.API.INFO", "", { timeout: 1000 })).string());
    assert.equal(after.error?.description, "JetStream not enabled for account");
  } finally {
    await b.close();
    await p.kill();
    removeDir(p.dir);
    removeDir(sd);
  }
});

test("differential: turning JetStream on and off by reload logs what nats-server logs", { ...T, skip: !goServerPath() && "nats-server not installed" }, async () => {
  const run = async (bin) => {
    const dir = tempDir();
    const port = await freePort();
    const file = join(dir, "c.conf");
    const head = `listen: 127.0.0.1:${port}\n`;
    writeFileSync(file, head);
    const args = bin === "go" ? [goServerPath(), ["-c", file]] : [process.execPath, ["bin/tsnats.js", "-c", file]];
    const c = spawn(args[0], args[1], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    c.stderr.on("data", (d) => (log += d));
    const out = [];
    try {
      await waitFor(() => log.includes("Server is ready"), `${bin} ready`, 5000);
      for (const conf of [`jetstream { store_dir: ${JSON.stringify(join(dir, "sd"))} }\n`, "", `jetstream: enabled\nstore_dir: ${JSON.stringify(join(dir, "sd"))}\n`, `jetstream: disabled\n`]) {
        writeFileSync(file, head + conf);
        const mark = log.length;
        c.kill("SIGHUP");
        await waitFor(() => /Reloaded server configuration|Failed to reload/.test(log.slice(mark)), `${bin} reload`, 5000);
        await sleep(50);
        out.push(messages(log.slice(mark)));
      }
      return out;
    } finally {
      c.kill("SIGKILL");
      removeDir(dir);
    }
  };
  const [go, ts] = await Promise.all([run("go"), run("ts")]);
  assert.deepEqual(ts, go);
});
