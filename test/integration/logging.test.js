// Logging as nats-server: line format and -T/logtime_utc, -D/-V/-VV/-DVV,
// the protocol trace format (checked against nats-server when installed),
// --max_traced_msg_len, -l with log_size_limit rotation and logfile_max_num,
// SIGUSR1 reopen after the file was moved, -r remote syslog (udp, tcp),
// -s local syslog, and the fatal texts when a log output cannot be opened.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { existsSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { RawClient } from "../helpers/raw-client.js";
import { goServerPath, freePort } from "../helpers/go-server.js";
import { filesIn, removeDir, runTsnats, startTsnats, startWithConfig, tempDir, waitFor, sleep } from "../helpers/tsnats-process.js";
import { LocalSyslog } from "../../dist/server/syslog.js";

const T = { timeout: 15000 };
const base = (port) => ["-a", "127.0.0.1", "-p", String(port)];

test("line format: [pid] date time.micro [LVL] msg; -T=false drops the time; logtime_utc", T, async () => {
  const dir = tempDir();
  try {
    const a = await startTsnats([...base(-1)], { dir });
    const b = await startTsnats([...base(-1), "-T=false"], { dir });
    // A zone far from UTC, so local and UTC times differ.
    const env = { ...process.env, TZ: "Asia/Kathmandu" };
    const c = await startWithConfig("logtime_utc: true\n", { dir, env });
    const d = await startWithConfig("logtime: false\n", { dir: tempDir(), env });
    try {
      const start = (p) => p.lines("Starting nats-server")[0];
      assert.match(start(a), new RegExp(`^\\[${a.pid}\\] \\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} \\[INF\\] Starting nats-server$`));
      assert.equal(start(b), `[${b.pid}] [INF] Starting nats-server`);
      assert.equal(start(d), `[${d.pid}] [INF] Starting nats-server`);
      const m = /\] (\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.\d{6} \[INF\]/.exec(start(c));
      const logged = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
      assert.ok(Math.abs(Date.now() - logged) < 60_000, `UTC time logged: ${start(c)}`);
      const local = /\] \d{4}\/\d\d\/\d\d (\d\d):(\d\d)/.exec(start(a));
      assert.ok(local);
      // Microseconds never go backwards within a process.
      const stamps = a.log.split("\n").filter(Boolean).map((l) => / (\d\d:\d\d:\d\d\.\d{6}) /.exec(l)[1]);
      assert.deepEqual([...stamps].sort(), stamps);
    } finally {
      for (const p of [a, b, c, d]) await p.kill();
      removeDir(d.dir);
    }
  } finally {
    removeDir(dir);
  }
});

/** Protocol traffic that exercises every trace form without errors. */
async function drive(port) {
  const c = await RawClient.open(port);
  c.send('CONNECT {"verbose":true,"pedantic":false,"name":"me","lang":"node","version":"1.2.3","protocol":1,"headers":true,"user":"u","pass":"secret"}\r\n');
  const payload = Buffer.concat([Buffer.from('hello\x00\xff"\n', "latin1"), Buffer.from("é!\u2028x", "utf8")]);
  c.send("SUB foo 1\r\nSUB bar q 2\r\nSUB foo.* 3\r\nPUB foo 5\r\nhello\r\n");
  c.send(Buffer.concat([Buffer.from(`PUB foo r ${payload.length}\r\n`), payload, Buffer.from("\r\n")]));
  c.send("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nUNSUB 1 5\r\nUNSUB 2\r\nPUB foo.bar 2\r\nab\r\nUNSUB 1\r\n");
  await c.ping();
  c.socket.destroy();
  await sleep(100);
}

const traceLines = (log) =>
  log
    .split("\n")
    .filter((l) => l.includes("[TRC]"))
    .map((l) => l.replace(/^\[\d+\] (\S+ \S+ )?/, "").replace(/127\.0\.0\.1:\d+ - cid:\d+/, "ADDR - cid:N"));

test("-V traces protocol operations in nats-server's format, with the client's name", T, async () => {
  const dir = tempDir();
  const p = await startTsnats([...base(-1), "-V", "--ports_file_dir", dir], { dir });
  try {
    const port = parseInt((await p.portsFile()).nats[0].split(":").pop(), 10);
    await drive(port);
    const who = 'ADDR - cid:N - "v1.2.3:node:me"';
    const got = traceLines(p.log);
    assert.deepEqual(got.slice(0, 9), [
      `[TRC] ADDR - cid:N - <<- [CONNECT {"verbose":true,"pedantic":false,"name":"me","lang":"node","version":"1.2.3","protocol":1,"headers":true,"user":"u","pass":"[REDACTED]"}]`,
      `[TRC] ${who} - ->> [OK]`,
      `[TRC] ${who} - <<- [SUB foo 1]`,
      `[TRC] ${who} - ->> [OK]`,
      `[TRC] ${who} - <<- [SUB bar q 2]`,
      `[TRC] ${who} - ->> [OK]`,
      `[TRC] ${who} - <<- [SUB foo.* 3]`,
      `[TRC] ${who} - ->> [OK]`,
      `[TRC] ${who} - <<- [PUB foo 5]`,
    ]);
    assert.ok(got.includes(`[TRC] ${who} - <<- MSG_PAYLOAD: ["hello"]`));
    assert.ok(got.includes(`[TRC] ${who} - ->> [MSG foo 1 5]`));
    assert.ok(got.includes(`[TRC] ${who} - <<- MSG_PAYLOAD: ["hello\\x00\\xff\\"\\né!\\u2028x"]`), got.join("\n"));
    assert.ok(got.includes(`[TRC] ${who} - ->> [MSG foo 1 r 16]`));
    assert.ok(got.includes(`[TRC] ${who} - ->> [HMSG foo 1 12 14]`));
    assert.ok(got.includes(`[TRC] ${who} - <-> [DELSUB 2]`));
    assert.ok(got.includes(`[TRC] ${who} - ->> [PONG]`));
    assert.equal(p.lines("[DBG]").length, 0, "no debug lines without -D");
  } finally {
    await p.kill();
    removeDir(dir);
  }
});

test("differential: the trace matches nats-server's line for line", { ...T, skip: !goServerPath() && "nats-server not installed" }, async () => {
  const port = await freePort();
  const go = spawn(goServerPath(), [...base(port), "-V", "--max_traced_msg_len", "8"], { stdio: ["ignore", "ignore", "pipe"] });
  let goLog = "";
  go.stderr.on("data", (d) => (goLog += d));
  const dir = tempDir();
  const ts = await startTsnats([...base(-1), "-V", "--max_traced_msg_len", "8", "--ports_file_dir", dir], { dir });
  try {
    await waitFor(() => goLog.includes("Server is ready"), "nats-server ready");
    await drive(port);
    await drive(parseInt((await ts.portsFile()).nats[0].split(":").pop(), 10));
    assert.deepEqual(traceLines(ts.log), traceLines(goLog));
  } finally {
    go.kill("SIGKILL");
    await ts.kill();
    removeDir(dir);
  }
});

test("-D adds debug lines, -DVV debug and trace, -VV trace; --max_traced_msg_len cuts payloads", T, async () => {
  const dir = tempDir();
  const flags = [["-D"], ["-DVV"], ["-VV"], ["-V", "--max_traced_msg_len", "3"]];
  const ps = await Promise.all(flags.map((f, i) => startTsnats([...base(-1), ...f, "--ports_file_dir", join(dir)], { dir })));
  try {
    for (const p of ps) {
      const port = parseInt((await p.portsFile()).nats[0].split(":").pop(), 10);
      const c = await RawClient.open(port);
      c.send('CONNECT {"verbose":false}\r\nPUB foo 5\r\nhello\r\n');
      await c.ping();
      c.socket.destroy();
    }
    await waitFor(() => ps[0].lines("Client connection closed").length && ps[1].lines("Client connection closed").length, "close logged");
    const [d, dvv, vv, cut] = ps;
    // cid 4, as nats-server: 1-3 go to the accounts' and the system account's internal clients.
    assert.ok(d.lines(/\[DBG\] 127\.0\.0\.1:\d+ - cid:4 - Client connection created/).length === 1);
    assert.equal(d.lines("[TRC]").length, 0);
    assert.ok(dvv.lines("[DBG]").length > 0 && dvv.lines("[TRC]").length > 0);
    assert.ok(vv.lines("[TRC]").length > 0 && vv.lines("[DBG]").length === 0);
    await waitFor(() => cut.lines("MSG_PAYLOAD").length, "payload trace");
    assert.match(cut.lines("MSG_PAYLOAD")[0], / - <<- MSG_PAYLOAD: \["hel\.\.\."\]$/);
  } finally {
    for (const p of ps) await p.kill();
    removeDir(dir);
  }
});

test("-l FILE with log_size_limit rotates as nats-server; logfile_max_num purges old backups", T, async () => {
  const dir = tempDir();
  const file = join(dir, "s.log");
  const p = await startWithConfig(`log_file: ${JSON.stringify(file)}\nlog_size_limit: 600\nlogfile_max_num: 3\ndebug: true\n`, { dir });
  try {
    for (let i = 0; i < 12; i++) {
      const c = await RawClient.open(p.port);
      c.socket.destroy();
      await sleep(5);
    }
    await waitFor(() => filesIn(dir, /^s\.log\./).length >= 2 && readFileSync(file, "utf8").includes("Purged log file"), "rotations and a purge");
    const backups = filesIn(dir, /^s\.log\./);
    assert.ok(backups.length <= 2, `at most logfile_max_num - 1 backups: ${backups}`);
    for (const b of backups) assert.match(b, /^s\.log\.\d{4}\.\d\d\.\d\d\.\d\d\.\d\d\.\d\d\.\d{9}$/);
    const current = readFileSync(file, "utf8");
    assert.match(current, new RegExp(`^\\[${p.pid}\\] \\S+ \\S+ \\[INF\\] Rotated log, backup saved as "${join(dir, "s.log")}\\.\\d{4}(\\.\\d+){6}"\\r\\n`));
    assert.match(current, /\[INF\] Purged log file "s\.log\.\d{4}(\.\d+){6}"\r\n/);
    assert.equal(p.log, "", "nothing on stderr with a log file");
  } finally {
    await p.kill();
    removeDir(dir);
  }
});

test("SIGUSR1 reopens the log file after it was moved; without a log file it is ignored", T, async () => {
  const dir = tempDir();
  const file = join(dir, "s.log");
  const p = await startWithConfig(`log_file: ${JSON.stringify(file)}\n`, { dir });
  const q = await startTsnats([...base(-1)], { dir });
  try {
    renameSync(file, join(dir, "s.log.moved"));
    p.child.kill("SIGUSR1");
    await waitFor(() => existsSync(file) && readFileSync(file, "utf8").includes("[INF] File log re-opened"), "reopened file");
    const moved = readFileSync(join(dir, "s.log.moved"), "utf8");
    assert.ok(moved.includes("[INF] Server is ready"));
    assert.ok(!moved.includes("re-opened"));
    await q.signalAndWait("SIGUSR1", "[INF] File log re-open ignored, not a file logger");
  } finally {
    await p.kill();
    await q.kill();
    removeDir(dir);
  }
});

test("-r udp://host:port sends RFC 3164 messages as Go's log/syslog does", T, async () => {
  const sock = createSocket("udp4");
  const got = [];
  sock.on("message", (m) => got.push(m.toString()));
  await new Promise((r) => sock.bind(0, "127.0.0.1", r));
  const dir = tempDir();
  const p = await startTsnats([...base(-1), "-D", "-r", `udp://127.0.0.1:${sock.address().port}`], { dir, ready: false });
  try {
    await waitFor(() => got.some((m) => m.includes("Server is ready")), "syslog messages");
    const host = execFileSync("hostname", { encoding: "utf8" }).trim();
    const re = (pri, msg) => new RegExp(`^<${pri}>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d) ${host} tsnats\\[${p.pid}\\]: ${msg}\\n$`);
    assert.match(got[0], re(5, "Starting nats-server"));
    p.child.kill("SIGINT");
    await waitFor(() => got.some((m) => m.includes("Server Exiting")), "exit messages");
    assert.ok(got.some((m) => re(7, 'Trapped "interrupt" signal').test(m)), got.join(""));
    assert.equal(p.log, "");
  } finally {
    await p.kill();
    sock.close();
    removeDir(dir);
  }
});

test("-r tcp://host:port streams the messages; an unreachable syslog is fatal with Go's text", T, async () => {
  let text = "";
  const srv = createServer((s) => s.on("data", (d) => (text += d)));
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const dir = tempDir();
  const p = await startTsnats([...base(-1), "-r", `tcp://127.0.0.1:${srv.address().port}`], { dir, ready: false });
  try {
    await waitFor(() => text.includes("Server is ready"), "tcp syslog");
    assert.match(text, new RegExp(`^<5>\\S+ \\S+ tsnats\\[${p.pid}\\]: Starting nats-server\\n`));
    const closed = await freePort();
    let r = await runTsnats([...base(-1), "-r", `tcp://127.0.0.1:${closed}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d error connecting to syslog: "dial tcp 127\\.0\\.0\\.1:${closed}: connect: connection refused"\\n$`));
    r = await runTsnats([...base(-1), "-r", "foo://127.0.0.1:514"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^\S+ \S+ error invalid network type: "foo"\n$/);
    r = await runTsnats([...base(-1), "-l", join(dir, "no/such/dir/x.log")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^\\S+ \\S+ error opening file: open ${join(dir, "no/such/dir/x.log")}: no such file or directory\\n$`));
  } finally {
    await p.kill();
    srv.close();
    removeDir(dir);
  }
});

const isSocket = (f) => {
  try {
    return statSync(f).isSocket();
  } catch {
    return false;
  }
};
const NO_LOCAL_SYSLOG = ["/dev/log", "/var/run/syslog", "/var/run/log"].every((f) => !isSocket(f));

test("-s without a local syslog socket fails as nats-server does", { ...T, skip: !NO_LOCAL_SYSLOG && "this machine has a syslog socket" }, async () => {
  const r = await runTsnats([...base(-1), "-s"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^\S+ \S+ error connecting to syslog: "Unix syslog delivery error"\n$/);
  if (goServerPath()) {
    const go = await new Promise((res) => {
      const c = spawn(goServerPath(), [...base(-1), "-s"], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      c.stderr.on("data", (d) => (err += d));
      c.on("close", (code) => res([code, err.replace(/^\S+ \S+ /, "")]));
    });
    assert.deepEqual(go, [1, r.stderr.replace(/^\S+ \S+ /, "")]);
  }
});

test("local syslog: a stream socket gets `<PRI>Mmm _d hh:mm:ss tag[pid]: msg`", T, async () => {
  const dir = tempDir();
  const path = join(dir, "log.sock");
  let text = "";
  const srv = createServer((s) => s.on("data", (d) => (text += d)));
  await new Promise((r) => srv.listen(path, r));
  try {
    const w = new LocalSyslog("tsnats", (e) => assert.fail(e.message), [join(dir, "missing"), path]);
    w.write(5, "hello");
    w.write(3, "oops");
    await waitFor(() => text.includes("oops"), "local syslog");
    w.close();
    const re = (pri, msg) => `<${pri}>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d tsnats\\[${process.pid}\\]: ${msg}\\n`;
    assert.match(text, new RegExp(`^${re(29, "hello")}${re(27, "oops")}$`));
  } finally {
    srv.close();
    removeDir(dir);
  }
});

function hasCommand(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const CAN_DGRAM = hasCommand("python3", ["-c", "import socket; socket.AF_UNIX"]) && hasCommand("logger", ["--help"]);

test("local syslog: a datagram socket (like /dev/log) gets the same messages", { ...T, skip: !CAN_DGRAM && "needs python3 and logger" }, async () => {
  const dir = tempDir();
  const path = join(dir, "dgram.sock");
  // A unix datagram receiver (Node has none): prints each datagram as JSON.
  const py = spawn("python3", [
    "-c",
    "import socket,sys,json\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint('ready',flush=True)\nwhile True:\n  print(json.dumps(s.recv(65536).decode()),flush=True)",
    path,
  ]);
  let out = "";
  py.stdout.on("data", (d) => (out += d));
  try {
    await waitFor(() => out.includes("ready"), "datagram receiver");
    const w = new LocalSyslog("tsnats", (e) => assert.fail(e.message), [path]);
    w.write(5, "hello");
    w.write(7, "debug line");
    await waitFor(() => out.includes("debug line"), "datagrams");
    w.close();
    const msgs = out.split("\n").slice(1).filter(Boolean).map((l) => JSON.parse(l));
    assert.match(msgs[0], new RegExp(`^<29>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d tsnats\\[${process.pid}\\]: hello\\n?$`));
    assert.match(msgs[1], new RegExp(`^<31>\\S+ +\\d+ \\S+ tsnats\\[${process.pid}\\]: debug line\\n?$`));
  } finally {
    py.kill("SIGKILL");
    removeDir(dir);
  }
});
