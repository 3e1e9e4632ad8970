// Hot reload (SIGHUP) of a running `tsnats -c FILE`: reloadable settings take
// effect with nats-server's "Reloaded: ..." lines while clients stay
// connected; settings nats-server cannot reload are refused with its message
// and the running config stays in force; command-line flags keep winning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { RawClient } from "../helpers/raw-client.js";
import { goServerPath, freePort } from "../helpers/go-server.js";
import { removeDir, startWithConfig, startTsnats, tempDir, waitFor, writeConfig, sleep } from "../helpers/tsnats-process.js";

const T = { timeout: 15000 };

/** Rewrite the config and SIGHUP; resolves with the log written by the reload. */
async function reload(p, conf, until = /Reloaded server configuration|Failed to reload server configuration/) {
  writeConfig(p.confFile, conf, p.dir);
  const mark = p.log.length;
  p.child.kill("SIGHUP");
  await p.waitLog(until, 3000, mark);
  return p.log.slice(mark);
}

/** The "[INF] ..." / "[ERR] ..." message texts of a log excerpt. */
const messages = (log) =>
  log
    .split("\n")
    .map((l) => /\[(?:INF|ERR|WRN|DBG)\] (.*)$/.exec(l)?.[1])
    .filter((m) => m !== undefined);

test("SIGHUP applies limits, ping, tags, debug; clients stay connected; new max_payload in the next INFO", T, async () => {
  const p = await startWithConfig("max_payload: 2000\n");
  try {
    const nc = await connect({ servers: `127.0.0.1:${p.port}`, reconnect: false });
    const raw = await RawClient.open(p.port);
    assert.equal(nc.info.max_payload, 2000);
    raw.send('CONNECT {"verbose":false,"protocol":1}\r\n');
    await raw.ping();

    const out = await reload(p, 'max_payload: 1000\nping_interval: "30s"\nping_max: 4\nwrite_deadline: "3s"\nmax_control_line: 2048\ndebug: true\nserver_tags: [a, b]\nmax_connections: 100\n');
    assert.deepEqual(messages(out), [
      "Reloaded: debug = true",
      "Reloaded: max_connections = 100",
      "Reloaded: authorization users",
      "Reloaded: accounts",
      "Reloaded: ping_interval = 30s",
      "Reloaded: ping_max = 4",
      "Reloaded: max_control_line = 2048",
      "Reloaded: max_payload = 1000",
      "Reloaded: write_deadline = 3s",
      "Reloaded: tags",
      "Reloaded server configuration",
    ]);

    // A new connection's INFO carries the lowered limit.
    const fresh = await RawClient.open(p.port);
    assert.equal(fresh.info().max_payload, 1000);
    fresh.socket.destroy();

    // Existing clients are still connected and work...
    const sub = nc.subscribe("still.here", { max: 1 });
    nc.publish("still.here", "ok");
    for await (const m of sub) assert.equal(m.string(), "ok");
    assert.equal(nc.isClosed(), false);
    // ...under the new limit: 1500 bytes is now a violation.
    raw.send(`PUB big 1500\r\n${"x".repeat(1500)}\r\n`);
    await raw.waitFor("-ERR 'Maximum Payload Violation'");
    // debug took effect: connection events are logged now.
    await p.waitLog("Client connection closed: Maximum Message Payload Exceeded");
    await nc.close();
  } finally {
    await p.kill();
    removeDir(p.dir);
  }
});

test("a non-reloadable change is refused with nats-server's message and nothing changes", T, async () => {
  const p = await startWithConfig("max_payload: 2000\n");
  try {
    const nc = await connect({ servers: `127.0.0.1:${p.port}`, reconnect: false });
    const other = await freePort();
    let out = await reload(p, `listen: 127.0.0.1:${other}\nmax_payload: 1000\n`);
    assert.deepEqual(messages(out), [`Failed to reload server configuration: config reload not supported for Port: old=${p.port}, new=${other}`]);
    out = await reload(p, "max_subs: 10\nmax_payload: 1000\n");
    assert.deepEqual(messages(out), ["Failed to reload server configuration: config reload not supported for MaxSubs: old=0, new=10"]);
    out = await reload(p, 'lame_duck_duration: "40s"\n');
    assert.deepEqual(messages(out), ["Failed to reload server configuration: config reload not supported for LameDuckDuration: old=2m0s, new=40s"]);
    out = await reload(p, "max_payload: 100000000\n");
    assert.deepEqual(messages(out), ["Failed to reload server configuration: max_payload (100000000) cannot be higher than max_pending (67108864)"]);
    out = await reload(p, "max_payload: {\n");
    assert.match(messages(out)[0], /^Failed to reload server configuration: /);

    // Still serving, on the same port, with the old limit.
    const raw = await RawClient.open(p.port);
    assert.equal(raw.info().max_payload, 2000);
    raw.socket.destroy();
    assert.equal(nc.isClosed(), false);
    await nc.flush();
    await nc.close();
  } finally {
    await p.kill();
    removeDir(p.dir);
  }
});

test("command-line flags win over the reloaded file; port -1 keeps the bound port", T, async () => {
  const dir = tempDir();
  const file = join(dir, "server.conf");
  writeConfig(file, "port: 1\ndebug: false\nmax_payload: 3000\n", dir);
  const p = await startTsnats(["-c", file, "-a", "127.0.0.1", "-p", "-1", "-D", "--max_traced_msg_len", "7"], { dir });
  p.confFile = file;
  try {
    const ports = await p.portsFile();
    p.port = parseInt(ports.nats[0].split(":").pop(), 10);
    const out = await reload(p, "port: 2\ndebug: false\nmax_traced_msg_len: 100\nmax_payload: 1500\n");
    // No debug / port / max_traced_msg_len change: the flags still decide.
    assert.deepEqual(messages(out), ['Trapped "hangup" signal', "Reloaded: authorization users", "Reloaded: accounts", "Reloaded: max_payload = 1500", "Reloaded server configuration"]);
    const raw = await RawClient.open(p.port);
    assert.equal(raw.info().max_payload, 1500);
    raw.socket.destroy();
    // Debug is still on.
    await p.waitLog("Client connection closed");
  } finally {
    await p.kill();
    removeDir(dir);
  }
});

test("mappings, logging and trace reload; the real port written back into the file is accepted", T, async () => {
  const p = await startWithConfig("mappings: { a: b }\n");
  try {
    const nc = await connect({ servers: `127.0.0.1:${p.port}`, reconnect: false });
    const got = [];
    nc.subscribe(">", { callback: (_e, m) => got.push(m.subject) });
    nc.publish("a");
    nc.publish("x");
    await nc.flush();
    const out = await reload(p, `listen: 127.0.0.1:${p.port}\nmappings: { x: y }\ntrace: true\n`);
    assert.deepEqual(messages(out).slice(-1), ["Reloaded server configuration"]);
    assert.ok(out.includes("Reloaded: trace = true"));
    nc.publish("a");
    nc.publish("x");
    await nc.flush();
    await waitFor(() => got.length === 4, "4 messages");
    assert.deepEqual(got, ["b", "x", "a", "y"]);
    // Trace is on for the existing connection.
    await p.waitLog(/<<- \[PUB x 0\]/);
    await nc.close();
  } finally {
    await p.kill();
    removeDir(p.dir);
  }
});

test("reload without a config file is refused as nats-server refuses it", T, async () => {
  const dir = tempDir();
  const p = await startTsnats(["-a", "127.0.0.1", "-p", "-1"], { dir });
  try {
    await p.signalAndWait("SIGHUP", "Failed to reload server configuration: can only reload config when a file is provided using -c or --config");
  } finally {
    await p.kill();
    removeDir(dir);
  }
});

test("differential: the same reloads give the same log lines on nats-server", { ...T, skip: !goServerPath() && "nats-server not installed" }, async () => {
  const cases = [
    ["max_payload: 2000\n", 'max_payload: 1000\nping_interval: "30s"\nwrite_deadline: "4s"\nmax_traced_msg_len: 10\nconnect_error_reports: 5\n'],
    ["", "trace: true\nlogtime: false\n"],
    ["", "server_name: x\n"],
    ["", "no_header_support: true\n"],
    ["", 'lame_duck_grace_period: "5s"\n'],
    ["", "max_pending: 1000000\n"],
    ["", "log_size_limit: 1000\n"],
  ];
  const run = async (bin, before, after) => {
    const dir = tempDir();
    const port = await freePort();
    const file = join(dir, "c.conf");
    writeFileSync(file, `listen: 127.0.0.1:${port}\n${before}`);
    const args = bin === "go" ? [goServerPath(), ["-c", file]] : [process.execPath, ["bin/tsnats.js", "-c", file]];
    const c = spawn(args[0], args[1], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    c.stderr.on("data", (d) => (log += d));
    try {
      await waitFor(() => log.includes("Server is ready"), `${bin} ready`, 5000);
      writeFileSync(file, `listen: 127.0.0.1:${port}\n${after}`);
      const mark = log.length;
      c.kill("SIGHUP");
      await waitFor(() => /Reloaded server configuration|Failed to reload/.test(log.slice(mark)), `${bin} reload`, 3000);
      await sleep(50);
      return messages(log.slice(mark)).filter((m) => !m.startsWith("Trapped"));
    } finally {
      c.kill("SIGKILL");
      removeDir(dir);
    }
  };
  await Promise.all(
    cases.map(async ([before, after]) => {
      const [go, ts] = await Promise.all([run("go", before, after), run("ts", before, after)]);
      assert.deepEqual(ts, go, `reload ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    }),
  );
});

test("reloading log_file moves the log: the reload lines go to the old output, the rest to the new file", T, async () => {
  const p = await startWithConfig("");
  try {
    const file = join(p.dir, "after.log");
    const out = await reload(p, `log_file: ${JSON.stringify(file)}\n`, `Reloaded: log_file = ${file}`);
    assert.ok(out.includes(`[INF] Reloaded: log_file = ${file}`));
    // The new file may appear a moment after the reload line: wait for it too.
    await waitFor(() => existsSync(file) && readFileSync(file, "utf8").includes("[INF] Reloaded server configuration"), "line in the new log file");
    await sleep(50);
    assert.ok(!p.log.includes("Reloaded server configuration"));
  } finally {
    await p.kill();
    removeDir(p.dir);
  }
});

test("lowering max_connections closes the excess clients as nats-server does", T, async () => {
  const p = await startWithConfig("");
  try {
    const clients = [];
    for (let i = 0; i < 3; i++) {
      const c = await RawClient.open(p.port);
      c.send('CONNECT {"verbose":false}\r\n');
      await c.ping();
      clients.push(c);
    }
    const out = await reload(p, "max_connections: 1\n");
    const msgs = messages(out);
    assert.deepEqual(msgs.slice(msgs.indexOf("Closed 2 connections to fall within max_connections")), [
      "Closed 2 connections to fall within max_connections",
      "Reloaded: max_connections = 1",
      "Reloaded: authorization users",
      "Reloaded: accounts",
      "Reloaded server configuration",
    ]);
    assert.equal(msgs.filter((m) => /^127\.0\.0\.1:\d+ - cid:\d+ - maximum connections exceeded$/.test(m)).length, 2);
    await waitFor(() => clients.filter((c) => c.closed).length === 2, "two clients closed");
    for (const c of clients.filter((x) => x.closed)) assert.ok(c.data.includes("-ERR 'maximum connections exceeded'\r\n"));
    const left = clients.find((c) => !c.closed);
    await left.ping();
    left.socket.destroy();
  } finally {
    await p.kill();
    removeDir(p.dir);
  }
});
